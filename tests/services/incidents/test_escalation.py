"""Reminders, escalation and the SLA breach as durable jobs (DESIGN 3.12), on SQLite and
PostgreSQL, with time driven by the test (the services' and the job runner's clocks):
each step at its moment and to the right people, by e-mail through a real SMTP server;
stopped by a claim or a resolve; re-armed by a release, counted from it; and never done
twice, also when a worker dies after doing a step and two runners share the queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from services import texts
from services.claims.calendar_recheck import CalendarRecheck
from services.claims.effects import CARD_UPDATE_JOB
from services.claims.resolution import ResolutionService
from services.claims.service import ClaimService
from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.domain import recipients as rcpt
from services.incidents.escalation import STEP_JOB, EscalationSteps
from services.incidents.service import IncidentService
from services.integration.configuration import IntegrationConfigService
from services.jobs import JobInfo, JobRunner
from services.notify.claim_notices import ClaimNotices
from services.notify.lifecycle_notices import LifecycleNotices
from services.notify.mailer import Mailer, SmtpConfig
from services.notify.service import TEAMS_JOB, NotificationService
from services.store.database import Database
from services.store.models import Incident, Job
from services.store.notification_models import Notification, UserPreferences
from tests.claims_support import RoomCalendar, assign_acme, claim_directory, seed_incident
from tests.conftest import TEST_SECRET_KEY, make_settings
from tests.services.smtp_support import ScriptedSmtp

T0 = datetime.now(UTC).replace(microsecond=0)
FIRST_SLOT = (T0 + timedelta(days=2)).replace(minute=0, second=0)
Row = tuple[str, str, str]  # (event, channel, recipient)


@dataclass
class World:
    db: Database
    smtp: ScriptedSmtp
    now: list[datetime]
    notifications: NotificationService
    claims: ClaimService
    resolutions: ResolutionService
    handlers: dict[str, object]
    teams_posts: list[int] = field(default_factory=list)

    def runner(self, db: Database | None = None) -> JobRunner:
        return JobRunner(
            db or self.db, self.handlers, clock=lambda: self.now[0], backoff_base=0.01, backoff_cap=0.02
        )  # type: ignore[arg-type]

    async def at(self, minutes: float) -> set[Row]:
        """Move the clock to T0 + `minutes`, run what is due; the notification rows made."""
        before = await self.rows()
        self.now[0] = T0 + timedelta(minutes=minutes)
        await self.runner().run_due()
        return await self.rows() - before

    async def rows(self) -> set[Row]:
        async with self.db.session() as session:
            found = await session.execute(
                select(Notification.event, Notification.channel, Notification.recipient)
            )
        return {(e.split("#")[0], c, r) for e, c, r in found.all()}

    async def roles(self, event: str) -> dict[tuple[str, str], str]:
        async with self.db.session() as session:
            found = await session.execute(
                select(Notification.channel, Notification.recipient, Notification.recipient_role).where(
                    Notification.event == event
                )
            )
        return {(c, r): role for c, r, role in found.all()}

    async def incident(self) -> Incident:
        async with self.db.session() as session:
            row = await session.get(Incident, ("contoso", "INC-1"))
        assert row is not None
        return row


def alternative(message: EmailMessage) -> EmailMessage:
    """The text + HTML body: the message itself, or its first part when an invite is attached."""
    if message.get_content_type() == "multipart/mixed":
        first = next(iter(message.iter_parts()))
        assert isinstance(first, EmailMessage)
        return first
    return message


def events(rows: set[Row], event: str) -> set[tuple[str, str]]:
    return {(c, r) for e, c, r in rows if e == event}


@pytest.fixture
async def smtp() -> AsyncIterator[ScriptedSmtp]:
    server = ScriptedSmtp()
    await server.start()
    yield server
    await server.stop()


def build_world(db: Database, smtp: ScriptedSmtp) -> World:
    now = [T0]
    clock = lambda: now[0]  # noqa: E731
    settings = make_settings(db.url, PUBLIC_BASE_URL="https://pivot.example")
    box = SecretBox([TEST_SECRET_KEY])
    mailer = Mailer(
        SmtpConfig.parse(f"smtp://127.0.0.1:{smtp.port}?timeout=5"), sender="noreply@pivot.example"
    )
    notifications = NotificationService(db, box, settings, mailer, clock=clock)
    ClaimNotices(db, settings).register(notifications)
    LifecycleNotices(db).register(notifications)
    calendar = RoomCalendar()
    claims = ClaimService(db, calendar, recheck=CalendarRecheck(calendar, timeout=2.0), clock=clock)
    resolutions = ResolutionService(db, IncidentService(db, box, calendar), clock=clock)
    world = World(db, smtp, now, notifications, claims, resolutions, {})

    async def teams(job: JobInfo) -> None:  # the Teams edge is not what this test is about
        world.teams_posts.append(int(job.payload["notification_id"]))

    async def card(job: JobInfo) -> None:
        return None

    world.handlers.update(
        {
            **notifications.job_handlers(),
            **claims.job_handlers(),
            **EscalationSteps(db).job_handlers(),
            TEAMS_JOB: teams,
            CARD_UPDATE_JOB: card,
        }
    )
    return world


@pytest.fixture
async def world(db: Database, smtp: ScriptedSmtp) -> AsyncIterator[World]:
    await DirectoryService(db, SecretBox([TEST_SECRET_KEY])).import_document(claim_directory())
    config = assign_acme()
    config["locations"]["hq"]["sla_hours"] = 4  # defaults: remind after 60, tell the client after 120
    await IntegrationConfigService(db).apply(config)
    await seed_incident(
        db, first_slot=FIRST_SLOT, status="slots_found", triggered_at=T0 - timedelta(minutes=5)
    )
    world = build_world(db, smtp)
    await world.notifications.fan_out("contoso", "INC-1", "new_incident")  # the first notice, at T0
    await world.runner().run_due()
    yield world
    await world.claims.close()


async def test_reminder_escalation_and_breach_at_their_moments(world: World) -> None:
    notice = await world.roles("new_incident")
    assert (await world.incident()).notified_at is not None
    assert await world.at(59) == set()
    reminded = await world.at(61)
    provider_side = {key for key, role in notice.items() if role in rcpt.CLAIMING_ROLES}
    assert events(reminded, "reminder") == provider_side
    assert ("email", "dispatch@acme.example") in provider_side and (
        "email",
        "sam@acme.example",
    ) in provider_side
    assert not any(r.endswith("@contoso.example") for _, r in events(reminded, "reminder"))
    assert await world.at(119) == set()
    escalated = await world.at(121)
    assert events(escalated, "escalated") == {
        ("email", "ada@contoso.example"),
        ("teams", "user:contoso/u-ada"),
        ("email", "facilities@contoso.example"),
    }
    assert (await world.incident()).sla_breached_at is None
    await world.at(4 * 60 - 6)  # the deadline is trigger + 4 h = T0 + 3 h 55
    assert (await world.incident()).sla_breached_at is None
    await world.at(4 * 60 - 4)
    assert (await world.incident()).sla_breached_at is not None
    assert await world.at(24 * 60) == set()  # nothing more, ever
    # One e-mail per recipient per event, multipart/alternative with both parts.
    reminder = [m.message for m in world.smtp.to("sam@acme.example")][-1]
    assert reminder["Subject"].startswith("Reminder — no slot picked yet: ")
    assert reminder.get_content_type() == "multipart/alternative"
    text = reminder.get_body(("plain",))
    html = reminder.get_body(("html",))
    assert text is not None and html is not None
    assert "nobody has picked a slot" in text.get_content() and "/claim/" in text.get_content()
    assert "/claim/" in html.get_content()
    ada = [m.message for m in world.smtp.to("ada@contoso.example")]
    assert [m["Subject"].split(":")[0] for m in ada] == ["[High] Incident", "Nobody has picked a slot yet"]
    assert "/claim/" not in ada[-1].get_body(("plain",)).get_content()
    for address in ("sam@acme.example", "dispatch@acme.example", "facilities@contoso.example"):
        subjects = [m.message["Subject"] for m in world.smtp.to(address)]
        assert len(subjects) == len(set(subjects))


async def test_a_claim_stops_what_is_pending(world: World) -> None:
    await world.at(30)
    assert (await world.claims.claim_as_user("contoso", "INC-1", "inc-1-s0", "u-sam")).ok
    later = await world.at(10 * 60)
    assert events(later, "reminder") == events(later, "escalated") == set()
    assert (await world.incident()).sla_breached_at is None


async def test_a_resolve_stops_what_is_pending(world: World) -> None:
    await world.at(10)
    await world.resolutions.resolve("contoso", "INC-1", note="Back by itself")
    later = await world.at(10 * 60)
    assert {e for e, _, _ in later} == {"resolved"}
    assert (await world.incident()).escalation_done is None


async def test_a_release_rearms_the_steps_not_done_counted_from_it(world: World) -> None:
    await world.at(61)  # reminded
    await world.at(90)
    assert (await world.claims.claim_as_user("contoso", "INC-1", "inc-1-s0", "u-sam")).ok
    await world.at(100)
    assert (await world.claims.release_as_user("contoso", "INC-1", "u-sam")).ok
    # Escalation would have been at 120 from the notice; after the release it is 120 from 100.
    assert events(await world.at(150), "escalated") == set()
    assert events(await world.at(219), "escalated") == set()
    after = await world.at(221)
    assert events(after, "escalated") and not events(after, "reminder")  # the reminder was done already
    assert (await world.incident()).escalation_done == ["reminder", "escalated"]


async def test_a_release_before_the_reminder_reminds_from_the_release(world: World) -> None:
    await world.at(10)
    assert (await world.claims.claim_as_user("contoso", "INC-1", "inc-1-s0", "u-sam")).ok
    await world.at(40)
    assert (await world.claims.release_as_user("contoso", "INC-1", "u-sam")).ok
    assert events(await world.at(61), "reminder") == set()  # the first arming is void
    assert events(await world.at(101), "reminder")


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_runners_and_a_dead_worker_do_each_step_once(world: World, database_url: str) -> None:
    other = Database(database_url)
    try:
        first, second = world.runner(), world.runner(other)
        world.now[0] = T0 + timedelta(minutes=61)
        # Runner one takes the reminder step, does it, and dies before marking the job done.
        taken = [job for job in await first._claim(10) if job.kind == STEP_JOB]
        assert [job.payload["step"] for job in taken] == ["reminder"]
        await EscalationSteps(world.db).handle_step(taken[0])
        # Both runners go on at once; later the dead worker's lease runs out and it is taken again.
        import asyncio

        await asyncio.gather(first.run_due(), second.run_due())
        world.now[0] = T0 + timedelta(minutes=125)
        await asyncio.gather(first.run_due(), second.run_due())
        async with world.db.session() as session:
            step = await session.get(Job, taken[0].id)
            assert step is not None and step.status == "done" and step.attempts == 2
        rows = await world.rows()
        assert events(rows, "reminder") and events(rows, "escalated")
        for address in ("sam@acme.example", "dispatch@acme.example", "ada@contoso.example"):
            subjects = [m.message["Subject"] for m in world.smtp.to(address)]
            assert len(subjects) == len(set(subjects)), subjects
        assert len(world.smtp.to("dispatch@acme.example")) == 2  # the notice and one reminder
        assert len(world.teams_posts) == len(set(world.teams_posts))
    finally:
        await other.dispose()


async def test_resolved_mail_goes_once_to_each_recipient_and_the_claimer(world: World) -> None:
    async with world.db.session() as session:
        # Sol turns e-mail off after the first notice: no reminder, no resolved mail for Sol.
        session.add(
            UserPreferences(client_id="contoso", user_id="u-sol", email=False, teams=False, events={})
        )
    reminded = await world.at(61)
    assert ("email", "sol@sparks.example") not in events(reminded, "reminder")
    assert ("email", "priya@acme.example") in events(reminded, "reminder")
    await world.at(70)
    assert (await world.claims.claim_as_user("contoso", "INC-1", "inc-1-s1", "u-priya")).ok
    await world.at(80)
    first_told = {r for c, r in (await world.roles("new_incident")) if c == "email"}
    await world.resolutions.resolve("contoso", "INC-1", note="Display back online")
    await world.at(81)
    resolved = {r for c, r in events(await world.rows(), "resolved") if c == "email"}
    assert resolved == (first_told - {"sol@sparks.example"}) | {"priya@acme.example"}
    for address in resolved:
        got = [m.message for m in world.smtp.to(address) if m.message["Subject"].startswith("Resolved")]
        assert len(got) == 1, address
        message = got[0]
        assert alternative(message).get_content_type() == "multipart/alternative"
        text, html = message.get_body(("plain",)), message.get_body(("html",))
        assert text is not None and html is not None
        assert texts.EMAIL_INTROS["resolved"] in text.get_content()
        assert "Display back online" in text.get_content() and "Display back online" in html.get_content()
        assert "/claim/" not in text.get_content()  # nothing left to claim
    to_priya = next(
        m.message for m in world.smtp.to("priya@acme.example") if "Resolved" in m.message["Subject"]
    )
    assert f"{texts.RESOLVED_VISIT_CANCELLED}: " in to_priya.get_body(("plain",)).get_content()
    # Her calendar invite for the visit is cancelled (the claim's UID, METHOD:CANCEL).
    invite = next(p for p in to_priya.iter_attachments() if p.get_content_type() == "text/calendar")
    ics = invite.get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics
    to_dispatch = next(
        m.message for m in world.smtp.to("dispatch@acme.example") if "Resolved" in m.message["Subject"]
    )
    assert any(p.get_content_type() == "text/calendar" for p in to_dispatch.iter_attachments())
    assert world.smtp.to("sol@sparks.example") and not any(
        "Resolved" in m.message["Subject"] for m in world.smtp.to("sol@sparks.example")
    )
    # A second resolve sends nothing.
    before = len(world.smtp.received)
    assert not (await world.resolutions.resolve("contoso", "INC-1")).new
    await world.at(90)
    assert len(world.smtp.received) == before
