"""Rooms per second of the availability engine, next to the minute-by-minute reference.

The target is 20,000 rooms/second on one core at 50 events per room. Times
are CPU time of this (single-threaded) process, so other load on the machine
skews them less than wall time would.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.domain.availability import CalendarEvent, Policy, compute
from tests.services.availability_reference import reference_for_policy

EVENT_COUNTS = (10, 50, 500)
TARGET_ROOMS_PER_SECOND = 20_000
TARGET_EVENTS_PER_ROOM = 50
ROOMS_PER_CASE = 256
ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "UTC",
)
SHOW_AS = ("busy", "busy", "busy", "tentative", "free", "oof", None)

Room = tuple[datetime, ZoneInfo, tuple[CalendarEvent, ...]]


def make_rooms(events_per_room: int, count: int, seed: int) -> list[Room]:
    """Rooms with realistic calendars spread over the calendarView read range."""
    rng = random.Random(seed)
    year_start = datetime(2026, 1, 1, tzinfo=UTC)
    rooms: list[Room] = []
    for _ in range(count):
        trigger = year_start + timedelta(minutes=rng.randrange(365 * 24 * 60))
        zone = ZoneInfo(rng.choice(ZONES))
        first = trigger.replace(minute=0) - timedelta(days=1)
        events = []
        for _ in range(events_per_room):
            start = first + timedelta(minutes=15 * rng.randrange(4 * 24 * 4))
            end = start + timedelta(minutes=rng.choice((15, 30, 30, 45, 60, 60, 90, 120)))
            all_day = rng.random() < 0.02
            day = date(start.year, start.month, start.day)
            events.append(
                CalendarEvent(
                    start=start,
                    end=end,
                    show_as=rng.choice(SHOW_AS),
                    is_cancelled=rng.random() < 0.05,
                    is_all_day=all_day,
                    all_day_start_date=day if all_day else None,
                    all_day_end_date=day + timedelta(days=1) if all_day else None,
                )
            )
        rooms.append((trigger, zone, tuple(events)))
    return rooms


def rooms_per_second(work: Callable[[Room], object], rooms: Sequence[Room], seconds: float) -> float:
    """How many rooms `work` handles per CPU second, looping over `rooms` for `seconds`."""
    done = 0
    started = time.process_time()
    deadline = started + seconds
    while True:
        for room in rooms:
            work(room)
            done += 1
            if done % 32 == 0 and time.process_time() >= deadline:
                return done / (time.process_time() - started)
        now = time.process_time()
        if now >= deadline:
            return done / (now - started)


def run(seconds_per_case: float = 1.0) -> list[dict[str, object]]:
    """One row per events-per-room case: engine and reference rates and their ratio."""
    policy = Policy()

    def engine(room: Room) -> object:
        return compute(room[0], room[1], room[2], policy)

    def reference(room: Room) -> object:
        return reference_for_policy(room[0], room[1], room[2], policy)

    rows: list[dict[str, object]] = []
    for events_per_room in EVENT_COUNTS:
        rooms = make_rooms(events_per_room, ROOMS_PER_CASE, seed=events_per_room)
        engine_rate = rooms_per_second(engine, rooms, seconds_per_case)
        reference_rate = rooms_per_second(reference, rooms, seconds_per_case)
        rows.append(
            {
                "events_per_room": events_per_room,
                "engine_rooms_per_second": round(engine_rate),
                "reference_rooms_per_second": round(reference_rate, 1),
                "ratio": round(engine_rate / reference_rate, 1),
                "agrees_with_reference": all(_agrees(room, policy) for room in rooms[:3]),
                "meets_target": (
                    engine_rate >= TARGET_ROOMS_PER_SECOND
                    if events_per_room == TARGET_EVENTS_PER_ROOM
                    else None
                ),
            }
        )
    return rows


def _agrees(room: Room, policy: Policy) -> bool:
    """Spot check: the engine gives the reference's windows and slots."""
    result = compute(room[0], room[1], room[2], policy)
    windows, slots = reference_for_policy(room[0], room[1], room[2], policy)
    return [(w.start, w.end) for w in result.free_windows] == windows and [
        (s.start, s.end) for s in result.slots
    ] == slots


def main() -> None:
    """Print the rows as a small table."""
    rows = run()
    header = f"{'events/room':>11}  {'engine rooms/s':>14}  {'reference rooms/s':>17}  "
    print(header + f"{'ratio':>8}  agrees  target")
    for row in rows:
        target = {True: "met", False: "MISSED", None: ""}[row["meets_target"]]  # type: ignore[index]
        print(
            f"{row['events_per_room']:>11}  {row['engine_rooms_per_second']:>14,}  "
            f"{row['reference_rooms_per_second']:>17,}  {row['ratio']:>7,}x  "
            f"{'yes' if row['agrees_with_reference'] else 'NO':>6}  {target}"
        )
    print(f"target: >= {TARGET_ROOMS_PER_SECOND:,} rooms/s at {TARGET_EVENTS_PER_ROOM} events/room")


if __name__ == "__main__":
    main()
