"""Logging for the whole process (DESIGN 3.13): text or one JSON object per line, with ids,
through a redaction guard; third-party libraries at WARNING unless `--verbose`.

The product logs ids, never bodies, secrets or addresses (`key=value` pairs in the
message, e.g. `incident accepted client=contoso incident=INC-1`). The JSON format
lifts the id pairs into fields (`client_id`, `incident_id`, `job_id`, ...). The guard
runs on every record of every logger, whatever the format: it blanks e-mail
addresses, bearer tokens and JWTs, `password=`/`secret=`-style values, and the
configured secrets themselves, so a library (or a mistake) cannot leak them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

# Libraries whose INFO/DEBUG lines are protocol chatter for an operator (SMTP dialogues,
# Bot Framework and Azure SDK internals, HTTP client traces, SQL): WARNING unless --verbose.
THIRD_PARTY = (
    "mail.log",
    "aiosmtpd",
    "msrest",
    "msal",
    "azure",
    "botbuilder",
    "botframework",
    "aiohttp.access",
    "aiohttp.server",
    "aiohttp.client",
    "httpx",
    "httpcore",
    "hpack",
    "h2",
    "kiota_http",
    "kiota_abstractions",
    "msgraph",
    "msgraph_core",
    "sqlalchemy",
    "alembic",
    "asyncio",
    "urllib3",
    "jwt",
)

# `key=value` in a product message → the JSON field it becomes.
ID_FIELDS = {
    "client": "client_id",
    "client_id": "client_id",
    "incident": "incident_id",
    "incident_id": "incident_id",
    "job": "job_id",
    "job_id": "job_id",
    "kind": "job_kind",
    "notification": "notification_id",
    "email_notification": "email_notification_id",
    "claim": "claim_id",
    "claim_id": "claim_id",
    "location": "location_id",
    "room": "room_id",
    "worker": "worker_id",
}
_PAIR = re.compile(r"(?<![\w.])([a-z_]+)=([^\s,;]+)")
REDACTED = "[redacted]"
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*)?")
_SECRET_PAIR = re.compile(
    r"(?i)\b((?:client_)?secret|password|passwd|pwd|token|access_token|refresh_token|id_token|api_key|"
    r"authorization|code|sig|signature|state)([\"']?\s*[:=]\s*[\"']?)([^\s\"'&,;]+)"
)
_ALWAYS_SECRET = ("secret", "password", "passwd", "pwd", "token", "api_key", "authorization")
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")
# Signed links (claim, release, sign-in) carry their token in the path.
_SIGNED_PATH = re.compile(r"(/(?:claim|release)/)[A-Za-z0-9._~-]{16,}")


class RedactionGuard(logging.Filter):
    """Rewrites each record's message (and exception text) with secrets and addresses blanked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: list[str] = []
        self.add_secrets(secrets)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        for secret in secrets:
            if secret and len(secret) >= 6 and secret not in self._secrets:
                self._secrets.append(secret)
        self._secrets.sort(key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = _URL_CREDENTIALS.sub(lambda m: m.group(1) + REDACTED + "@", text)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
        text = _JWT.sub(REDACTED, text)
        text = _SECRET_PAIR.sub(_blank_pair, text)
        text = _SIGNED_PATH.sub(lambda m: m.group(1) + REDACTED, text)
        return _EMAIL.sub("[address]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the line
            message = str(record.msg)
        record.msg = self.scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        record.exc_info = None  # the scrubbed text is what gets printed
        return True


class BadRequestSummary(logging.Filter):
    """aiohttp logs every malformed request (a scanner's garbage, a TLS hello on the plain port)
    at ERROR with a traceback that quotes the offending header line: a log flood an attacker
    controls, and a header could carry a credential. Each becomes one WARNING line naming the
    error class, at most one per `interval` seconds with the count of those in between."""

    def __init__(self, interval: float = 10.0, clock: Any = None) -> None:
        super().__init__()
        self._interval = interval
        self._clock = clock or time.monotonic
        self._last: float | None = None
        self._held = 0

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if record.name != "aiohttp.server" or not isinstance(exc, HttpProcessingError):
            return True
        now = self._clock()
        if self._last is not None and now - self._last < self._interval:
            self._held += 1
            return False
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg = "bad HTTP request refused status=%d error=%s suppressed=%d"
        record.args = (exc.code or 400, type(exc).__name__, self._held)
        record.exc_info, record.exc_text = None, None
        self._last, self._held = now, 0
        return True


def _blank_pair(match: re.Match[str]) -> str:
    """`password=x` always; `code=`/`state=`/`sig=` only when long (an OAuth code, not "550")."""
    key, sep, value = match.groups()
    if key.lower().endswith(_ALWAYS_SECRET) or len(value) >= 16:
        return key + sep + REDACTED
    return match.group(0)


def ids_in(message: str) -> dict[str, str]:
    """The id fields named in a product message (`client=... incident=...`)."""
    found: dict[str, str] = {}
    for key, value in _PAIR.findall(message):
        field = ID_FIELDS.get(key)
        if field is not None and field not in found:
            found[field] = value
    return found


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, and error text if any."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        if record.name.startswith("services.jobs"):  # the runner writes `id=` for the job's id
            job = re.search(r"(?<![\w.])id=(\d+)", message)
            if job:
                entry["job_id"] = job.group(1)
        for field, value in ids_in(message).items():
            entry.setdefault(field, value)
        for field in set(ID_FIELDS.values()):
            value = record.__dict__.get(field)
            if value is not None:
                entry[field] = str(value)
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(
    fmt: str = "text", *, verbose: bool = False, secrets: Iterable[str] = (), stream: Any = None
) -> RedactionGuard:
    """(Re)configure the root logger: one handler, the guard, the format, quiet libraries."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    guard = RedactionGuard(secrets)
    handler.addFilter(BadRequestSummary())  # before the guard: the guard formats tracebacks
    handler.addFilter(guard)
    handler.setFormatter(JsonFormatter() if str(fmt) == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in THIRD_PARTY:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    # msrest warns on every Teams activity that carries a field its models predate (e.g.
    # channelData.source): noise, not something an operator can act on.
    logging.getLogger("msrest.serialization").setLevel(logging.INFO if verbose else logging.ERROR)
    if verbose:
        logging.getLogger("sqlalchemy").setLevel(logging.WARNING)  # SQL echo is its own switch
    return guard


def settings_secrets(settings: Any) -> list[str]:
    """The configured secret values the guard blanks wherever they would appear."""
    values: list[str] = []
    for name in ("MICROSOFT_APP_PASSWORD", "AAD_CLIENT_SECRET", "SECRET_KEY", "METRICS_TOKEN"):
        secret = getattr(settings, name, None)
        if secret is not None and hasattr(secret, "get_secret_value"):
            values.extend(part.strip() for part in secret.get_secret_value().split(","))
    smtp = getattr(settings, "SMTP_URL", None)
    if smtp is not None:
        match = re.match(r"[^:]+://[^:@/]*:([^@/]+)@", smtp.get_secret_value())
        if match:
            values.append(match.group(1))
    return [v for v in values if v]
