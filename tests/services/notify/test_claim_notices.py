"""Claim and release e-mails through the real fan-out, job runner and an SMTP server:
who is told, who gets the .ics (parsed back: the slot in the room's zone), who gets a
release link, and the release notice that cancels the calendar entry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from services.claims.release_links import ReleaseSigner
from services.claims.service import ClaimService, slot_when
from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.integration.configuration import IntegrationConfigService
from services.jobs import JobInfo, JobRunner
from services.notify.claim_notices import ClaimNotices
from services.notify.mailer import Mailer, SmtpConfig
from services.notify.service import NotificationService
from services.store.database import Database
from services.store.notification_models import Notification
from tests.claims_support import RoomCalendar, assign_acme, claim_directory, seed_incident
from tests.conftest import TEST_SECRET_KEY, make_settings
from tests.services.smtp_support import ScriptedSmtp

NY = ZoneInfo("America/New_York")
EVERYONE = {
    "sam@acme.example",  # the claimer
    "ada@contoso.example",
    "bo@contoso.example",
    "priya@acme.example",
    "sol@sparks.example",
    "facilities@contoso.example",  # the client's notify address
    "dispatch@acme.example",  # the assigned provider's dispatch address
}
INVITED = {
    "sam@acme.example",
    "ada@contoso.example",
    "bo@contoso.example",
    "facilities@contoso.example",
    "dispatch@acme.example",
}


@pytest.fixture
async def smtp() -> AsyncIterator[ScriptedSmtp]:
    server = ScriptedSmtp()
    await server.start()
    yield server
    await server.stop()


def by_address(smtp: ScriptedSmtp, start: int = 0) -> dict[str, EmailMessage]:
    return {r.rcpt_tos[0]: r.message for r in smtp.received[start:]}


def calendar_part(message: EmailMessage) -> Calendar | None:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    return None


async def test_claim_and_release_are_announced_by_email(db: Database, smtp: ScriptedSmtp) -> None:
    settings = make_settings(db.url, PUBLIC_BASE_URL="https://pivot.example")
    await DirectoryService(db, SecretBox([TEST_SECRET_KEY])).import_document(claim_directory())
    await IntegrationConfigService(db).apply(assign_acme())
    first = (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    slots = await seed_incident(db, first_slot=first, triggered_at=first - timedelta(hours=2))
    mailer = Mailer(SmtpConfig.parse(f"smtp://127.0.0.1:{smtp.port}?timeout=5"), sender="pivot@pivot.example")
    notifications = NotificationService(db, SecretBox([TEST_SECRET_KEY]), settings, mailer)
    ClaimNotices(db, settings).register(notifications)
    claims = ClaimService(db, RoomCalendar())

    async def nothing(_job: JobInfo) -> None:
        return None

    handlers = {**notifications.job_handlers(), **claims.job_handlers(), "claims.card": nothing}
    runner = JobRunner(db, handlers)

    result = await claims.claim_as_user("contoso", "INC-1", slots[1], "u-sam")
    assert result.ok and result.claim is not None
    await runner.run_due()
    mail = by_address(smtp)
    assert set(mail) == EVERYONE
    when = slot_when(first + timedelta(hours=1), first + timedelta(hours=2), NY)
    sam = mail["sam@acme.example"]
    assert sam["Subject"] == f"Slot claimed: Display offline — Conference Room 4B, {when} (INC-1)"
    text = sam.get_body(preferencelist=("plain",)).get_content()
    assert "You claimed this slot." in text
    assert "Claimed by: Sam Provider (Acme AV)" in text
    assert f"When: {when}" in text
    html = sam.get_body(preferencelist=("html",)).get_content()
    assert "Sam Provider (Acme AV)" in html

    for address, message in mail.items():
        invite = calendar_part(message)
        assert (invite is not None) == (address in INVITED), address
        if invite is None:
            continue
        assert str(invite["method"]) == "PUBLISH"
        (event,) = invite.walk("VEVENT")
        assert event.decoded("dtstart") == first + timedelta(hours=1)
        assert event.decoded("dtend") == first + timedelta(hours=2)
        assert event["dtstart"].params["TZID"] == "America/New_York"
        assert (
            event.decoded("dtstart").astimezone(NY).hour == (first + timedelta(hours=1)).astimezone(NY).hour
        )

    links = {a: m.get_body(preferencelist=("plain",)).get_content() for a, m in mail.items()}
    with_release = {a for a, t in links.items() if "https://pivot.example/release/" in t}
    assert with_release == {"sam@acme.example", "ada@contoso.example"}

    async with db.session() as session:
        channels = set(
            await session.scalars(
                select(Notification.channel).where(Notification.event.like("slot_claimed#%"))
            )
        )
    assert channels == {"email"}  # Teams cards are updated in place instead
    listed = await notifications.notifications_for("contoso", "INC-1")
    assert {n["event"] for n in listed} == {"slot_claimed"}

    # Ada releases through her link; everyone hears, invitees get a cancellation.
    url = next(line for line in links["ada@contoso.example"].splitlines() if "/release/" in line).strip()
    token = ReleaseSigner.from_settings(settings).verify(url.rsplit("/", 1)[1])
    released = await claims.release_by_email(token.client_id, token.incident_id, token.claim_id, token.email)
    assert released.ok
    seen = len(smtp.received)
    await runner.run_due()
    after = by_address(smtp, seen)
    assert set(after) == EVERYONE
    notice = after["sam@acme.example"]
    assert notice["Subject"].startswith("Slot released: Display offline")
    assert "Released by: Ada Admin" in notice.get_body(preferencelist=("plain",)).get_content()
    cancel = calendar_part(after["dispatch@acme.example"])
    assert cancel is not None and str(cancel["method"]) == "CANCEL"
    assert calendar_part(after["priya@acme.example"]) is None
    await claims.close()
