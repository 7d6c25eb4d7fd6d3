"""The 48-hour picture agrees with the API: every sampled pixel column shows what the
incident's stored window, free windows and slots say (outside / closed / busy / free /
slot / claimed), also across a DST change and for a fully booked and an empty
calendar; the PNG stays small and within Teams' width."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from services.domain import availability_picture as pic
from services.domain.incident_view import IncidentView
from services.domain.time_format import style_for
from tests.incident_views_support import ALWAYS_OPEN, api_json, busy, view_from_api

NY = ZoneInfo("America/New_York")
TUESDAY = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)  # 09:05 EST
EVENTS = [
    busy(datetime(2026, 11, 24, 15, 0, tzinfo=UTC), 2.5),
    busy(datetime(2026, 11, 25, 13, 0, tzinfo=UTC), 1),
    busy(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), 2.25),
]


def _in(instant: datetime, spans: list[dict[str, str]]) -> bool:
    return any(
        datetime.fromisoformat(s["start"]) <= instant < datetime.fromisoformat(s["end"]) for s in spans
    )


def expected(instant: datetime, data: dict[str, Any], view: IncidentView, claimed: int | None) -> str:
    """What the API says about `instant` (independent of the picture's own rule)."""
    if not _in(instant, [data["window"]]):
        return pic.OUTSIDE
    if claimed is not None and _in(instant, [data["slots"][claimed]]):
        return pic.CLAIMED
    if claimed is None and _in(instant, data["slots"]):
        return pic.SLOT
    if _in(instant, data["free_windows"]):
        return pic.FREE
    if any(w.start <= instant < w.end for w in view.open_windows):
        return pic.BUSY
    return pic.CLOSED


def nearest_state(rgb: tuple[int, int, int]) -> str:
    return min(pic.COLOURS, key=lambda k: sum((a - b) ** 2 for a, b in zip(pic.COLOURS[k], rgb, strict=True)))


def edges(view: IncidentView, data: dict[str, Any]) -> list[datetime]:
    """Instants where the colour may change or a marker sits (columns near them are not judged)."""
    out = [view.triggered_at, view.sla_deadline, view.window.start, view.window.end]
    for key in ("slots", "free_windows"):
        for span in data[key]:
            out += [datetime.fromisoformat(span["start"]), datetime.fromisoformat(span["end"])]
    for w in view.open_windows:
        out += [w.start, w.end]
    return [e for e in out if e is not None]


def check_columns(view: IncidentView, data: dict[str, Any], claimed: int | None = None) -> dict[str, int]:
    picture = pic.render(view, view.triggered_at)
    assert picture is not None
    image = Image.open(io.BytesIO(picture.png)).convert("RGB")
    grid = pic.layout(view)
    assert grid is not None
    near = edges(view, data)
    seen: dict[str, int] = {}
    for row in range(len(grid.zone_days)):
        y = grid.row_top(row) + 4 + pic.BAR_HEIGHT // 2
        for x in range(grid.bar_x0, grid.bar_x1, 2):
            instant = grid.instant_at(x, row)
            if instant.astimezone(view.zone).date() != grid.zone_days[row]:
                continue
            if any(grid.row_of(e) == row and abs(grid.x_of(e, row) - x) < 5 for e in near):
                continue
            want = expected(instant, data, view, claimed)
            got = nearest_state(image.getpixel((x, y)))
            assert got == want, (instant.astimezone(view.zone).isoformat(), x, row, got, want)
            seen[want] = seen.get(want, 0) + 1
    return seen


def test_columns_agree_with_the_api() -> None:
    data = api_json(TUESDAY, NY, EVENTS)
    seen = check_columns(view_from_api(TUESDAY, NY, data), data)
    assert {pic.OUTSIDE, pic.CLOSED, pic.BUSY, pic.FREE, pic.SLOT} <= set(seen)


def test_the_claimed_slot_is_marked_and_no_other_slot_is_offered() -> None:
    data = api_json(TUESDAY, NY, EVENTS)
    seen = check_columns(view_from_api(TUESDAY, NY, data, claim_index=2), data, claimed=2)
    assert seen[pic.CLAIMED] > 4 and pic.SLOT not in seen


def test_across_a_dst_change() -> None:
    # Sun 1 Nov 2026 00:00 EDT: that day has 25 hours, the clocks go back at 02:00.
    trigger = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    events = [busy(datetime(2026, 11, 2, 15, 0, tzinfo=UTC), 1.5)]  # Mon 10:00-11:30 EST
    data = api_json(trigger, NY, events)
    view = view_from_api(trigger, NY, data)
    seen = check_columns(view, data)
    assert {pic.CLOSED, pic.BUSY, pic.SLOT} <= set(seen)
    grid = pic.layout(view)
    assert grid is not None and [d.day for d in grid.zone_days] == [1, 2]
    # The 25-hour Sunday fills the whole bar; the Monday is an hour (1/25) shorter.
    assert grid.x_of(datetime(2026, 11, 2, 5, 0, tzinfo=UTC), 0) == pytest.approx(grid.bar_x1, abs=1)
    assert grid.x_of(datetime(2026, 11, 3, 5, 0, tzinfo=UTC), 1) == pytest.approx(
        grid.bar_x0 + (grid.bar_x1 - grid.bar_x0) * 24 / 25, abs=1
    )
    # Monday 08:00 EST sits 8/25 of the bar in, like the wall clock says.
    x, _ = grid.point(datetime(2026, 11, 2, 13, 0, tzinfo=UTC)) or (0, 0)
    assert x == pytest.approx(grid.bar_x0 + (grid.bar_x1 - grid.bar_x0) * 8 / 25, abs=1)


def test_fully_booked_calendar_shows_no_free_time() -> None:
    data = api_json(TUESDAY, NY, [busy(TUESDAY - timedelta(days=1), 96)])
    assert data["slots"] == [] and data["free_windows"] == []
    view = view_from_api(TUESDAY, NY, data)
    seen = check_columns(view, data)
    assert pic.BUSY in seen and pic.FREE not in seen and pic.SLOT not in seen
    picture = pic.render(view, TUESDAY)
    assert picture is not None and "No free time in business hours." in picture.alt_text


def test_empty_calendar_is_free_all_business_hours() -> None:
    data = api_json(TUESDAY, NY, [])
    seen = check_columns(view_from_api(TUESDAY, NY, data), data)
    assert pic.BUSY not in seen and seen[pic.SLOT] > 100


def test_size_and_width_limits_and_a_text_alternative() -> None:
    for hours in (None, ALWAYS_OPEN):
        data = api_json(TUESDAY, NY, EVENTS, hours)
        view = view_from_api(TUESDAY, NY, data, hours=hours)
        picture = pic.render(view, TUESDAY)
        assert picture is not None
        image = Image.open(io.BytesIO(picture.png))
        assert image.format == "PNG" and image.size == (picture.width, picture.height)
        assert picture.width <= pic.MAX_WIDTH
        assert len(picture.png) < 8 * 1024, len(picture.png)
    assert picture.alt_text.startswith(
        "Availability of Conference Room 4B, Tue 24 Nov 09:05 EST to Thu 26 Nov"
    )
    assert "Respond by Tue 24 Nov 13:05 EST." in picture.alt_text


def test_am_pm_readers_get_am_pm_in_the_text_alternative() -> None:
    data = api_json(TUESDAY, NY, EVENTS)
    picture = pic.render(view_from_api(TUESDAY, NY, data), TUESDAY, style_for("en-US"))
    assert picture is not None
    assert "Tue, Nov 24 9:05 AM EST" in picture.alt_text
    assert "12:30 PM–5:00 PM" in picture.alt_text


def test_no_window_no_picture() -> None:
    data = api_json(TUESDAY, NY, EVENTS)
    view = view_from_api(TUESDAY, NY, data)
    bare = IncidentView(**{**view.__dict__, "window": None})
    assert pic.render(bare, TUESDAY) is None
    unread = IncidentView(**{**view.__dict__, "status": "calendar_unavailable"})
    assert pic.render(unread, TUESDAY) is None  # never a guessed picture


def test_the_picture_is_drawn_once_per_view_and_afresh_when_the_incident_changes() -> None:
    data = api_json(TUESDAY, NY, EVENTS)
    view = view_from_api(TUESDAY, NY, data)
    first = pic.render(view, TUESDAY)
    assert pic.render(view_from_api(TUESDAY, NY, data), TUESDAY) is first  # an equal view: reused
    claimed = view_from_api(TUESDAY, NY, data, claim_index=2)
    after_claim = pic.render(claimed, TUESDAY)
    assert after_claim is not None and first is not None and after_claim.png != first.png
    # Only what `now` changes is the slots still claimable: a slot that started is drawn anew.
    later = datetime.fromisoformat(data["slots"][0]["start"]) + timedelta(minutes=1)
    assert pic.render(view, later) is not first
    assert pic.render(view, TUESDAY + timedelta(seconds=1)) is first
