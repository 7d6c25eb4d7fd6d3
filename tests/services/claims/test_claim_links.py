"""Claim tokens: round trip, URL shape, tampering, expiry at the slot start, key rotation."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.claims.claim_links import (
    ClaimSigner,
    ClaimToken,
    ClaimTokenExpired,
    ClaimTokenInvalid,
    make_claim_url,
    verify,
)
from tests.conftest import TEST_SECRET_KEY, make_settings

OLD_KEY = "old-secret-key-0123456789abcdef-rotated-away"
NEW_KEY = "new-secret-key-0123456789abcdef-freshly-made"
START = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
BEFORE = START - timedelta(hours=1)
CLAIM = ClaimToken("contoso", "INC-1001", "slot-01", "sam@acme.example", START)


def test_round_trip_binds_every_field() -> None:
    signer = ClaimSigner([TEST_SECRET_KEY])
    token = signer.sign(ClaimToken("contoso", "INC-1001", "slot-01", " Sam@Acme.example ", START))
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", token), "URL-safe without escaping"
    assert signer.verify(token, now=BEFORE) == CLAIM


def test_tokens_are_deterministic_and_distinct_per_slot_and_recipient() -> None:
    signer = ClaimSigner([TEST_SECRET_KEY])
    assert signer.sign(CLAIM) == signer.sign(CLAIM)
    others = {
        signer.sign(ClaimToken("contoso", "INC-1001", "slot-02", "sam@acme.example", START)),
        signer.sign(ClaimToken("contoso", "INC-1001", "slot-01", "dispatch@acme.example", START)),
        signer.sign(ClaimToken("contoso", "INC-1002", "slot-01", "sam@acme.example", START)),
        signer.sign(ClaimToken("fabrikam", "INC-1001", "slot-01", "sam@acme.example", START)),
    }
    assert signer.sign(CLAIM) not in others and len(others) == 4


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


def _forge(token: str, **changes: object) -> str:
    """Edit the payload and keep the old signature, as an attacker would."""
    version, payload, mac = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body.update(changes)
    raw = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{version}.{raw}.{mac}"


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda t: _forge(t, s="slot-02"), id="other slot"),
        pytest.param(lambda t: _forge(t, e="mallory@evil.example"), id="other recipient"),
        pytest.param(lambda t: _forge(t, x=4102444800), id="later expiry"),
        pytest.param(lambda t: _flip(t, len(t) - 3), id="signature bit"),
        pytest.param(lambda t: _flip(t, 6), id="payload bit"),
        pytest.param(lambda t: t[:-1], id="truncated"),
        pytest.param(lambda t: "v2" + t[2:], id="version"),
        pytest.param(lambda t: t.replace(".", "", 1), id="shape"),
        pytest.param(lambda t: t + "." + t, id="two tokens"),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: t.split(".")[0] + ".." + t.split(".")[2], id="no payload"),
        pytest.param(lambda t: t[: t.rindex(".") + 1] + "%%%%", id="bad base64"),
        pytest.param(lambda t: t + "A" * 3000, id="huge"),
    ],
)
def test_tampered_tokens_are_refused(tamper: object) -> None:
    signer = ClaimSigner([TEST_SECRET_KEY])
    token = tamper(signer.sign(CLAIM))  # type: ignore[operator]
    with pytest.raises(ClaimTokenInvalid):
        signer.verify(token, now=BEFORE)


def test_a_token_from_another_key_is_tampered_not_expired() -> None:
    token = ClaimSigner([OLD_KEY]).sign(CLAIM)
    with pytest.raises(ClaimTokenInvalid):
        ClaimSigner([NEW_KEY]).verify(token, now=START + timedelta(days=1))


def test_expires_at_the_slot_start() -> None:
    signer = ClaimSigner([TEST_SECRET_KEY])
    token = signer.sign(CLAIM)
    assert signer.verify(token, now=START - timedelta(seconds=1)) == CLAIM
    for moment in (START, START + timedelta(minutes=30)):
        with pytest.raises(ClaimTokenExpired):
            signer.verify(token, now=moment)


def test_key_rotation_accepts_older_keys_and_signs_with_the_newest() -> None:
    old_token = ClaimSigner([OLD_KEY]).sign(CLAIM)
    rotated = ClaimSigner([NEW_KEY, OLD_KEY])
    assert rotated.verify(old_token, now=BEFORE) == CLAIM
    new_token = rotated.sign(CLAIM)
    assert new_token != old_token
    assert ClaimSigner([NEW_KEY]).verify(new_token, now=BEFORE) == CLAIM
    with pytest.raises(ClaimTokenInvalid):
        ClaimSigner([OLD_KEY]).verify(new_token, now=BEFORE)


def test_claim_url_from_settings(tmp_path: Path) -> None:
    settings = make_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        PUBLIC_BASE_URL="https://pivot.example/",
        SECRET_KEY=f"{NEW_KEY},{OLD_KEY}",
    )
    url = make_claim_url(
        settings,
        client_id="contoso",
        incident_id="INC-1001",
        slot_id="slot-01",
        email="sam@acme.example",
        slot_start=START.astimezone(),
    )
    prefix = "https://pivot.example/claim/"
    assert url.startswith(prefix)
    assert verify(settings, url.removeprefix(prefix), now=BEFORE) == CLAIM


def test_the_token_format_is_pinned() -> None:
    """Links already in inboxes must keep verifying: the bytes of a token never change."""
    key = ["new-secret-key-0123456789abcdef-xx"]
    start = datetime(2026, 11, 24, 15, 0, 7, tzinfo=UTC)
    claim = ClaimToken("contoso", "INC-1", "slot-01", "Sam@Acme.example ", start)
    golden = (
        "v1.eyJjIjoiY29udG9zbyIsImUiOiJzYW1AYWNtZS5leGFtcGxlIiwiaSI6IklOQy0xIiwicyI6InNsb3QtMDEiLCJ4Ij"
        "oxNzk1NTMyNDA3fQ.m1Qq3nDYyKWIJiugQcZMlOVmevTeI3n6Uq6YB0MIUNY"
    )
    assert ClaimSigner(key).sign(claim) == golden
    assert ClaimSigner(key).verify(golden, now=start - timedelta(days=1)).email == "sam@acme.example"
