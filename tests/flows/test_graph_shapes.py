"""Calendars in every shape Graph returns, run through the whole product: webhook ->
emulator -> GET /api/incidents/{id}, checked against DESIGN 3.5's treatment of each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator.certs import ensure_ca
from emulator.loader import upsert_room
from emulator.tokens import load_signing_key
from services.container import Services
from tests.flows.site import FINAL, Site, running_site
from tests.m365 import CONF4B, directory_document
from tests.webhooks import incident

# Tue 24 Nov 2026 08:05 in New York; the window runs to Thu 26 08:05 (Mon-Fri 08:00-17:00).
TRIGGER = "2026-11-24T13:05:00Z"
EST, PST = "Eastern Standard Time", "Pacific Standard Time"


def _at(value: str, zone: str = EST) -> dict[str, str]:
    return {"dateTime": value, "timeZone": zone}


def _event(subject: str, start: dict[str, str], end: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"subject": subject, "start": start, "end": end, "showAs": "busy", **extra}


def _series(
    subject: str, start: str, end: str, pattern: dict[str, Any], range_start: str, **extra: Any
) -> dict:
    return _event(
        subject,
        _at(start),
        _at(end),
        recurrence={
            "pattern": {"interval": 1, **pattern},
            "range": {"type": "noEnd", "startDate": range_start},
        },
        **extra,
    )


def odd_calendar() -> list[dict[str, Any]]:
    """Every shape of issue 13 in conf4b's calendar, at times that do not touch."""
    return [
        # Tuesday 24
        _series(  # the fourth Tuesday, set up in EDT: 09:00 local after the change too
            "Monthly ops", "2026-09-22T09:00:00", "2026-09-22T09:30:00",
            {"type": "relativeMonthly", "daysOfWeek": ["tuesday"], "index": "fourth"}, "2026-09-22",
        ),
        _event("Cross-zone hour", _at("2026-11-24T10:00:00"), _at("2026-11-24T08:00:00", PST)),  # 10-11
        _event("Zero length", _at("2026-11-24T11:30:00"), _at("2026-11-24T11:30:00")),
        _event("Backwards", _at("2026-11-24T11:45:00"), _at("2026-11-24T11:15:00")),
        _series(  # weekly, cancelled today: the slot is free
            "Weekly review", "2026-10-06T12:00:00", "2026-10-06T13:00:00",
            {"type": "weekly", "daysOfWeek": ["tuesday"]}, "2026-10-06",
            exceptions=[{"originalStart": "2026-11-24T12:00:00", "cancelled": True}],
        ),
        _event("Cross-zone zero", _at("2026-11-24T14:00:00"), _at("2026-11-24T11:00:00", PST)),
        _event("Null showAs", _at("2026-11-24T15:00:00"), _at("2026-11-24T15:30:00"), showAs=None),
        {"subject": "No showAs", "start": _at("2026-11-24T16:30:00"), "end": _at("2026-11-24T17:00:00")},
        {"subject": "Zero all-day", "isAllDay": True, "showAs": "busy",
         "start": _at("2026-11-24T00:00:00", "Tokyo Standard Time"),
         "end": _at("2026-11-24T00:00:00", "Tokyo Standard Time")},
        # Wednesday 25
        _series(  # the 25th, set up in EDT; today's moved to 15:00
            "Month report", "2026-08-25T13:00:00", "2026-08-25T14:00:00",
            {"type": "absoluteMonthly", "dayOfMonth": 25}, "2026-08-25",
            exceptions=[{"originalStart": "2026-11-25T13:00:00", "start": _at("2026-11-25T15:00:00"),
                         "end": _at("2026-11-25T16:00:00"), "subject": "Month report (moved)"}],
        ),
        _series(  # yearly on 25 November, cancelled this year
            "Anniversary", "2025-11-25T09:00:00", "2025-11-25T10:00:00",
            {"type": "absoluteYearly", "month": 11, "dayOfMonth": 25}, "2025-11-25",
            exceptions=[{"originalStart": "2026-11-25T09:00:00", "cancelled": True}],
        ),
        _series(  # the fourth Wednesday of November
            "Thanksgiving lunch", "2025-11-26T11:00:00", "2025-11-26T12:00:00",
            {"type": "relativeYearly", "month": 11, "daysOfWeek": ["wednesday"], "index": "fourth"},
            "2025-11-01",
        ),
    ]  # fmt: skip


EXPECTED_WINDOWS = [
    ("2026-11-24T08:05:00-05:00", "2026-11-24T09:00:00-05:00"),
    ("2026-11-24T09:30:00-05:00", "2026-11-24T10:00:00-05:00"),
    ("2026-11-24T11:00:00-05:00", "2026-11-24T15:00:00-05:00"),
    ("2026-11-24T15:30:00-05:00", "2026-11-24T16:30:00-05:00"),
    ("2026-11-25T08:00:00-05:00", "2026-11-25T11:00:00-05:00"),
    ("2026-11-25T12:00:00-05:00", "2026-11-25T15:00:00-05:00"),
    ("2026-11-25T16:00:00-05:00", "2026-11-25T17:00:00-05:00"),
]


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("shapes-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


def _windows(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(w["start"], w["end"]) for w in body["free_windows"]]


async def _run(site: Site, room: dict[str, Any]) -> dict[str, Any]:
    upsert_room(site.emu.tenant, {"emailAddress": CONF4B, **room})
    assert await site.post_incident(incident(triggered_at=TRIGGER)) == 202
    return await site.wait_for("INC-1001", lambda b: b["status"] in FINAL)


async def test_every_shape_with_an_unknown_mailbox_zone_uses_the_location_zone(
    database_url: str, ca_dir: Path
) -> None:
    async with running_site(database_url, ca_dir) as site:
        body = await _run(
            site,
            {
                "mailboxSettings": {
                    "timeZone": "Contoso Custom Time",
                    "workingHours": {"timeZone": {"name": "Contoso"}},
                },
                "events": odd_calendar(),
            },
        )
    assert body["timezone"] in ("America/New_York", "US/Eastern")
    assert _windows(body) == EXPECTED_WINDOWS
    assert [s["start"][:16] for s in body["slots"]] == [
        *(f"2026-11-24T{t}" for t in ("11:00", "12:00", "13:00", "14:00", "15:30")),
        *(f"2026-11-25T{t}" for t in ("08:00", "09:00", "10:00", "12:00", "13:00", "14:00", "16:00")),
    ]


async def test_all_day_events_labelled_in_far_zones_block_local_days(database_url: str, ca_dir: Path) -> None:
    far = [
        {"subject": "Closed (Tokyo label)", "isAllDay": True, "showAs": "busy",
         "start": _at("2026-11-25T00:00:00", "Tokyo Standard Time"),
         "end": _at("2026-11-26T00:00:00", "Tokyo Standard Time")},
        {"subject": "Backwards all-day", "isAllDay": True, "showAs": "busy",
         "start": _at("2026-11-24T00:00:00", "Hawaiian Standard Time"),
         "end": _at("2026-11-23T00:00:00", "Hawaiian Standard Time")},
    ]  # fmt: skip
    async with running_site(database_url, ca_dir) as site:
        body = await _run(site, {"mailboxSettings": {"timeZone": EST}, "events": far})
    assert _windows(body) == [("2026-11-24T08:05:00-05:00", "2026-11-24T17:00:00-05:00")]


async def test_no_known_zone_anywhere_falls_back_to_utc(database_url: str, ca_dir: Path) -> None:
    async def no_location_zone(services: Services) -> None:
        doc = directory_document()
        for location in doc["locations"]:
            location["timezone"] = None
        await services.directory.import_document(doc)
        await services.integration.apply(
            {
                "client_id": "contoso",
                "locations": {"hq": {"scheduling": True, "sla_hours": 4}},
                "room_map": {"hq-4b": CONF4B},
            }
        )

    async with running_site(database_url, ca_dir, prepare=no_location_zone) as site:
        body = await _run(site, {"mailboxSettings": {"timeZone": "Eastern Standrad Time"}, "events": []})
    assert body["timezone"] == "UTC"
    assert _windows(body)[0] == ("2026-11-24T13:05:00+00:00", "2026-11-24T17:00:00+00:00")
