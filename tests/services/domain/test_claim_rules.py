"""Who may claim and release, and the re-check's notion of "still free" (the engine's rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.domain.availability import CalendarEvent
from services.domain.claim_rules import Claimant, eligible_providers, may_claim, may_release, slot_is_free
from services.domain.recipients import Provider

NY = ZoneInfo("America/New_York")
START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 10:00 EST
END = START + timedelta(hours=1)


def event(start: datetime, end: datetime, **extra: object) -> CalendarEvent:
    return CalendarEvent(start=start, end=end, **extra)  # type: ignore[arg-type]


def test_an_overlapping_busy_event_takes_the_slot() -> None:
    assert slot_is_free([], NY, START, END)
    assert not slot_is_free([event(START + timedelta(minutes=50), END + timedelta(hours=1))], NY, START, END)
    assert slot_is_free(
        [event(START - timedelta(hours=1), START), event(END, END + timedelta(hours=1))], NY, START, END
    )


def test_cancelled_free_and_optionally_tentative_events_leave_it_free() -> None:
    assert slot_is_free([event(START, END, is_cancelled=True)], NY, START, END)
    assert slot_is_free([event(START, END, show_as="free")], NY, START, END)
    assert not slot_is_free([event(START, END, show_as="tentative")], NY, START, END)
    assert slot_is_free([event(START, END, show_as="tentative")], NY, START, END, tentative_blocks=False)
    assert not slot_is_free([event(START, END, show_as="oof")], NY, START, END)


def test_an_all_day_event_blocks_the_whole_local_day() -> None:
    all_day = event(
        datetime(2026, 11, 25, tzinfo=UTC),
        datetime(2026, 11, 26, tzinfo=UTC),
        is_all_day=True,
        all_day_start_date=date(2026, 11, 25),
        all_day_end_date=date(2026, 11, 26),
    )
    assert not slot_is_free([all_day], NY, START, END)
    late = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 22:00 on the 25th in New York: still that day
    assert not slot_is_free([all_day], NY, late, late + timedelta(hours=1))
    next_day = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    assert slot_is_free([all_day], NY, next_day, next_day + timedelta(hours=1))


def test_claimers_are_people_of_an_eligible_provider() -> None:
    providers = [Provider("acme", "Acme", "d@acme", ("hq",)), Provider("beta", "Beta", "d@beta", ("hq",))]
    assert eligible_providers("hq", providers, None) == {"acme", "beta"}
    assert eligible_providers("hq", providers, "acme") == {"acme"}
    assert eligible_providers("ldn", providers, None) == frozenset()
    assert may_claim("service_provider", "acme", {"acme"})
    assert may_claim("subcontractor", "acme", {"acme"})
    assert not may_claim("service_provider", "beta", {"acme"})
    assert not may_claim("client_admin", "acme", {"acme"})
    assert not may_claim("service_provider", None, {"acme"})


def test_release_is_for_the_claimer_or_a_client_admin() -> None:
    by_user = {"claim_user_id": "u-sam", "claim_email": "sam@acme.example"}
    assert may_release(actor_user_id="u-sam", actor_role="service_provider", actor_email=None, **by_user)
    assert may_release(actor_user_id="u-ada", actor_role="client_admin", actor_email=None, **by_user)
    assert not may_release(
        actor_user_id="u-priya", actor_role="service_provider", actor_email=None, **by_user
    )
    assert not may_release(
        actor_user_id=None, actor_role=None, actor_email="sam@acme.example", **by_user
    )  # a user's claim is released by that user, not by whoever holds their address
    by_mailbox = {"claim_user_id": None, "claim_email": "dispatch@acme.example"}
    assert may_release(actor_user_id=None, actor_role=None, actor_email="Dispatch@Acme.example", **by_mailbox)
    assert not may_release(actor_user_id=None, actor_role=None, actor_email="x@acme.example", **by_mailbox)


def test_the_same_person_is_the_same_user_or_the_same_mailbox() -> None:
    sam = Claimant("contoso", "u-sam", "Sam", "sam@acme.example", "service_provider", "acme", "Acme")
    assert sam.same_person("u-sam", None)
    assert not sam.same_person("u-priya", "sam@acme.example")
    mailbox = Claimant("contoso", None, "Acme", "dispatch@acme.example", "provider", "acme", "Acme")
    assert mailbox.same_person(None, "DISPATCH@acme.example")
    assert not mailbox.same_person("u-sam", "dispatch@acme.example")
