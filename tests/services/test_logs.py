"""The redaction guard and the JSON format (services.logs), on records a library or a careless
line could write: secrets, tokens, addresses, credentials in URLs, signed links."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest
from aiohttp import web

from services.logs import THIRD_PARTY, configure_logging


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, {n: logging.getLogger(n).level for n in THIRD_PARTY})
    buffer = io.StringIO()
    configure_logging("json", secrets=["s3cr3t-app-password", "k" * 40], stream=buffer)
    yield buffer
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def entries(buffer: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_leaks_are_blanked_in_messages_and_tracebacks(logs: io.StringIO) -> None:
    log = logging.getLogger("services.example")
    log.info("sent to %s with %s", "ada@contoso.example", "s3cr3t-app-password")
    log.info("Authorization: Bearer abcdefghijklmnop.qrstuvwxyz and eyJhbGciOi.eyJzdWIiOiIx.sig")
    log.info("GET /auth/callback?code=0.AAAAabcdefghijklmnopqrstuvwxyz&state=abcdefghijklmnopqrstu")
    log.info("smtp://pivot:hunter2hunter@mail.example:587 and password=hunter2")
    log.info("open http://127.0.0.1/claim/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789")
    try:
        raise ValueError("k" * 40 + " for bo@contoso.example")
    except ValueError:
        log.exception("failed client=contoso")
    text = logs.getvalue()
    for leak in (
        "ada@contoso.example",
        "bo@contoso.example",
        "s3cr3t-app-password",
        "k" * 40,
        "abcdefghijklmnop",
        "eyJhbGciOi",
        "0.AAAAabcdefghijklmnopqrstuvwxyz",
        "hunter2",
        "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
    ):
        assert leak not in text, leak
    lines = entries(logs)
    assert len(lines) == 6
    assert lines[-1]["client_id"] == "contoso" and "ValueError" in lines[-1]["error"]


def test_json_lines_carry_ids_and_harmless_codes_stay(logs: io.StringIO) -> None:
    logging.getLogger("services.jobs").warning("job failed id=42 kind=notify.email attempt=2 error=X")
    logging.getLogger("services.notifications").warning("e-mail rejected notification=7 code=550")
    first, second = entries(logs)
    assert first["job_id"] == "42" and first["job_kind"] == "notify.email" and first["level"] == "WARNING"
    assert second["notification_id"] == "7" and second["message"].endswith("code=550")


def test_third_party_loggers_are_quiet_unless_verbose(logs: io.StringIO) -> None:
    logging.getLogger("mail.log").info("SMTP session chatter")
    logging.getLogger("msrest.serialization").info("deserialization chatter")
    logging.getLogger("mail.log").warning("smtp server trouble")
    assert [e["message"] for e in entries(logs)] == ["smtp server trouble"]
    configure_logging("text", verbose=True, stream=logs)
    assert logging.getLogger("mail.log").isEnabledFor(logging.INFO)


async def _raw_request(port: int, raw: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    answer = await reader.read(200)
    writer.close()
    return answer


async def test_malformed_requests_log_one_short_line_without_their_content(logs: io.StringIO) -> None:
    """A scanner's garbage gets its 400 and one WARNING line (no traceback, no header text);
    a flood of it is summarised instead of writing a line per request."""
    async def ok(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", ok)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        leaky = b"GET / HTTP/1.1\r\nHost: x\r\nAuth orization: hunter2-credential\r\n\r\n"
        assert (await _raw_request(port, leaky)).startswith(b"HTTP/1.0 400")
        for _ in range(20):
            await _raw_request(port, b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n")
        assert (await _raw_request(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")).startswith(b"HTTP/1.1 200")
    finally:
        await runner.cleanup()
    text = logs.getvalue()
    assert "hunter2-credential" not in text and "Traceback" not in text
    refused = [e for e in entries(logs) if e["logger"] == "aiohttp.server"]
    assert len(refused) == 1, refused
    assert refused[0]["level"] == "WARNING"
    assert "bad HTTP request refused status=400 error=BadHttpMessage" in refused[0]["message"]
