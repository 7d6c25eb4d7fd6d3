"""The one input policy for text fields (services.text_policy), through the schemas that use it."""

from __future__ import annotations

from typing import Any

import pytest

from services.directory.schema import parse_directory
from services.domain.text_policy import check_text
from services.incidents.schema import parse_incident
from tests.samples import directory
from tests.webhooks import incident


@pytest.mark.parametrize(
    ("value", "multiline", "ok"),
    [
        ("Display offline", False, True),
        ("Ünïcødé ✓ 会议室 🚀", False, True),
        ("high\r\nBcc: x", False, False),
        ("a\tb", False, False),
        ("line\u2028sep", False, False),
        ("a\x00b", True, False),
        ("bell\x07", True, False),
        ("esc\x1b[31m", True, False),
        ("two\nlines\r\nand\ttab", True, True),
        ("lone\rcr", True, False),
        ("\ud800", True, False),
        ("del\x7f", True, False),
    ],
)
def test_check_text(value: str, multiline: bool, ok: bool) -> None:
    if ok:
        assert check_text(value, multiline=multiline) == value
    else:
        with pytest.raises(ValueError, match="must"):
            check_text(value, multiline=multiline)


@pytest.mark.parametrize("field", ["id", "client_id", "room_id", "title", "severity"])
@pytest.mark.parametrize("bad", ["x\r\ny", "x\x00y", "x\x1by", "x\u2029y"])
def test_incident_single_line_fields_refuse_breaks_and_control_characters(field: str, bad: str) -> None:
    parsed, problems = parse_incident(incident(**{field: bad}))
    assert parsed is None
    assert [p.field for p in problems] == [field]


def test_incident_description_is_free_text_but_never_nul() -> None:
    parsed, problems = parse_incident(incident(description="Line one\nLine two\r\n\tindented"))
    assert parsed is not None and problems == []
    parsed, problems = parse_incident(incident(description="bad \x00 byte"))
    assert parsed is None and [p.field for p in problems] == ["description"]


def test_far_away_instants_are_refused_not_overflowing() -> None:
    for when in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1900-01-01T00:00:00Z"):
        parsed, problems = parse_incident(incident(triggered_at=when))
        assert parsed is None and [p.field for p in problems] == ["triggered_at"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["client"].update(name="Contoso\r\nLtd"), "client.name"),
        (lambda d: d["rooms"][0].update(name="Room\x00"), "rooms[0].name"),
        (lambda d: d["users"][0].update(email="ada\x01@contoso.example"), "users[0].email"),
        (lambda d: d["locations"][0]["business_hours"].update(mon=["08:\x0700", "17:00"]), "locations[0]"),
        (lambda d: d["service_providers"][0].update(location_ids=["hq\n\x07"]), "service_providers[0]"),
    ],
)
def test_directory_strings_are_single_lines(mutate: Any, field: str) -> None:
    doc = directory()
    mutate(doc)
    parsed, problems = parse_directory(doc)
    assert parsed is None
    assert problems and all(p.field.startswith(field) for p in problems)
