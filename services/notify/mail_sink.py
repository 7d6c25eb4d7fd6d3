"""A local SMTP sink for the demo: an aiosmtpd server on loopback that keeps every
message as `<n>.eml` in a directory (read back at `/dev/mail`).

It runs inside the app's own event loop (no thread): `await sink.start()`,
`await sink.stop()`. Port 0 picks a free port; `smtp_url` is what SMTP_URL
should be set to. Numbering continues after a restart.
"""

from __future__ import annotations

import asyncio
import os
import re
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

EML_NAME = re.compile(r"^(\d{1,9})\.eml$")


def message_files(directory: Path) -> list[Path]:
    """Stored messages, oldest first."""
    if not directory.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in directory.iterdir() if (m := EML_NAME.match(p.name))]
    return [p for _, p in sorted(found)]


class _Store:
    """aiosmtpd handler: accept every message and write it to the next `<n>.eml`."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._lock = asyncio.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        trace = (
            f"X-Sink-Mail-From: {envelope.mail_from}\r\nX-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode("utf-8", "replace")
        async with self._lock:
            path = await asyncio.to_thread(self._write, trace + content)
        return f"250 OK stored as {path.name}"

    def _write(self, data: bytes) -> Path:
        self._directory.mkdir(parents=True, exist_ok=True)
        existing = message_files(self._directory)
        number = int(EML_NAME.match(existing[-1].name).group(1)) + 1 if existing else 1  # type: ignore[union-attr]
        path = self._directory / f"{number}.eml"
        tmp = self._directory / f".{number}.eml.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return path


class MailSink:
    """An SMTP server on loopback that stores what it receives."""

    def __init__(
        self,
        directory: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls_context: ssl.SSLContext | None = None,
        require_starttls: bool = False,
        authenticator: Callable[..., Any] | None = None,
    ) -> None:
        self.directory = directory
        self.host = host
        self._port = port
        self._tls_context = tls_context
        self._require_starttls = require_starttls
        self._authenticator = authenticator
        self._handler = _Store(directory)
        self._server: asyncio.base_events.Server | None = None

    def _protocol(self) -> SMTP:
        return SMTP(
            self._handler,
            hostname="localhost",  # never look up the FQDN: slow or failing without DNS
            tls_context=self._tls_context,
            require_starttls=self._require_starttls,
            authenticator=self._authenticator,
            auth_required=self._authenticator is not None,
        )

    async def start(self) -> None:
        if self._server is not None:
            return
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, host=self.host, port=self._port)
        self._port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> MailSink:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def smtp_url(self) -> str:
        """The SMTP_URL that sends here (plain SMTP on loopback)."""
        return f"smtp://{self.host}:{self._port}"

    def messages(self) -> list[Path]:
        return message_files(self.directory)
