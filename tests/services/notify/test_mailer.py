"""SMTP_URL parsing, and sending to real aiosmtpd servers on loopback: delivery,
STARTTLS with a self-signed certificate trusted through CA_BUNDLE, AUTH, and the
transient / permanent classification of failures (never leaking the password)."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from services.errors import ConfigError
from services.notify.mail_sink import MailSink
from services.notify.mailer import Mailer, MailPermanent, MailTransient, SmtpConfig, ehlo_name, message_id_for
from tests.conftest import make_settings
from tests.services.smtp_support import ScriptedSmtp, free_port, self_signed

PASSWORD = "s3cr:t/p@ss"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example", SmtpConfig("mail.example", 25)),
        ("smtp://mail.example:2525", SmtpConfig("mail.example", 2525)),
        ("smtp://mail.example?starttls=1", SmtpConfig("mail.example", 587, starttls=True)),
        ("SMTP://mail.example:25?starttls=true", SmtpConfig("mail.example", 25, starttls=True)),
        ("smtps://mail.example", SmtpConfig("mail.example", 465, implicit_tls=True)),
        (
            "smtp://u%40x.example:s3cr%3At%2Fp%40ss@mail.example:587?starttls=1&timeout=5",
            SmtpConfig("mail.example", 587, "u@x.example", PASSWORD, starttls=True, timeout=5.0),
        ),
        ("smtp://user:pw@127.0.0.1:1025", SmtpConfig("127.0.0.1", 1025, "user", "pw")),
        ("smtp://user:@localhost", SmtpConfig("localhost", 25, "user", "")),
        ("smtp://[::1]:2525/", SmtpConfig("::1", 2525)),
    ],
)
def test_parse(url: str, expected: SmtpConfig) -> None:
    assert SmtpConfig.parse(url) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example", "scheme"),
        ("mail.example:25", "scheme"),
        ("smtp://", "host"),
        ("smtp://mail.example:99999", "port"),
        ("smtp://mail.example:0", "port"),
        ("smtp://mail.example/path", "path"),
        ("smtp://mail.example#frag", "fragment"),
        ("smtp://mail.example?tls=1", "unknown option"),
        ("smtp://mail.example?starttls=maybe", "starttls"),
        ("smtp://mail.example?starttls=1&starttls=0", "twice"),
        ("smtp://mail.example?timeout=-1", "timeout"),
        ("smtps://mail.example?starttls=1", "already TLS"),
        ("smtp://user@mail.example?starttls=1", "both user and password"),
        (f"smtp://user:{PASSWORD.replace('/', '%2F')}@mail.example", "need TLS"),
    ],
)
def test_parse_refuses(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as info:
        SmtpConfig.parse(url)
    assert "p@ss" not in str(info.value)


@pytest.mark.parametrize(
    ("host", "name"),
    [("pivot.example", "pivot.example"), ("127.0.0.1", "[127.0.0.1]"), ("::1", "[IPv6:::1]")],
)
def test_ehlo_name(host: str, name: str) -> None:
    assert ehlo_name(host) == name


def test_password_never_in_repr() -> None:
    config = SmtpConfig.parse("smtps://me:hunter22@mail.example")
    assert "hunter22" not in repr(config)


def test_message_id_is_stable_per_parts() -> None:
    first = message_id_for("contoso", "INC-1", "new_incident", "email", "sam@acme.example")
    assert first == message_id_for("contoso", "INC-1", "new_incident", "email", "sam@acme.example")
    assert first != message_id_for("contoso", "INC-1", "new_incident", "email", "ada@contoso.example")
    assert first != message_id_for("contoso", "INC-1", "slots_update", "email", "sam@acme.example")
    assert re.fullmatch(r"<[0-9a-f]{32}@pivot-scheduling>", first)


def message(to: str = "sam@acme.example") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "pivot Scheduling <noreply@pivot.example>"
    msg["To"] = to
    msg["Subject"] = "Hello"
    msg["Message-ID"] = "<fixed@pivot-scheduling>"
    msg.set_content("body")
    return msg


def mailer_for(url: str, **kwargs: Any) -> Mailer:
    return Mailer(SmtpConfig.parse(url), sender="pivot Scheduling <noreply@pivot.example>", **kwargs)


async def test_delivers_to_a_plain_server() -> None:
    server = ScriptedSmtp()
    await server.start()
    try:
        reply = await mailer_for(f"smtp://127.0.0.1:{server.port}").send(
            message(), recipients=["sam@acme.example"]
        )
    finally:
        await server.stop()
    assert "OK" in reply
    (got,) = server.received
    assert got.mail_from == "noreply@pivot.example"
    assert got.rcpt_tos == ("sam@acme.example",)
    assert got.message["Message-ID"] == "<fixed@pivot-scheduling>"


async def test_421_is_transient_550_is_permanent_with_code_and_reason() -> None:
    server = ScriptedSmtp()
    server.transient_replies.append("421 4.3.2 Service shutting down, try later")
    server.reject["nobody@acme.example"] = "550 5.1.1 Mailbox does not exist"
    await server.start()
    mailer = mailer_for(f"smtp://127.0.0.1:{server.port}")
    try:
        with pytest.raises(MailTransient) as transient:
            await mailer.send(message(), recipients=["sam@acme.example"])
        with pytest.raises(MailPermanent) as permanent:
            await mailer.send(message("nobody@acme.example"), recipients=["nobody@acme.example"])
    finally:
        await server.stop()
    assert transient.value.code == 421
    assert permanent.value.code == 550
    assert str(permanent.value) == "550 5.1.1 Mailbox does not exist"
    assert server.received == []


async def test_connection_refused_is_transient() -> None:
    with pytest.raises(MailTransient) as info:
        await mailer_for(f"smtp://127.0.0.1:{free_port()}?timeout=2").send(
            message(), recipients=["a@b.example"]
        )
    assert info.value.code is None


async def test_starttls_with_self_signed_cert_from_ca_bundle_and_auth(tmp_path: Path) -> None:
    cert = self_signed(tmp_path)
    seen: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        seen.append((data.login, data.password))
        ok = data.login == b"relay" and data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    sink = MailSink(
        tmp_path / "mail",
        tls_context=cert.server_context(),
        require_starttls=True,
        authenticator=authenticator,
    )
    async with sink:
        settings = make_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
            SMTP_URL=f"smtp://relay:s3cr%3At%2Fp%40ss@127.0.0.1:{sink.port}?starttls=1",
            MAIL_FROM="pivot Scheduling <noreply@pivot.example>",
            CA_BUNDLE=str(cert.cert),
        )
        mailer = Mailer.from_settings(settings)
        assert mailer is not None
        await mailer.send(message(), recipients=["sam@acme.example"])
        # a wrong password is a permanent 535 whose text never carries the password
        wrong = Mailer(
            SmtpConfig.parse(
                f"smtp://relay:wrong-{PASSWORD.replace('/', '%2F')}@127.0.0.1:{sink.port}?starttls=1"
            ),
            sender="noreply@pivot.example",
            ca_bundle=cert.cert,
        )
        with pytest.raises(MailPermanent) as info:
            await wrong.send(message(), recipients=["sam@acme.example"])
    assert seen[0] == (b"relay", PASSWORD.encode())
    assert len(sink.messages()) == 1
    assert info.value.code == 535
    assert PASSWORD not in str(info.value) and "p@ss" not in str(info.value)


async def test_implicit_tls(tmp_path: Path) -> None:
    cert = self_signed(tmp_path)
    server = ScriptedSmtp(implicit_tls=cert.server_context())
    await server.start()
    try:
        await mailer_for(f"smtps://127.0.0.1:{server.port}", ca_bundle=cert.cert).send(
            message(), recipients=["sam@acme.example"]
        )
    finally:
        await server.stop()
    assert len(server.received) == 1


async def test_starttls_refuses_an_untrusted_certificate(tmp_path: Path) -> None:
    cert = self_signed(tmp_path)
    sink = MailSink(tmp_path / "mail", tls_context=cert.server_context(), require_starttls=True)
    async with sink:
        with pytest.raises(MailTransient):
            await mailer_for(f"smtp://127.0.0.1:{sink.port}?starttls=1&timeout=5").send(
                message(), recipients=["sam@acme.example"]
            )
    assert sink.messages() == []


async def test_starttls_required_but_not_offered_is_permanent() -> None:
    server = ScriptedSmtp()
    await server.start()
    try:
        with pytest.raises(MailPermanent, match="STARTTLS"):
            await mailer_for(f"smtp://127.0.0.1:{server.port}?starttls=1").send(
                message(), recipients=["sam@acme.example"]
            )
    finally:
        await server.stop()


def test_from_settings_without_smtp_url(tmp_path: Path) -> None:
    assert Mailer.from_settings(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")) is None
