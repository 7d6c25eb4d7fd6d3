"""Notification fan-out and e-mail delivery through the durable job runner, against a
real aiosmtpd server, on SQLite and PostgreSQL: each recipient once, the incident
moves on to `notified`, retries never send a second copy, an SMTP outage delays
but does not lose mail, a 550 is recorded, and Teams failures fall back to e-mail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select, update

from services.claims.claim_links import ClaimSigner
from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.incidents.escalation import STEP_JOB
from services.incidents.events import NOTIFY_JOB, notify_job_key
from services.incidents.schema import IncidentInput
from services.incidents.service import IncidentService
from services.jobs import JobInfo, JobRunner, RetryLater, enqueue
from services.notify.mailer import Mailer, SmtpConfig, message_id_for
from services.notify.service import EMAIL_JOB, NotificationService
from services.store.database import Database
from services.store.models import Incident, Job, LocationSettings, Slot
from services.store.notification_models import Notification, UserPreferences
from tests.conftest import TEST_SECRET_KEY, make_settings
from tests.samples import directory
from tests.services.smtp_support import ScriptedSmtp, free_port

TRIGGER = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
SLOT_STARTS = (datetime(2026, 11, 24, 15, 0, tzinfo=UTC), datetime(2026, 11, 25, 13, 0, tzinfo=UTC))
EMAILS = {
    "ada@contoso.example",
    "bo@contoso.example",
    "sam@acme.example",
    "facilities@contoso.example",
    "dispatch@acme.example",
}


class Harness:
    """The service, a job runner with a stand-in Teams handler, and the SMTP server it sends to."""

    def __init__(
        self, db: Database, smtp: ScriptedSmtp, *, mailer: bool = True, retry_seconds: float = 0.4
    ) -> None:
        self.db = db
        self.smtp = smtp
        self.settings = make_settings(db.url, PUBLIC_BASE_URL="https://pivot.example")
        self.service = NotificationService(
            db,
            SecretBox([TEST_SECRET_KEY]),
            self.settings,
            Mailer(
                SmtpConfig.parse(f"smtp://127.0.0.1:{smtp.port}?timeout=5"), sender="noreply@pivot.example"
            )
            if mailer
            else None,
            retry_base_seconds=retry_seconds,
            retry_cap_seconds=retry_seconds,
            clock=lambda: TRIGGER,
        )
        self.teams_jobs: list[int] = []
        self.steps: list[str] = []
        # Reminder steps (armed by the first notice) are not what these tests are about.
        handlers = {**self.service.job_handlers(), "notify.teams": self._teams, STEP_JOB: self._step}
        self.runner = JobRunner(db, handlers, backoff_base=0.01, backoff_cap=0.02)

    async def _step(self, job: JobInfo) -> None:
        self.steps.append(str(job.payload["step"]))

    async def _teams(self, job: JobInfo) -> None:
        self.teams_jobs.append(int(job.payload["notification_id"]))

    async def rows(self) -> list[Notification]:
        async with self.db.session() as session:
            return list((await session.scalars(select(Notification).order_by(Notification.id))).all())

    async def row(self, channel: str, recipient: str, event: str = "new_incident") -> Notification:
        (found,) = [
            r for r in await self.rows() if (r.channel, r.recipient, r.event) == (channel, recipient, event)
        ]
        return found

    async def status(self) -> str:
        async with self.db.session() as session:
            incident = await session.get(Incident, ("contoso", "INC-1"))
            assert incident is not None
            return incident.status

    async def jobs(self, kind: str) -> list[tuple[str, int]]:
        async with self.db.session() as session:
            rows = await session.execute(
                select(Job.status, Job.attempts).where(Job.kind == kind).order_by(Job.id)
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.fixture
async def smtp() -> AsyncIterator[ScriptedSmtp]:
    server = ScriptedSmtp()
    await server.start()
    yield server
    await server.stop()


async def seed(db: Database, *, status: str = "slots_found", slots: bool = True) -> None:
    """The sample directory, HQ's settings, and incident INC-1 in room 4B with its notify job queued."""
    await DirectoryService(db, SecretBox([TEST_SECRET_KEY])).import_document(directory())
    async with db.session() as session:
        # Reminders and escalation (DESIGN 3.12) have their own tests: off here, so no step jobs
        # (all due at once with this past trigger) share the runner with the deliveries under test.
        off = {"remind_after_minutes": None, "client_after_minutes": None}
        session.add(
            LocationSettings(
                client_id="contoso", location_id="hq", scheduling=True, sla_hours=4, escalation=off
            )
        )
        session.add(
            Incident(
                client_id="contoso",
                id="INC-1",
                room_id="hq-4b",
                triggered_at=TRIGGER,
                title="Display offline",
                severity="high",
                description=None,
                body_sha256="0" * 64,
                status=status,
                timezone="America/New_York",
                calendar_reads=1,
                context={"booked_now": "Standup (Bo Organizer), 09:00–09:30"},
            )
        )
    if slots:
        await add_slots(db)
    await queue_notify(db, "new_incident")


async def add_slots(db: Database) -> None:
    async with db.session() as session:
        for seq, start in enumerate(SLOT_STARTS):
            session.add(
                Slot(
                    id=f"slot-{seq}",
                    client_id="contoso",
                    incident_id="INC-1",
                    seq=seq,
                    start=start,
                    end=start + timedelta(hours=1),
                )
            )


async def queue_notify(db: Database, event: str) -> None:
    """What the incident pipeline does (same kind, payload and dedupe key)."""
    async with db.session() as session:
        await enqueue(
            session,
            db,
            NOTIFY_JOB,
            {"client_id": "contoso", "incident_id": "INC-1", "event": event},
            dedupe_key=notify_job_key(event, "contoso", "INC-1"),
            max_attempts=20,
        )


def bodies(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()


async def test_fan_out_reaches_everyone_once_and_marks_notified(db: Database, smtp: ScriptedSmtp) -> None:
    await seed(db)
    h = Harness(db, smtp)
    await h.runner.run_due()

    assert sorted(r for got in smtp.received for r in got.rcpt_tos) == sorted(EMAILS)
    assert await h.status() == "notified"
    rows = await h.rows()
    assert {(r.channel, r.recipient) for r in rows if r.channel == "teams"} == {
        ("teams", "user:contoso/u-ada"),
        ("teams", "user:contoso/u-sam"),
    }
    assert sorted(h.teams_jobs) == sorted(r.id for r in rows if r.channel == "teams")
    assert all(r.status == "sent" for r in rows if r.channel == "email")

    # the Message-ID is the stable one, recorded on the row
    for got in smtp.received:
        (address,) = got.rcpt_tos
        expected = message_id_for("contoso", "INC-1", "new_incident", "email", address)
        assert got.message["Message-ID"] == expected
        assert (await h.row("email", address)).message_id == expected

    # claim links for the provider routes only, each bound to that recipient
    signer = ClaimSigner([TEST_SECRET_KEY])
    for got in smtp.received:
        (address,) = got.rcpt_tos
        text = bodies(got.message)
        tokens = [part.split()[0].split('"')[0] for part in text.split("https://pivot.example/claim/")[1:]]
        if address in {"sam@acme.example", "dispatch@acme.example"}:
            claims = [signer.verify(t, now=TRIGGER) for t in tokens]
            assert {(c.slot_id, c.email) for c in claims} == {(f"slot-{n}", address) for n in range(2)}
        else:
            assert tokens == []
        assert "Tue 24 Nov (EST)" in text and "10:00–11:00" in text and "Wed 25 Nov (EST)" in text

    # running the fan-out again changes nothing and sends nothing
    ids = await h.service.fan_out("contoso", "INC-1", "new_incident")
    assert sorted(ids) == sorted(h.teams_jobs)  # only the Teams rows are still queued (stand-in handler)
    assert await h.runner.run_due() == 0  # their jobs exist already: nothing new to run
    assert len(smtp.received) == len(EMAILS)
    assert len(await h.rows()) == len(rows)

    api = await h.service.notifications_for("contoso", "INC-1")
    assert {(n["channel"], n["to"], n["status"]) for n in api} >= {
        ("email", "sam@acme.example", "sent"),
        ("teams", "u-sam", "queued"),
    }
    assert len(api) == len(rows)


async def test_a_retried_job_after_the_server_accepted_sends_no_second_copy(
    db: Database, smtp: ScriptedSmtp
) -> None:
    await seed(db)
    h = Harness(db, smtp)
    await h.service.fan_out("contoso", "INC-1", "new_incident")
    sam = await h.row("email", "sam@acme.example")
    assert await h.service.deliver_email(sam.id) == "sent"
    # the worker "died" before marking the job done: the job runs again
    await h.runner.run_due()
    async with db.session() as session:
        await session.execute(
            update(Job).where(Job.kind == EMAIL_JOB).values(status="queued", run_at=datetime.now(UTC))
        )
    await h.runner.run_due()
    assert await h.service.deliver_email(sam.id, attempt=3, max_attempts=12) == "sent"
    assert len(smtp.to("sam@acme.example")) == 1
    assert len(smtp.received) == len(EMAILS)


@pytest.mark.parametrize("outage", ["server stopped", "421 replies"])
async def test_an_smtp_outage_delays_mail_but_delivers_each_once(db: Database, outage: str) -> None:
    await seed(db)
    smtp = ScriptedSmtp(port=free_port())
    if outage == "421 replies":
        smtp.transient_replies.extend(["421 4.3.2 System busy, try again later"] * len(EMAILS))
        await smtp.start()
    # Retries far in the future, then brought forward by the test: a slow machine can never let a
    # retry fall due inside the first run (the outage would then look shorter than it is).
    h = Harness(db, smtp, retry_seconds=600)
    try:
        await h.runner.run_due()
        assert smtp.received == []
        pending = [r for r in await h.rows() if r.channel == "email"]
        assert {r.status for r in pending} == {"queued"}
        assert all(r.reason and r.reason.startswith("retrying:") for r in pending)
        if outage == "421 replies":
            assert all("421" in (r.reason or "") for r in pending)
        else:
            await smtp.start()
        async with db.session() as session:  # the outage is over: the retries come due now
            due = update(Job).where(Job.kind == EMAIL_JOB, Job.status == "queued")
            await session.execute(due.values(run_at=datetime.now(UTC)))
        await h.runner.run_due()
        assert sorted(r for got in smtp.received for r in got.rcpt_tos) == sorted(EMAILS)
        assert {r.status for r in await h.rows() if r.channel == "email"} == {"sent"}
        assert {s for s, _ in await h.jobs(EMAIL_JOB)} == {"done"}
        assert {n for _, n in await h.jobs(EMAIL_JOB)} == {2}
    finally:
        await smtp.stop()


async def test_transient_failures_until_the_last_attempt_are_recorded_as_failed(db: Database) -> None:
    await seed(db)
    h = Harness(db, ScriptedSmtp(port=free_port()))
    await h.service.fan_out("contoso", "INC-1", "new_incident")
    bo = await h.row("email", "bo@contoso.example")
    with pytest.raises(RetryLater):
        await h.service.deliver_email(bo.id, attempt=1, max_attempts=2)
    assert await h.service.deliver_email(bo.id, attempt=2, max_attempts=2) == "failed"
    reason = (await h.row("email", "bo@contoso.example")).reason or ""
    assert reason.startswith("gave up after 2 attempts")


async def test_a_permanent_rejection_is_recorded_as_failed_with_the_reason(
    db: Database, smtp: ScriptedSmtp
) -> None:
    await seed(db)
    smtp.reject["bo@contoso.example"] = "550 5.1.1 <bo@contoso.example>: Recipient address rejected"
    h = Harness(db, smtp)
    await h.runner.run_due()
    bo = await h.row("email", "bo@contoso.example")
    assert bo.status == "failed"
    assert bo.reason == "550 5.1.1 <bo@contoso.example>: Recipient address rejected"
    assert {s for s, _ in await h.jobs(EMAIL_JOB)} == {"done"}  # recorded, not retried
    assert len(smtp.received) == len(EMAILS) - 1
    api = await h.service.notifications_for("contoso", "INC-1")
    assert {
        "channel": "email",
        "to": "bo@contoso.example",
        "status": "failed",
        "event": "new_incident",
    } in api


async def test_calendar_unavailable_then_slots_update(db: Database, smtp: ScriptedSmtp) -> None:
    await seed(db, status="calendar_unavailable", slots=False)
    h = Harness(db, smtp)
    await h.runner.run_due()
    assert await h.status() == "calendar_unavailable"  # people are told, the incident is not "notified"
    assert len(smtp.received) == len(EMAILS)
    for got in smtp.received:
        text = bodies(got.message)
        assert "could not be read" in text and "/claim/" not in text

    # the pipeline's retry found the slots
    await add_slots(db)
    async with db.session() as session:
        await session.execute(update(Incident).values(status="slots_found"))
    await queue_notify(db, "slots_update")
    await h.runner.run_due()
    assert await h.status() == "notified"
    updates = smtp.received[len(EMAILS) :]
    assert sorted(r for got in updates for r in got.rcpt_tos) == sorted(EMAILS)
    for got in updates:
        assert got.message["Subject"].startswith("Free slots now known")
        assert "10:00–11:00" in bodies(got.message)


async def test_slots_update_waits_for_the_first_notice_and_skips_those_still_queued(db: Database) -> None:
    await seed(db, status="calendar_unavailable", slots=False)
    h = Harness(db, ScriptedSmtp(port=free_port()))  # SMTP is down: e-mails stay queued
    with pytest.raises(RetryLater):
        await h.service.fan_out("contoso", "INC-1", "slots_update")  # new_incident fan-out still pending
    await h.runner.run_due()  # new_incident fan-out; its e-mails fail for now
    await add_slots(db)
    async with db.session() as session:
        await session.execute(update(Incident).values(status="slots_found"))
    await h.service.fan_out("contoso", "INC-1", "slots_update")
    updates = [r for r in await h.rows() if r.event == "slots_update"]
    assert updates == []  # each still-queued first notice will carry the slots itself
    assert await h.status() == "notified"


async def test_teams_fallback_e_mails_users_without_an_e_mail_notice(
    db: Database, smtp: ScriptedSmtp
) -> None:
    await seed(db)
    async with db.session() as session:
        session.add(UserPreferences(client_id="contoso", user_id="u-sam", email=False, teams=True, events={}))
    h = Harness(db, smtp)
    await h.runner.run_due()
    assert smtp.to("sam@acme.example") == []
    sam_teams = await h.row("teams", "user:contoso/u-sam")
    email_id = await h.service.fall_back_to_email(sam_teams.id)
    assert email_id is not None
    assert (await h.row("teams", "user:contoso/u-sam")).status == "inactive"
    await h.runner.run_due()
    (got,) = smtp.to("sam@acme.example")
    assert "https://pivot.example/claim/" in bodies(got.message)  # still a provider: claim links

    # Ada already gets this notice by e-mail: no second one
    ada_teams = await h.row("teams", "user:contoso/u-ada")
    assert (
        await h.service.fall_back_to_email(ada_teams.id) == (await h.row("email", "ada@contoso.example")).id
    )
    await h.runner.run_due()
    assert len(smtp.to("ada@contoso.example")) == 1
    # a fallback for an e-mail row, or an unknown row, does nothing
    assert await h.service.fall_back_to_email(email_id) is None
    assert await h.service.fall_back_to_email(10_000) is None


async def test_without_smtp_configured_e_mails_are_recorded_as_failed(
    db: Database, smtp: ScriptedSmtp
) -> None:
    await seed(db)
    h = Harness(db, smtp, mailer=False)
    await h.runner.run_due()
    emails = [r for r in await h.rows() if r.channel == "email"]
    assert {(r.status, r.reason) for r in emails} == {("failed", "e-mail is not configured (SMTP_URL)")}
    assert smtp.received == []


async def test_the_pipeline_outcome_reaches_people(db: Database, smtp: ScriptedSmtp) -> None:
    """The real pipeline's `incident.notify` job (its kind, payload and dedupe key) drives the fan-out."""
    box = SecretBox([TEST_SECRET_KEY])
    await DirectoryService(db, box).import_document(directory())
    incidents = IncidentService(db, box, None)
    await incidents._commit(
        IncidentInput("INC-9", "contoso", "hq-5a", TRIGGER, "Mic dead", "low", None)  # hq-5a is unmapped
    )
    assert await incidents.process("contoso", "INC-9") == "unmapped_room"
    h = Harness(db, smtp)
    await h.runner.run_due()
    assert sorted(r for got in smtp.received for r in got.rcpt_tos) == sorted(EMAILS)
    for got in smtp.received:
        assert "not mapped to a calendar room" in bodies(got.message)
        assert got.message["Subject"] == "[Low] Incident: Mic dead — Conference Room 5A (INC-9)"
    await incidents.close()


async def test_a_message_that_cannot_be_written_fails_at_once_with_its_reason(
    db: Database, smtp: ScriptedSmtp
) -> None:
    # A row stored before the input policy refused it: a CR/LF in the subject cannot be written.
    await seed(db)
    async with db.session() as session:
        await session.execute(
            update(Incident).where(Incident.id == "INC-1").values(severity="high\r\nBcc: all@example.com")
        )
    h = Harness(db, smtp)
    await h.runner.run_due()
    rows = [r for r in await h.rows() if r.channel == "email"]
    assert rows and {r.status for r in rows} == {"failed"}
    assert all((r.reason or "").startswith("cannot write new_incident") for r in rows)
    assert {s for s, _ in await h.jobs(EMAIL_JOB)} == {"done"}  # recorded, never retried
    assert smtp.received == []
    api = await h.service.notifications_for("contoso", "INC-1")
    assert {n["status"] for n in api if n["channel"] == "email"} == {"failed"}
