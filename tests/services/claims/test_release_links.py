"""Release links: signed for one claim and one recipient, expiring at the slot's start,
never interchangeable with claim links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.claims.claim_links import ClaimSigner, ClaimToken, ClaimTokenExpired, ClaimTokenInvalid
from services.claims.release_links import ReleaseSigner, ReleaseToken, make_release_url
from tests.conftest import TEST_SECRET_KEY, make_settings

START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
OTHER_KEY = "another-secret-key-0123456789abcdef-rotated"


def token(signer: ReleaseSigner) -> str:
    return signer.sign(ReleaseToken("contoso", "INC-1", "c0ffee", "Sam@Acme.example", START))


def test_round_trip_and_expiry() -> None:
    signer = ReleaseSigner([TEST_SECRET_KEY])
    found = signer.verify(token(signer), now=START - timedelta(minutes=1))
    assert found == ReleaseToken("contoso", "INC-1", "c0ffee", "sam@acme.example", START)
    with pytest.raises(ClaimTokenExpired):
        signer.verify(token(signer), now=START)


def test_altered_or_foreign_tokens_are_invalid() -> None:
    signer = ReleaseSigner([TEST_SECRET_KEY])
    good = token(signer)
    head, payload, mac = good.split(".")
    for bad in (f"{head}.{payload}x.{mac}", f"{head}.{payload}.{mac[:-2]}AA", "r1.e30.AAAA", "", "x" * 5000):
        with pytest.raises(ClaimTokenInvalid):
            signer.verify(bad, now=START - timedelta(days=1))
    with pytest.raises(ClaimTokenInvalid):
        ReleaseSigner([OTHER_KEY]).verify(good, now=START - timedelta(days=1))


def test_claim_and_release_tokens_are_not_interchangeable() -> None:
    claim = ClaimSigner([TEST_SECRET_KEY]).sign(
        ClaimToken("contoso", "INC-1", "s1", "sam@acme.example", START)
    )
    with pytest.raises(ClaimTokenInvalid):
        ReleaseSigner([TEST_SECRET_KEY]).verify(claim, now=START - timedelta(days=1))
    release = token(ReleaseSigner([TEST_SECRET_KEY]))
    with pytest.raises(ClaimTokenInvalid):
        ClaimSigner([TEST_SECRET_KEY]).verify(release, now=START - timedelta(days=1))


def test_rotated_keys_keep_old_links_working() -> None:
    old = token(ReleaseSigner([TEST_SECRET_KEY]))
    assert ReleaseSigner([OTHER_KEY, TEST_SECRET_KEY]).verify(old, now=START - timedelta(days=1))


def test_url() -> None:
    settings = make_settings("sqlite+aiosqlite:///:memory:", PUBLIC_BASE_URL="https://pivot.example/")
    url = make_release_url(
        settings,
        client_id="contoso",
        incident_id="INC-1",
        claim_id="c0ffee",
        email="a@b.example",
        slot_start=START,
    )
    assert url.startswith("https://pivot.example/release/r1.")
    found = ReleaseSigner.from_settings(settings).verify(
        url.rsplit("/", 1)[1], now=START - timedelta(hours=1)
    )
    assert found.claim_id == "c0ffee"


def test_the_token_format_is_pinned() -> None:
    """Links already in inboxes must keep verifying: the bytes of a token never change."""
    key = ["new-secret-key-0123456789abcdef-xx"]
    start = datetime(2026, 11, 24, 15, 0, 7, tzinfo=UTC)
    release = ReleaseToken("contoso", "INC-1", "k-9", "Sam@Acme.example ", start)
    golden = (
        "r1.eyJjIjoiY29udG9zbyIsImUiOiJzYW1AYWNtZS5leGFtcGxlIiwiaSI6IklOQy0xIiwiayI6ImstOSIsIngiOjE3OT"
        "U1MzI0MDd9.b7gs96vxZsnYUB5P7YkviW6yPBGXMNxBwrBuIPa_0pk"
    )
    assert ReleaseSigner(key).sign(release) == golden
    assert ReleaseSigner(key).verify(golden, now=start - timedelta(days=1)).claim_id == "k-9"
