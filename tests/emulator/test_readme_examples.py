"""The tenant-file example of emulator/README.md loads and serves each shape it shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emulator.calendar_view import calendar_view
from emulator.loader import load_tenant
from emulator.timezones import parse_query_instant

README = Path(__file__).resolve().parents[2] / "emulator" / "README.md"


def readme_tenant() -> dict[str, Any]:
    text = README.read_text(encoding="utf-8")
    block = text[text.index('{"rooms": [{') :]
    raw = json.loads(block[: block.index("```")])
    raw.update(tenant_id="7c3e8a52-2f4d-4b7e-9a61-5d0c8e2b4f10", domain="contoso.com")
    return raw


def test_the_readme_example_loads_with_every_shape() -> None:
    tenant = load_tenant(readme_tenant())
    room = tenant.find("odd@contoso.com")
    assert room is not None and room.time_zone == "Contoso Custom Time"
    calendar = tenant.calendars[room.default_calendar_id]
    assert len(calendar.events) == 13
    found = calendar_view(
        tenant,
        calendar,
        parse_query_instant("2026-10-01T00:00:00Z"),
        parse_query_instant("2028-03-31T00:00:00Z"),
    )
    kinds = {(i.event.subject, i.kind) for i in found}
    assert ("Moved review", "exception") in kinds and ("Weekly review", "occurrence") in kinds
    assert {i.event.subject for i in found} >= {
        "Same instant, two zones",
        "One hour, two zones",
        "Zero length",
        "Ends before it starts",
        "Zero-length all-day",
        "Three-day all-day",
        "Null flags",
        "Flags left out",
        "Month end",
        "Last Friday",
        "Leap day",
        "Thanksgiving",
    }
    leap = [i.start.date().isoformat() for i in found if i.event.subject == "Leap day"]
    assert leap == ["2027-02-28", "2028-02-29"]
