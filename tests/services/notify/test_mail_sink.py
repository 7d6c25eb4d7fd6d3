"""The demo SMTP sink: a real server in the app's loop that stores each message as `<n>.eml`,
numbering on after a restart."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from services.notify.mail_sink import MailSink, message_files
from services.notify.mailer import Mailer, SmtpConfig


def message(subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "noreply@pivot.example"
    msg["To"] = "sam@acme.example"
    msg["Subject"] = subject
    msg.set_content(f"body of {subject}")
    return msg


async def send(sink: MailSink, subject: str) -> None:
    mailer = Mailer(SmtpConfig.parse(sink.smtp_url), sender="noreply@pivot.example")
    await mailer.send(message(subject), recipients=["sam@acme.example", "bo@contoso.example"])


async def test_stores_each_message_as_numbered_eml_and_keeps_counting_after_restart(tmp_path: Path) -> None:
    mail = tmp_path / "var" / "mail"
    async with MailSink(mail) as sink:
        assert sink.port > 0 and sink.smtp_url == f"smtp://127.0.0.1:{sink.port}"
        await send(sink, "first")
        await send(sink, "second")
        assert [p.name for p in sink.messages()] == ["1.eml", "2.eml"]
    async with MailSink(mail) as again:
        await send(again, "third")
    assert [p.name for p in message_files(mail)] == ["1.eml", "2.eml", "3.eml"]
    stored = BytesParser(policy=policy.default).parsebytes((mail / "3.eml").read_bytes())
    assert stored["Subject"] == "third"
    assert stored["X-Sink-Rcpt-To"] == "sam@acme.example, bo@contoso.example"
    assert stored.get_content().strip() == "body of third"
    assert not list(mail.glob(".*.tmp"))


async def test_start_and_stop_are_idempotent(tmp_path: Path) -> None:
    sink = MailSink(tmp_path / "mail")
    await sink.start()
    await sink.start()
    await sink.stop()
    await sink.stop()
    assert message_files(tmp_path / "nowhere") == []
