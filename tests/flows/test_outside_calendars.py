"""Outside calendars through the whole product: each case in outside_calendars/ is a room
(its mailbox time zone), its location (zone, business hours), a trigger instant and events
in the shapes Graph serves, with the free windows and slots worked out by hand from DESIGN 3.5.
Every case gets its own location and room; the incidents go webhook -> emulator over HTTPS ->
GET /api/incidents/{id}. Cases marked held_out were checked only after the others agreed."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from emulator.certs import ensure_ca
from emulator.loader import upsert_room
from emulator.tokens import load_signing_key
from services.container import Services
from tests.flows.site import FINAL, Site, running_site
from tests.m365 import CONF4B, directory_document

CASES_DIR = Path(__file__).parent / "outside_calendars"
CASES: list[tuple[str, dict[str, Any]]] = [
    (path.stem, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(CASES_DIR.glob("*.json"))
]
TUNED = [(name, case) for name, case in CASES if not case["held_out"]]
HELD_OUT = [(name, case) for name, case in CASES if case["held_out"]]


def _ids(name: str) -> tuple[str, str, str, str]:
    """Location id, room id, room mailbox and incident id of one case."""
    short = name.split("_", 1)[0]
    return f"loc-{short}", f"room-{short}", f"{short}@contoso.com", f"OUT-{short}"


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("outside-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


def _prepare(cases: list[tuple[str, dict[str, Any]]]) -> Callable[[Services], Awaitable[None]]:
    async def prepare(services: Services) -> None:
        doc = directory_document()
        for name, case in cases:
            location_id, room_id, _, _ = _ids(name)
            location: dict[str, Any] = {"id": location_id, "name": case["name"][:60]}
            location.update(case["location"])  # timezone (maybe null), business_hours (maybe null/absent)
            doc["locations"].append(location)
            doc["rooms"].append({"id": room_id, "name": f"Room {name}", "location_id": location_id})
        await services.directory.import_document(doc)
        await services.integration.apply(
            {
                "client_id": "contoso",
                "locations": {_ids(n)[0]: _settings(c) for n, c in cases}
                | {"hq": {"scheduling": True, "sla_hours": 4}},
                "room_map": {_ids(n)[1]: _ids(n)[2] for n, _ in cases} | {"hq-4b": CONF4B},
            }
        )

    return prepare


def _settings(case: dict[str, Any]) -> dict[str, Any]:
    """The location's scheduling settings: the SLA step's values the case gives, else the defaults."""
    return {"scheduling": True, "sla_hours": 4, **case.get("settings", {})}


def _incident(incident_id: str, room_id: str, triggered_at: str) -> dict[str, Any]:
    return {
        "id": incident_id,
        "client_id": "contoso",
        "room_id": room_id,
        "triggered_at": triggered_at,
        "title": "Display offline",
        "severity": "high",
        "description": "outside calendar case",
    }


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _mismatches(name: str, case: dict[str, Any], body: dict[str, Any]) -> list[str]:
    expected = case["expected"]
    problems: list[str] = []
    windows = [[w["start"], w["end"]] for w in body["free_windows"]]
    if windows != expected["free_windows"]:
        problems.append(f"{name}: free_windows\n  got      {windows}\n  expected {expected['free_windows']}")
    settings = case.get("settings", {})
    slot_minutes, horizon_hours = settings.get("slot_minutes", 60), settings.get("horizon_hours", 48)
    starts = [s["start"] for s in body["slots"]]
    if starts != expected["slots"]:
        problems.append(f"{name}: slot starts\n  got      {starts}\n  expected {expected['slots']}")
    for slot in body["slots"]:
        if _instant(slot["end"]) - _instant(slot["start"]) != timedelta(minutes=slot_minutes):
            problems.append(f"{name}: slot {slot} is not {slot_minutes} elapsed minutes")
    trigger = _instant(case["triggered_at"])
    if _instant(body["window"]["start"]) != trigger or _instant(body["window"]["end"]) != trigger + timedelta(
        hours=horizon_hours
    ):
        problems.append(f"{name}: window {body['window']} is not [T, T+{horizon_hours}h)")
    offset = expected.get("timezone_offset")
    if offset is not None and not body["window"]["start"].endswith(offset):
        problems.append(f"{name}: window start {body['window']['start']} not at offset {offset}")
    want = "slots_found" if expected["slots"] else "no_slots"
    if body["status"] in ("slots_found", "no_slots") and body["status"] != want:
        problems.append(f"{name}: status {body['status']}, expected {want}")
    return problems


async def _run_all(database_url: str, ca_dir: Path, cases: list[tuple[str, dict[str, Any]]]) -> list[str]:
    async with running_site(database_url, ca_dir, prepare=_prepare(cases)) as site:
        return await _check(site, cases)


async def _check(site: Site, cases: list[tuple[str, dict[str, Any]]]) -> list[str]:
    for name, case in cases:
        _, _, mailbox, _ = _ids(name)
        room: dict[str, Any] = {"emailAddress": mailbox, "displayName": name, "events": case["events"]}
        if "mailbox_time_zone" in case:
            room["mailboxSettings"] = {"timeZone": case["mailbox_time_zone"]}
        upsert_room(site.emu.tenant, room)
    for name, case in cases:
        _, room_id, _, incident_id = _ids(name)
        assert await site.post_incident(_incident(incident_id, room_id, case["triggered_at"])) == 202
    problems: list[str] = []
    for name, case in cases:
        incident_id = _ids(name)[3]
        body = await site.wait_for(incident_id, lambda b: b["status"] in FINAL, timeout=60.0)
        problems.extend(_mismatches(name, case, body))
    return problems


def test_the_cases_are_many_and_varied() -> None:
    assert len(CASES) >= 25
    assert len(HELD_OUT) * 3 >= len(CASES) - 2
    assert len({_ids(name)[0] for name, _ in CASES}) == len(CASES)


async def test_tuned_outside_calendars(database_url: str, ca_dir: Path) -> None:
    problems = await _run_all(database_url, ca_dir, TUNED)
    assert not problems, "\n".join(problems)


async def test_held_out_outside_calendars(database_url: str, ca_dir: Path) -> None:
    problems = await _run_all(database_url, ca_dir, HELD_OUT)
    assert not problems, "\n".join(problems)
