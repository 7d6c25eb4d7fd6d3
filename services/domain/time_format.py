"""Dates and times written the way the reader is used to (pure; no I/O).

Teams tells the bot a reader's locale (the activity's `locale`, e.g. "en-US"):
then times follow that locale's CLDR habits — 24-hour or am/pm, day or month
first — via Babel (already installed with botbuilder-dialogs). Without a known
locale the house style of DESIGN 3.9 applies: `HH:MM` 24-hour, "Tue 24 Nov".
Every written instant is in the room's zone and the zone's abbreviation is
shown next to it, whatever the locale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time


def zone_abbreviation(instant: datetime, zone: ZoneInfo) -> str:
    """ "EST", "GMT", "AEDT"; zones without a letter abbreviation give "UTC+05:30"."""
    local = instant.astimezone(zone)
    name = local.tzname() or ""
    if name.isalpha():
        return name
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@dataclass(frozen=True)
class TimeStyle:
    """How one reader sees times: `locale` is a Babel locale, or None for the house style."""

    locale: Locale | None = None

    @property
    def tag(self) -> str | None:
        """The BCP 47 tag ("en-US"), or None for the house style."""
        if self.locale is None:
            return None
        return str(self.locale).replace("_", "-")

    def time(self, instant: datetime, zone: ZoneInfo) -> str:
        """ "18:09" or "6:09 PM" — the wall-clock time in `zone`."""
        local = instant.astimezone(zone)
        if self.locale is None:
            return f"{local:%H:%M}"
        return format_time(local.replace(tzinfo=None).time(), "short", locale=self.locale)

    def day(self, instant: datetime, zone: ZoneInfo) -> str:
        """ "Tue 24 Nov" or "Tue, Nov 24" — the local date with its weekday."""
        local = instant.astimezone(zone)
        if self.locale is None:
            return f"{local:%a} {local.day} {local:%b}"
        return format_skeleton("MMMEd", local.replace(tzinfo=None), locale=self.locale)

    def weekday(self, instant: datetime, zone: ZoneInfo) -> str:
        """ "Tue" — the local weekday alone."""
        local = instant.astimezone(zone)
        if self.locale is None:
            return f"{local:%a}"
        return format_skeleton("E", local.replace(tzinfo=None), locale=self.locale)

    def span(self, start: datetime, end: datetime, zone: ZoneInfo) -> str:
        """ "10:00–11:00" (the zone is said elsewhere, e.g. in the day heading)."""
        return f"{self.time(start, zone)}–{self.time(end, zone)}"

    def when(self, instant: datetime, zone: ZoneInfo) -> str:
        """ "Tue 24 Nov 18:09 EST"."""
        return f"{self.day(instant, zone)} {self.time(instant, zone)} {zone_abbreviation(instant, zone)}"

    def day_span(self, start: datetime, end: datetime, zone: ZoneInfo) -> str:
        """ "Tue 25 Nov 10:00–11:00 EST" — one slot on its day, zone said once."""
        return f"{self.day(start, zone)} {self.span(start, end, zone)} {zone_abbreviation(start, zone)}"

    def time_with_zone(self, instant: datetime, zone: ZoneInfo) -> str:
        """ "18:09 EST" — for the same day as the reader is looking at."""
        return f"{self.time(instant, zone)} {zone_abbreviation(instant, zone)}"


HOUSE_STYLE = TimeStyle()


def _in_utc(moment: datetime) -> datetime:
    """Aware instants move to UTC; naive ones are taken as UTC already."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC)


def utc_time(moment: datetime) -> str:
    """ "18:09" — the UTC wall clock (for texts that say "UTC" themselves)."""
    return f"{_in_utc(moment):%H:%M}"


def utc_clock(moment: datetime) -> str:
    """ "18:09 UTC" — e.g. when a sign-in link expires."""
    return f"{utc_time(moment)} UTC"


def utc_stamp(moment: datetime) -> str:
    """ "2026-11-24 18:09 UTC" — an operator's timestamp (admin status)."""
    return f"{_in_utc(moment):%Y-%m-%d %H:%M} UTC"


_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}")  # a BCP 47 tag as Teams sends it


@cache
def style_for(locale: str | None) -> TimeStyle:
    """The style of a Teams locale ("en-US", "de-DE", "fr"); unknown or absent → house style."""
    if not isinstance(locale, str) or not _TAG.fullmatch(locale.strip()):
        return HOUSE_STYLE
    try:
        parsed = Locale.parse(locale.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return HOUSE_STYLE
    return TimeStyle(parsed)
