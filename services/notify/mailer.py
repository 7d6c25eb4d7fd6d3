"""Outbound e-mail over SMTP (aiosmtplib): strict SMTP_URL parsing, TLS, error classes.

`SMTP_URL` (DESIGN 3.2) is `smtp://[user:pass@]host[:port][?starttls=1]` or
`smtps://…` for implicit TLS. Failures come back as two domain errors the
notification jobs act on: `MailTransient` (4xx replies, connection trouble:
retry later) and `MailPermanent` (5xx replies: record and stop). Their text
carries the reply code and a short reason, never a credential.
"""

from __future__ import annotations

import hashlib
import ipaddress
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import aiosmtplib

from services.config import Settings
from services.errors import ConfigError, PivotError
from services.m365.tls import ssl_context

DEFAULT_PORTS = {"smtps": 465, "starttls": 587, "smtp": 25}
MESSAGE_ID_DOMAIN = "pivot-scheduling"
MAX_REASON = 200
MIN_SCRUB = 4  # shorter "passwords" would mangle every reason and hide nothing
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class MailError(PivotError):
    """Sending failed; `code` is the SMTP reply code when the server gave one."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"{code} {reason}" if code else reason)


class MailTransient(MailError):
    """Worth retrying: a 4xx reply, or the server could not be reached or dropped us."""

    transient = True


class MailPermanent(MailError):
    """Retrying will not help: a 5xx reply (or a server that lacks what we require)."""

    transient = False


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to submit mail. `password` never shows in repr."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    implicit_tls: bool = False
    starttls: bool = False
    timeout: float = 30.0

    @classmethod
    def parse(cls, url: str) -> SmtpConfig:
        """Parse SMTP_URL strictly; `ConfigError` names the problem, never the password."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise ConfigError("SMTP_URL: not a valid URL (bad port?)") from None
        scheme = parts.scheme.lower()
        if scheme not in {"smtp", "smtps"}:
            raise ConfigError("SMTP_URL: scheme must be smtp:// or smtps://")
        if not parts.hostname:
            raise ConfigError("SMTP_URL: host is missing")
        if port == 0:
            raise ConfigError("SMTP_URL: port must be 1-65535")
        if parts.path not in {"", "/"} or parts.fragment:
            raise ConfigError("SMTP_URL: no path or fragment allowed")
        starttls = False
        timeout = 30.0
        seen: set[str] = set()
        for key, value in parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False):
            if key in seen:
                raise ConfigError(f"SMTP_URL: option {key!r} given twice")
            seen.add(key)
            if key == "starttls":
                starttls = _flag(value)
            elif key == "timeout":
                timeout = _timeout(value)
            else:
                raise ConfigError(f"SMTP_URL: unknown option {key!r} (allowed: starttls, timeout)")
        implicit = scheme == "smtps"
        if implicit and starttls:
            raise ConfigError("SMTP_URL: smtps:// is already TLS; drop starttls=1")
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password is not None else None
        if (username is None) != (password is None):
            raise ConfigError("SMTP_URL: give both user and password, or neither")
        host = parts.hostname
        if username is not None and not (implicit or starttls) and not _is_loopback(host):
            raise ConfigError("SMTP_URL: credentials need TLS (smtps:// or ?starttls=1) off loopback")
        default_port = DEFAULT_PORTS["smtps" if implicit else "starttls" if starttls else "smtp"]
        return cls(
            host=host,
            port=port or default_port,
            username=username,
            password=password,
            implicit_tls=implicit,
            starttls=starttls,
            timeout=timeout,
        )


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError("SMTP_URL: starttls must be 1 or 0")


def _timeout(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigError("SMTP_URL: timeout must be a number of seconds") from None
    if not 0 < seconds <= 600:
        raise ConfigError("SMTP_URL: timeout must be between 0 and 600 seconds")
    return seconds


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ehlo_name(host: str) -> str:
    """Our EHLO name: a host name as is, an IP as an address literal (RFC 5321 4.1.3)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    return f"[IPv6:{address}]" if address.version == 6 else f"[{address}]"


def message_id_for(*parts: str) -> str:
    """A Message-ID that depends only on `parts` (client, incident, event, recipient…):
    a retried send reuses it, so receiving servers and clients can drop the duplicate."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"<{digest}@{MESSAGE_ID_DOMAIN}>"


class Mailer:
    """Submits one message at a time to the configured SMTP server."""

    def __init__(
        self,
        config: SmtpConfig,
        *,
        sender: str,
        ca_bundle: Path | None = None,
        context: ssl.SSLContext | None = None,
        local_hostname: str = "localhost",
    ) -> None:
        self.config = config
        self.sender = sender
        self.envelope_sender = parseaddr(sender)[1] or sender
        self._context = context or ssl_context(ca_bundle)  # system CAs + CA_BUNDLE
        self._local_hostname = local_hostname

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer | None:
        """None when SMTP_URL is not set (e-mail notifications are then recorded as failed)."""
        if settings.SMTP_URL is None:
            return None
        config = SmtpConfig.parse(settings.SMTP_URL.get_secret_value())
        local = ehlo_name(urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost")
        return cls(config, sender=settings.MAIL_FROM, ca_bundle=settings.CA_BUNDLE, local_hostname=local)

    async def send(self, message: EmailMessage, *, recipients: list[str]) -> str:
        """Submit `message`; return the server's reply. Raises `MailTransient` / `MailPermanent`."""
        cfg = self.config
        try:
            _errors, reply = await aiosmtplib.send(
                message,
                sender=self.envelope_sender,
                recipients=recipients,
                hostname=cfg.host,
                port=cfg.port,
                username=cfg.username,
                password=cfg.password,
                use_tls=cfg.implicit_tls,
                start_tls=cfg.starttls,
                tls_context=self._context,
                timeout=cfg.timeout,
                local_hostname=self._local_hostname,
            )
        except Exception as exc:
            raise self.classify(exc) from None
        return self._scrub(reply)

    def classify(self, exc: BaseException) -> MailError:
        """Map an aiosmtplib / network exception to a transient or permanent failure."""
        if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
            first = exc.recipients[0]
            return self._by_code(first.code, first.message)
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            return self._by_code(exc.code, exc.message)
        if isinstance(exc, OSError | TimeoutError | ssl.SSLError):  # includes lost connections
            return MailTransient(self._scrub(f"{type(exc).__name__}: {exc}"))
        if isinstance(exc, aiosmtplib.SMTPException):
            # No reply code: the server lacks what the configuration requires (STARTTLS, AUTH).
            return MailPermanent(self._scrub(f"{type(exc).__name__}: {exc.message}"))
        return MailTransient(type(exc).__name__)

    def _by_code(self, code: int, message: str) -> MailError:
        reason = self._scrub(message)
        if 400 <= code < 500:
            return MailTransient(reason, code)
        if 500 <= code < 600:
            return MailPermanent(reason, code)
        return MailTransient(reason, code)

    def _scrub(self, text: str) -> str:
        """One line, short, and never a credential (servers sometimes echo what they got)."""
        cleaned = " ".join(str(text).split())
        secret = self.config.password
        if secret and len(secret) >= MIN_SCRUB:
            cleaned = cleaned.replace(secret, "***")
        return cleaned[:MAX_REASON]
