"""Who is notified, per preference matrix (table-driven), and the invariants that hold
for any directory (hypothesis): nobody twice, opted-out users never, claim links only
for service-provider routes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.recipients import (
    CLAIMING_ROLES,
    EMAIL,
    TEAMS,
    ClientContact,
    Person,
    Preferences,
    Provider,
    Recipient,
    assigned_providers,
    effective_preferences,
    recipients,
)

CLIENT = ClientContact("contoso", "Contoso Ltd", "facilities@contoso.example")
ACME = Provider("acme-av", "Acme AV", "dispatch@acme.example", ("hq", "ldn"))
BOLT = Provider("bolt", "Bolt Repairs", "jobs@bolt.example", ("hq",))
ADA = Person(
    "u-ada", "Ada Admin", "Ada@Contoso.example", "client_admin", None, {"email": True, "teams": True}
)
BO = Person("u-bo", "Bo User", "bo@contoso.example", "client_user", None, {"email": True, "teams": False})
SAM = Person(
    "u-sam", "Sam Provider", "sam@acme.example", "service_provider", "acme-av", {"email": True, "teams": True}
)
SUE = Person(
    "u-sue", "Sue Sub", "sue@sub.example", "subcontractor", "acme-av", {"email": False, "teams": True}
)
BEN = Person(
    "u-ben", "Ben Bolt", "ben@bolt.example", "service_provider", "bolt", {"email": True, "teams": True}
)
USERS = (ADA, BO, SAM, SUE, BEN)


def routes(found: list[Recipient]) -> set[tuple[str, str, str]]:
    return {(r.channel, r.recipient, r.role) for r in found}


def run(**overrides: Any) -> list[Recipient]:
    values: dict[str, Any] = {
        "client": CLIENT,
        "location_id": "ldn",
        "event": "new_incident",
        "users": USERS,
        "providers": (ACME, BOLT),
    }
    values.update(overrides)
    return recipients(**values)


BASE = {
    (EMAIL, "ada@contoso.example", "client_admin"),
    (TEAMS, "user:contoso/u-ada", "client_admin"),
    (EMAIL, "bo@contoso.example", "client_user"),
    (EMAIL, "sam@acme.example", "service_provider"),
    (TEAMS, "user:contoso/u-sam", "service_provider"),
    (TEAMS, "user:contoso/u-sue", "subcontractor"),
    (EMAIL, "facilities@contoso.example", "client"),
    (EMAIL, "dispatch@acme.example", "provider"),
}


@pytest.mark.parametrize(
    ("case", "overrides", "added", "removed"),
    [
        ("directory notify only", {}, set(), set()),
        (
            "stored preferences override the directory",
            {"preferences": {"u-bo": Preferences(email=False, teams=True)}},
            {(TEAMS, "user:contoso/u-bo", "client_user")},
            {(EMAIL, "bo@contoso.example", "client_user")},
        ),
        (
            "event switched off removes every channel of that user",
            {"preferences": {"u-ada": Preferences(True, True, {"new_incident": False})}},
            set(),
            {(EMAIL, "ada@contoso.example", "client_admin"), (TEAMS, "user:contoso/u-ada", "client_admin")},
        ),
        (
            "slots_update follows the new_incident switch",
            {
                "event": "slots_update",
                "preferences": {"u-ada": Preferences(True, True, {"new_incident": False})},
            },
            set(),
            {(EMAIL, "ada@contoso.example", "client_admin"), (TEAMS, "user:contoso/u-ada", "client_admin")},
        ),
        (
            "other switches leave new incidents alone",
            {
                "preferences": {
                    "u-ada": Preferences(True, True, {"slot_claimed": False, "slot_released": False})
                }
            },
            set(),
            set(),
        ),
        (
            "slot_claimed switched off",
            {
                "event": "slot_claimed",
                "preferences": {"u-sam": Preferences(True, True, {"slot_claimed": False})},
            },
            set(),
            {
                (EMAIL, "sam@acme.example", "service_provider"),
                (TEAMS, "user:contoso/u-sam", "service_provider"),
            },
        ),
        (
            "both channels off",
            {"preferences": {"u-sam": Preferences(False, False)}},
            set(),
            {
                (EMAIL, "sam@acme.example", "service_provider"),
                (TEAMS, "user:contoso/u-sam", "service_provider"),
            },
        ),
        (
            "location served by two providers in the directory",
            {"location_id": "hq"},
            {
                (EMAIL, "jobs@bolt.example", "provider"),
                (EMAIL, "ben@bolt.example", "service_provider"),
                (TEAMS, "user:contoso/u-ben", "service_provider"),
            },
            set(),
        ),
        (
            "setup's assigned provider wins over the directory's list",
            {"location_id": "hq", "assigned_provider_id": "bolt"},
            {
                (EMAIL, "jobs@bolt.example", "provider"),
                (EMAIL, "ben@bolt.example", "service_provider"),
                (TEAMS, "user:contoso/u-ben", "service_provider"),
            },
            {
                (EMAIL, "dispatch@acme.example", "provider"),
                (EMAIL, "sam@acme.example", "service_provider"),
                (TEAMS, "user:contoso/u-sam", "service_provider"),
                (TEAMS, "user:contoso/u-sue", "subcontractor"),
            },
        ),
        (
            "an assigned provider no longer in the directory falls back to the directory",
            {"assigned_provider_id": "gone"},
            set(),
            set(),
        ),
        (
            "no provider for the location: only the client side",
            {"location_id": "paris"},
            set(),
            {
                (EMAIL, "dispatch@acme.example", "provider"),
                (EMAIL, "sam@acme.example", "service_provider"),
                (TEAMS, "user:contoso/u-sam", "service_provider"),
                (TEAMS, "user:contoso/u-sue", "subcontractor"),
            },
        ),
        (
            "no client notify address",
            {"client": ClientContact("contoso", "Contoso Ltd", None)},
            set(),
            {(EMAIL, "facilities@contoso.example", "client")},
        ),
        (
            "a Teams channel for the location",
            {"teams_channel": "19:abc@thread.tacv2"},
            {(TEAMS, "channel:19:abc@thread.tacv2", "channel")},
            set(),
        ),
    ],
)
def test_preference_matrix(case: str, overrides: dict[str, Any], added: set[Any], removed: set[Any]) -> None:
    assert routes(run(**overrides)) == (BASE | added) - removed, case


def test_same_address_by_two_routes_is_sent_once() -> None:
    twin = Person("u-fac", "Facilities Desk", "FACILITIES@contoso.example ", "client_user", None, {})
    again = Person("u-ada2", "Ada Again", "ada@contoso.example", "client_user", None, {})
    found = run(users=(ADA, twin, again))
    emails = [r.recipient for r in found if r.channel == EMAIL]
    assert sorted(emails) == sorted(set(emails))
    # a person beats the shared mailbox, so the user id is kept
    (facilities,) = [r for r in found if r.recipient == "facilities@contoso.example"]
    assert (facilities.role, facilities.recipient_user_id) == ("client_user", "u-fac")
    # and the first-ranked of two users with one address wins
    (ada,) = [r for r in found if r.recipient == "ada@contoso.example"]
    assert ada.recipient_user_id == "u-ada"


def test_a_claiming_route_wins_a_shared_address() -> None:
    """A client user whose address is the provider's dispatch mailbox: the mailbox keeps its claim links."""
    desk = Person("u-desk", "Desk", "dispatch@acme.example", "client_user", None, {})
    (dispatch,) = [r for r in run(users=(desk,)) if r.recipient == "dispatch@acme.example"]
    assert dispatch.role == "provider"
    assert dispatch.can_claim


def test_client_address_still_gets_mail_when_the_user_with_it_opted_out() -> None:
    """The client's notify address is the client's, not the user's own choice."""
    twin = Person(
        "u-fac", "Facilities Desk", "facilities@contoso.example", "client_user", None, {"email": False}
    )
    found = [r for r in run(users=(twin,)) if r.recipient == "facilities@contoso.example"]
    assert [(r.role, r.recipient_user_id) for r in found] == [("client", None)]


def test_service_provider_routes_are_flagged_for_claim_links() -> None:
    found = run(location_id="hq")
    assert {r.recipient for r in found if r.can_claim} == {
        "sam@acme.example",
        "user:contoso/u-sam",
        "user:contoso/u-sue",
        "ben@bolt.example",
        "user:contoso/u-ben",
        "dispatch@acme.example",
        "jobs@bolt.example",
    }


def test_effective_preferences_and_unknown_event() -> None:
    assert effective_preferences(BO, None) == Preferences(email=True, teams=False)
    stored = Preferences(email=False, teams=True, events={"slot_claimed": False})
    assert effective_preferences(BO, stored) is stored
    assert effective_preferences(Person("x", "X", "x@e.example", "client_user"), None) == Preferences()
    assert assigned_providers("hq", [ACME, BOLT], None) == [ACME, BOLT]
    with pytest.raises(ValueError, match="unknown event"):
        run(event="party")


# ---- properties ----------------------------------------------------------------------------

ROLES = ("client_admin", "client_user", "service_provider", "subcontractor")
addresses = st.sampled_from(
    ["a@x.example", "A@X.example", "b@x.example", "dispatch@acme.example", "facilities@contoso.example"]
)
flags = st.booleans()


@st.composite
def people(draw: st.DrawFn) -> list[Person]:
    count = draw(st.integers(0, 6))
    found = []
    for n in range(count):
        role = draw(st.sampled_from(ROLES))
        provider = (
            draw(st.sampled_from(["acme-av", "bolt"]))
            if role in ("service_provider", "subcontractor")
            else None
        )
        found.append(
            Person(
                f"u{n}",
                f"User {n}",
                draw(addresses),
                role,
                provider,
                {"email": draw(flags), "teams": draw(flags)},
            )
        )
    return found


@st.composite
def preference_rows(draw: st.DrawFn) -> dict[str, Preferences]:
    rows = {}
    for n in range(6):
        if draw(flags):
            events = draw(
                st.dictionaries(st.sampled_from(["new_incident", "slot_claimed", "slot_released"]), flags)
            )
            rows[f"u{n}"] = Preferences(draw(flags), draw(flags), events)
    return rows


@settings(max_examples=200, deadline=None)
@given(
    users=people(),
    prefs=preference_rows(),
    event=st.sampled_from(["new_incident", "slots_update", "slot_claimed", "slot_released"]),
    location=st.sampled_from(["hq", "ldn", "paris"]),
    assigned=st.sampled_from([None, "acme-av", "bolt", "gone"]),
)
def test_invariants(
    users: list[Person], prefs: dict[str, Preferences], event: str, location: str, assigned: str | None
) -> None:
    found = recipients(
        client=CLIENT,
        location_id=location,
        event=event,
        users=users,
        providers=(ACME, BOLT),
        assigned_provider_id=assigned,
        preferences=prefs,
    )
    keys = [(r.channel, r.recipient) for r in found]
    assert len(keys) == len(set(keys)), "nobody gets the same message twice"
    teams_users = [r.recipient_user_id for r in found if r.channel == TEAMS and r.recipient_user_id]
    assert len(teams_users) == len(set(teams_users))
    for r in found:
        assert r.can_claim == (r.role in CLAIMING_ROLES)
        if r.channel == EMAIL:
            assert r.recipient == r.recipient.strip().lower()
    serving = {p.id for p in assigned_providers(location, (ACME, BOLT), assigned)}
    by_user = {u.id: u for u in users}
    for r in found:
        if r.recipient_user_id is None:
            continue
        user = by_user[r.recipient_user_id]
        pref = effective_preferences(user, prefs.get(user.id))
        assert pref.wants(event)
        assert pref.email if r.channel == EMAIL else pref.teams
        if user.role in ("service_provider", "subcontractor"):
            assert user.service_provider_id in serving
    # everyone who should hear is reached at their address, by some route
    reached = {r.recipient for r in found}
    for user in users:
        pref = effective_preferences(user, prefs.get(user.id))
        wanted = user.role in ("client_admin", "client_user") or user.service_provider_id in serving
        if wanted and pref.wants(event) and pref.email:
            assert user.email.lower() in reached
        if wanted and pref.wants(event) and pref.teams:
            assert f"user:contoso/{user.id}" in reached
    assert "facilities@contoso.example" in reached
