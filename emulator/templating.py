"""Relative date tokens in tenant files, so a demo tenant always shows a current week.

`{{day}}`, `{{day+N}}`, `{{day-N}}`: today's date plus/minus N calendar days.
`{{workday+N}}`, `{{workday-N}}`: N business days (Mon-Fri) from the anchor
workday, which is today on a weekday and the next Monday on a weekend.
Each token becomes an ISO date (YYYY-MM-DD); "today" is taken in the event's zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from emulator.timezones import zone_or_utc

TOKEN = re.compile(r"\{\{\s*(day|workday)\s*(?:([+-])\s*(\d+))?\s*\}\}")


def today_in(zone_name: str, now: datetime | None = None) -> date:
    """Today's date in a zone (or the date of `now` there)."""
    moment = now or datetime.now(tz=zone_or_utc(zone_name))
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zone_or_utc(zone_name)).date()


def add_workdays(anchor: date, count: int) -> date:
    """Move `count` business days from the anchor workday (negative goes back)."""
    day = anchor
    while day.weekday() >= 5:
        day += timedelta(days=1)
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if day.weekday() < 5:
            remaining -= 1
    return day


def resolve_tokens(text: str, today: date) -> str:
    """Replace every relative date token in `text` with an ISO date."""

    def _replace(match: re.Match[str]) -> str:
        amount = int(match.group(3) or 0) * (-1 if match.group(2) == "-" else 1)
        if match.group(1) == "day":
            return (today + timedelta(days=amount)).isoformat()
        return add_workdays(today, amount).isoformat()

    return TOKEN.sub(_replace, text)


def has_tokens(text: str) -> bool:
    """True when the string holds at least one relative date token."""
    return bool(TOKEN.search(text))
