"""The 48-hour availability picture of an incident: a small PNG strip (pure, no I/O).

One row per local day of the room that meets the incident's window, midnight
on the left. Each pixel column is coloured by what the stored data says about
that instant: outside the window, closed (outside business hours), busy (open
but not in a free window), free, a claimable slot, or the claimed slot. The
incident's trigger and its SLA deadline are vertical markers. Drawn from
`IncidentView` (the stored free windows and slots, as the API returns them), so
the picture always agrees with the API; `alt_text` says the same in words.

The image has its own opaque light background and high-contrast colours, so it
reads the same in Teams' light and dark themes; it is sized to stay legible
when a phone shrinks it to the card's width.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

from services import texts
from services.domain.incident_view import IncidentView, SlotView, Span, claimable_slots
from services.domain.time_format import HOUSE_STYLE, TimeStyle

MAX_WIDTH = 1024
WIDTH = 720
LABEL_WIDTH = 136
RIGHT_MARGIN = 14
AXIS_HEIGHT = 30
ROW_HEIGHT = 50
BAR_HEIGHT = 30
LEGEND_HEIGHT = 40
FONT_SIZE = 21
SMALL_FONT_SIZE = 18

# What a column can show, and its colour.
OUTSIDE = "outside"
CLOSED = "closed"
BUSY = "busy"
FREE = "free"
SLOT = "slot"
CLAIMED = "claimed"
COLOURS: dict[str, tuple[int, int, int]] = {
    OUTSIDE: (238, 238, 238),
    CLOSED: (200, 200, 200),
    BUSY: (196, 43, 28),
    FREE: (159, 217, 159),
    SLOT: (16, 124, 16),
    CLAIMED: (91, 95, 199),
}
BACKGROUND = (255, 255, 255)
INK = (36, 36, 36)
SUBTLE_INK = (96, 96, 96)
TRIGGER_COLOUR = (36, 36, 36)
DEADLINE_COLOUR = (234, 120, 0)
# Statuses whose calendar was not read: no picture rather than a guessed one.
NOT_READ_STATUSES = frozenset({"calendar_unavailable", "unmapped_room", "scheduling_off"})
PICTURE_CACHE_SIZE = 64  # recent pictures kept (each a few kB): one per incident notice
SLOT_GAP = 2  # white pixels between consecutive slots, so they can be counted


@dataclass(frozen=True)
class Picture:
    png: bytes
    alt_text: str
    width: int
    height: int


@dataclass(frozen=True)
class StripLayout:
    """Where an instant sits in the picture (the picture's coordinate system)."""

    zone_days: tuple[date, ...]
    midnights: tuple[datetime, ...]  # local midnight of each day, in UTC
    day_seconds: tuple[float, ...]  # each local day's length (23, 24 or 25 hours)
    px_per_second: float
    width: int = WIDTH

    @property
    def bar_x0(self) -> int:
        return LABEL_WIDTH

    @property
    def bar_x1(self) -> int:
        return self.width - RIGHT_MARGIN

    @property
    def height(self) -> int:
        return AXIS_HEIGHT + ROW_HEIGHT * len(self.zone_days) + LEGEND_HEIGHT

    def row_top(self, row: int) -> int:
        return AXIS_HEIGHT + ROW_HEIGHT * row

    def row_of(self, instant: datetime) -> int | None:
        for row in range(len(self.midnights)):
            end = self.midnights[row + 1] if row + 1 < len(self.midnights) else self._day_end(row)
            if self.midnights[row] <= instant < end:
                return row
        return None

    def _day_end(self, row: int) -> datetime:
        return self.midnights[row] + timedelta(seconds=self.day_seconds[row])

    def x_of(self, instant: datetime, row: int) -> float:
        return self.bar_x0 + (instant - self.midnights[row]).total_seconds() * self.px_per_second

    def point(self, instant: datetime) -> tuple[int, int] | None:
        """The pixel (x, y) at the middle of the bar where `instant` is drawn, or None."""
        row = self.row_of(instant)
        if row is None:
            return None
        return int(self.x_of(instant, row)), self.row_top(row) + BAR_HEIGHT // 2 + 4

    def instant_at(self, x: int, row: int) -> datetime:
        """The instant at the middle of pixel column `x` of `row`."""
        return self.midnights[row] + timedelta(seconds=(x + 0.5 - self.bar_x0) / self.px_per_second)


def layout(view: IncidentView) -> StripLayout | None:
    """The picture's layout for this incident, or None when its calendar was not read (no picture)."""
    if view.window is None or view.status in NOT_READ_STATUSES:
        return None
    zone = view.zone
    first = view.window.start.astimezone(zone).date()
    last = (view.window.end - timedelta(microseconds=1)).astimezone(zone).date()
    days: list[date] = []
    day = first
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    # In UTC: subtracting or adding to datetimes that share a zone works in wall-clock
    # time, which would hide the DST hour.
    midnights = tuple(_midnight(d, zone) for d in days)
    lengths = [
        (_midnight(d + timedelta(days=1), zone) - m).total_seconds()
        for d, m in zip(days, midnights, strict=True)
    ]
    bar = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
    return StripLayout(tuple(days), midnights, tuple(lengths), bar / max(lengths))


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def layers(view: IncidentView, now: datetime) -> list[tuple[str, tuple[Span, ...]]]:
    """What the picture paints, in order, each layer over the ones before: the window
    closed, business hours busy, the free windows, the claimable slots, the claimed slot.
    So an instant shows the last layer that holds it (outside the window: none)."""
    return _layers(view, claimable_slots(view, now))


def _layers(view: IncidentView, claimable: tuple[SlotView, ...]) -> list[tuple[str, tuple[Span, ...]]]:
    if view.window is None:
        return []
    claimed = view.slot(view.claim.slot_id) if view.claim is not None else None
    return [
        (CLOSED, (view.window,)),
        (BUSY, view.open_windows),
        (FREE, view.free_windows),
        (SLOT, tuple(Span(s.start, s.end) for s in claimable)),
        (CLAIMED, (Span(claimed.start, claimed.end),) if claimed is not None else ()),
    ]


@cache
def _palette() -> Image.Image:
    """The picture's few colours, plus grey steps for anti-aliased text (a small PNG)."""
    colours = [BACKGROUND, INK, SUBTLE_INK, TRIGGER_COLOUR, DEADLINE_COLOUR, *COLOURS.values()]
    colours += [(v, v, v) for v in range(40, 255, 18)]
    flat = [channel for colour in colours for channel in colour]
    image = Image.new("P", (1, 1))
    image.putpalette(flat + flat[:3] * (256 - len(colours)))
    return image


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _hour_label(hour: int, style: TimeStyle) -> str:
    """ "06", "12", "18" (24-hour readers) or "6 AM" / "12 PM" (am/pm readers)."""
    label = style.time(datetime(2000, 1, 1, hour, tzinfo=UTC), ZoneInfo("UTC"))
    if ":" not in label:
        return label
    head, _, tail = label.partition(":")
    suffix = tail[2:].strip()  # what follows "MM": " AM", " p.m.", ""
    return f"{head} {suffix}".strip() if suffix else f"{int(head):02d}"


def render(view: IncidentView, now: datetime, style: TimeStyle = HOUSE_STYLE) -> Picture | None:
    """The PNG and its text alternative, or None when the incident has no window yet.

    `now` matters only through the slots still claimable, so the picture is drawn once per
    (view, claimable slots, style) and reused: the e-mails and cards of one notice share it,
    and a changed incident (another view) is drawn afresh."""
    return _render(view, claimable_slots(view, now), style)


@lru_cache(maxsize=PICTURE_CACHE_SIZE)
def _render(view: IncidentView, claimable: tuple[SlotView, ...], style: TimeStyle) -> Picture | None:
    grid = layout(view)
    if grid is None:
        return None
    image = Image.new("RGB", (grid.width, grid.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font, small = _font(FONT_SIZE), _font(SMALL_FONT_SIZE)
    zone = view.zone
    # Hour axis (elapsed hours from local midnight; each row's own ticks follow DST).
    for hour in (0, 6, 12, 18):
        x = grid.bar_x0 + hour * 3600 * grid.px_per_second
        text = _hour_label(hour, style)
        width = draw.textlength(text, font=small)
        left = x if hour == 0 else x - width / 2
        draw.text((left, 4), text, fill=SUBTLE_INK, font=small)
    painted = _layers(view, claimable)
    slot_starts = [s.start for s in painted[3][1]]
    for row, day in enumerate(grid.zone_days):
        top = grid.row_top(row) + 4
        label = style.day(grid.midnights[row], zone)
        draw.text((8, top + 3), label, fill=INK, font=font)
        day_start, day_end = (
            grid.midnights[row],
            grid.midnights[row] + timedelta(seconds=grid.day_seconds[row]),
        )
        for state, spans in [(OUTSIDE, (Span(day_start, day_end),)), *painted]:
            for span in spans:
                # pixel column x shows the instant at its middle, x + 0.5
                a = max(span.start, day_start)
                b = min(span.end, day_end)
                if a >= b:
                    continue
                x0 = math.ceil(grid.x_of(a, row) - 0.5)
                x1 = math.ceil(grid.x_of(b, row) - 0.5) - 1
                if x1 >= x0:
                    draw.rectangle([x0, top, x1, top + BAR_HEIGHT - 1], fill=COLOURS[state])
        for start in slot_starts:
            if grid.row_of(start) == row:
                x = round(grid.x_of(start, row))
                draw.rectangle([x, top, x + SLOT_GAP - 1, top + BAR_HEIGHT - 1], fill=BACKGROUND)
        for hour in range(0, 24, 3):  # ticks under the bar at this day's real local hours
            instant = datetime.combine(day, time(hour), zone)
            if grid.row_of(instant) != row:
                continue
            x = round(grid.x_of(instant, row))
            length = 6 if hour % 6 == 0 else 3
            draw.line([(x, top + BAR_HEIGHT + 1), (x, top + BAR_HEIGHT + length)], fill=SUBTLE_INK)
    markers = [(view.triggered_at, TRIGGER_COLOUR), (view.sla_deadline, DEADLINE_COLOUR)]
    for instant, colour in markers:
        if instant is None:
            continue
        row = grid.row_of(instant)
        if row is None:
            continue
        x = round(grid.x_of(instant, row))
        top = grid.row_top(row) + 4
        draw.rectangle([x - 1, top - 4, x + 1, top + BAR_HEIGHT + 3], fill=colour)
        draw.polygon([(x - 6, top - 6), (x + 6, top - 6), (x, top)], fill=colour)
    _legend(draw, grid, view, small)
    buffer = io.BytesIO()
    image.quantize(palette=_palette(), dither=Image.Dither.NONE).save(buffer, "PNG", compress_level=6)
    return Picture(buffer.getvalue(), alt_text(view, style=style), grid.width, grid.height)


def _legend(
    draw: ImageDraw.ImageDraw,
    grid: StripLayout,
    view: IncidentView,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    y = grid.height - LEGEND_HEIGHT + 10
    x = 8.0
    entries: list[tuple[str, tuple[int, int, int], bool]] = [
        (label, COLOURS[key], False)
        for key, label in texts.INCIDENT_PICTURE_LEGEND
        if key != (SLOT if view.claim is not None else CLAIMED)  # what this picture can show
    ]
    entries.append((texts.INCIDENT_PICTURE_TRIGGER, TRIGGER_COLOUR, True))
    if view.sla_deadline is not None:
        entries.append((texts.INCIDENT_PICTURE_DEADLINE, DEADLINE_COLOUR, True))
    for label, colour, is_marker in entries:
        if is_marker:
            draw.rectangle([x + 6, y - 2, x + 8, y + 18], fill=colour)
        else:
            draw.rectangle([x, y + 1, x + 14, y + 15], fill=colour)
        x += 20
        draw.text((x, y - 2), label, fill=INK, font=font)
        x += draw.textlength(label, font=font) + 16


def _spans_by_day(spans: list[Span], view: IncidentView, style: TimeStyle) -> str:
    days: list[tuple[str, list[str]]] = []
    for span in spans:
        day = style.day(span.start, view.zone)
        text = style.span(span.start, span.end, view.zone)
        if days and days[-1][0] == day:
            days[-1][1].append(text)
        else:
            days.append((day, [text]))
    return "; ".join(f"{day} {', '.join(items)}" for day, items in days)


def alt_text(view: IncidentView, style: TimeStyle = HOUSE_STYLE) -> str:
    """The picture in words: the window, the free time in business hours, the claim, the deadline."""
    if view.window is None:
        return ""
    free = (
        texts.INCIDENT_PICTURE_ALT_FREE.format(spans=_spans_by_day(list(view.free_windows), view, style))
        if view.free_windows
        else texts.INCIDENT_PICTURE_ALT_NONE
    )
    parts = [
        texts.INCIDENT_PICTURE_ALT.format(
            room=view.room_name,
            start=style.when(view.window.start, view.zone),
            end=style.when(view.window.end, view.zone),
            free=free,
        )
    ]
    if view.claim is not None:
        slot = view.slot(view.claim.slot_id)
        if slot is not None:
            parts.append(
                texts.INCIDENT_PICTURE_ALT_CLAIMED.format(
                    span=_spans_by_day([Span(slot.start, slot.end)], view, style)
                )
            )
    if view.sla_deadline is not None:
        parts.append(
            texts.INCIDENT_PICTURE_ALT_DEADLINE.format(deadline=style.when(view.sla_deadline, view.zone))
        )
    return " ".join(parts)
