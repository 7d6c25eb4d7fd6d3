"""A hostile-client corpus against the running app over real sockets, on SQLite and PostgreSQL:
truncation, chunking, slow writers, control characters in every field, deep nesting, huge
numbers, wrong types, unicode edge cases, oversized bodies, replays and foreign ids.

Every case gets its documented 4xx (DESIGN 3.3, 3.4; README "Server limits"), no case gets a
5xx, bad input changes nothing, and a valid incident is accepted in any chunking."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from api.keys import SERVICES
from api.server_limits import ServerLimits, start_server
from app import build_app
from services.store.models import Client, Incident
from tests.conftest import make_settings
from tests.raw_http import chunked_encoding, exchange, request_head, split
from tests.samples import API_KEY, WEBHOOK_SECRET, directory
from tests.webhooks import incident, signed

OTHER_SECRET = "whsec_" + base64.b64encode(b"another-clients-secret-32-bytes!").decode()
OTHER_KEY = "pvk_test_fabrikam_0123456789abcdef"
JSON = {"Content-Type": "application/json"}
BEARER = {"Authorization": f"Bearer {API_KEY}", **JSON}
CLOSED = 0  # no answer: the connection was closed (the client had half-closed it)


@dataclass
class Case:
    name: str
    send: Callable[[int], Awaitable[tuple[int, dict[str, Any] | None]]]
    expect: set[int]
    fields: set[str] = field(default_factory=set)  # a 400 must name exactly these fields


def post(body: bytes, headers: dict[str, str], *, path: str = "/api/incidents", method: str = "POST") -> Any:
    async def send(port: int) -> tuple[int, dict[str, Any] | None]:
        return await exchange(port, [request_head(method, path, headers, length=len(body)) + body])

    return send


def pieces(body: bytes, headers: dict[str, str], n: int, *, chunked: bool = False, pause: float = 0.0) -> Any:
    async def send(port: int) -> tuple[int, dict[str, Any] | None]:
        head = request_head("POST", "/api/incidents", headers, length=len(body), chunked=chunked)
        parts = split(body, n)
        return await exchange(port, [head, *(chunked_encoding(parts) if chunked else parts)], pause=pause)

    return send


def raw(*writes: bytes, pause: float = 0.0, half_close: bool = False) -> Any:
    async def send(port: int) -> tuple[int, dict[str, Any] | None]:
        if not half_close:
            return await exchange(port, list(writes), pause=pause)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for w in writes:
            writer.write(w)
        writer.write_eof()
        answer = await asyncio.wait_for(reader.read(), 15)
        writer.close()
        if not answer:
            return CLOSED, None  # the sender went away mid-body: the server just closes
        return int(answer.split(b" ", 2)[1]), None

    return send


def signed_post(payload: dict[str, Any] | bytes, secret: str = WEBHOOK_SECRET, **kw: Any) -> Any:
    return post(*signed(secret, payload, **kw))


def cases() -> list[Case]:
    out: list[Case] = []
    ok = incident(id="INC-OK")
    body, headers = signed(WEBHOOK_SECRET, ok)

    # -- valid incidents in any chunking: accepted (each its own id) ---------------------------
    for n, chunked, pause in [
        (1, False, 0),
        (2, False, 0.05),
        (5, False, 0),
        (64, False, 0),
        (3, True, 0),
        (40, True, 0),
        (len(json.dumps(incident())), False, 0),
    ]:
        b, h = signed(WEBHOOK_SECRET, incident(id=f"INC-CHUNK-{n}-{int(chunked)}"))
        out.append(
            Case(
                f"valid in {n} pieces chunked={chunked}", pieces(b, h, n, chunked=chunked, pause=pause), {202}
            )
        )
    out.append(
        Case(
            "slow writer within the body timeout",
            pieces(*signed(WEBHOOK_SECRET, incident(id="INC-SLOW")), 4, pause=0.2),
            {202},
        )
    )

    # -- truncation -----------------------------------------------------------------------------
    for cut in (1, len(body) // 2, len(body) - 1):
        out.append(Case(f"truncated at {cut}, signed as sent", signed_post(body[:cut]), {400}, {"(body)"}))
    out.append(Case("empty body", signed_post(b""), {400}, {"(body)"}))
    out.append(
        Case(
            "Content-Length beyond the body, then EOF",
            raw(
                request_head("POST", "/api/incidents", headers, length=len(body) + 500) + body,
                half_close=True,
            ),
            {CLOSED, 400, 408},
        )
    )
    out.append(
        Case(
            "chunked body that ends without its last chunk",
            raw(
                request_head("POST", "/api/incidents", headers, chunked=True),
                b"10\r\n0123456789abcdef\r\n",
                half_close=True,
            ),
            {CLOSED, 400, 408},
        )
    )
    out.append(
        Case(
            "malformed chunk size",
            raw(request_head("POST", "/api/incidents", headers, chunked=True) + b"zz\r\nxx\r\n"),
            {400},
        )
    )
    out.append(
        Case(
            "slow body past the body timeout",
            raw(request_head("POST", "/api/incidents", headers, length=len(body)) + body[:20]),
            {408},
        )
    )

    # -- control characters in every field --------------------------------------------------------
    for name in ("id", "room_id", "title", "severity"):
        for char in ("\r\n", "\x00", "\x1b", "\u2028"):
            out.append(
                Case(f"{name} with {char!r}", signed_post(incident(**{name: f"x{char}y"})), {400}, {name})
            )
    for char in ("\x00", "\x07", "\x1b[2J", "\x0b"):
        out.append(
            Case(
                f"description with {char!r}",
                signed_post(incident(description=f"a{char}b")),
                {400},
                {"description"},
            )
        )
    for char in ("\x00", "\r\n"):
        out.append(
            Case(
                f"client_id with {char!r}",
                signed_post(incident(client_id=f"contoso{char}")),
                {400},
                {"client_id"},
            )
        )
    out.append(
        Case(
            "description with tabs and line breaks is fine",
            signed_post(incident(id="INC-MULTI", description="one\ntwo\r\n\tthree")),
            {202},
        )
    )

    # -- deep nesting everywhere ------------------------------------------------------------------
    deep = b'{"client_id": "contoso", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    out.append(Case("deep nesting, incident", signed_post(deep), {400}, {"(body)"}))
    out.append(Case("deep nesting, messages", post(deep, JSON, path="/api/messages"), {400}))
    out.append(
        Case(
            "deep nesting, directory",
            post(deep, BEARER, path="/api/clients/contoso/directory", method="PUT"),
            {400},
        )
    )
    out.append(
        Case(
            "nesting just inside the limit is judged normally",
            signed_post(incident(id="INC-NEST", extra=[[[[[[[[[[1]]]]]]]]]])),
            {202},
        )
    )

    # -- huge numbers and wrong types -------------------------------------------------------------
    out.append(
        Case(
            "5000-digit integer",
            signed_post(b'{"client_id": "contoso", "id": ' + b"9" * 5000 + b"}"),
            {400},
            {"(body)"},
        )
    )
    out.append(
        Case(
            "title 1e999 (infinity)",
            signed_post(json.dumps(incident()).replace('"Display offline"', "1e999").encode()),
            {400},
            {"title"},
        )
    )
    out.append(
        Case("NaN", signed_post(json.dumps(incident()).replace('"high"', "NaN").encode()), {400}, {"(body)"})
    )
    out.append(
        Case(
            "triggered_at as a huge number",
            signed_post(incident(triggered_at=10**30)),
            {400},
            {"triggered_at"},
        )
    )
    out.append(
        Case(
            "triggered_at in year 9999 at -14:00",
            signed_post(incident(triggered_at="9999-12-31T23:59:59-14:00")),
            {400},
            {"triggered_at"},
        )
    )
    for value, label in ((["a"], "list"), ({"a": 1}, "object"), (True, "bool"), (7, "number")):
        out.append(Case(f"title as {label}", signed_post(incident(title=value)), {400}, {"title"}))
    out.append(Case("severity null", signed_post(incident(severity=None)), {400}, {"severity"}))
    for doc in (b"[]", b'"incident"', b"null", b"42"):
        out.append(Case(f"body {doc.decode()}", signed_post(doc), {400}))
    out.append(Case("client_id as a number", signed_post(incident(client_id=42)), {400}, {"client_id"}))

    # -- unicode edge cases ------------------------------------------------------------------------
    out.append(
        Case(
            "lone surrogate in title",
            signed_post(json.dumps(incident()).replace("Display offline", "Display \\ud800").encode()),
            {400},
            {"title"},
        )
    )
    out.append(
        Case(
            "invalid UTF-8",
            post(json.dumps(incident()).encode().replace(b"Display", b"Disp\xff\xfe"), headers),
            {400},
            {"(body)"},
        )
    )
    out.append(Case("UTF-8 BOM", signed_post(b"\xef\xbb\xbf" + json.dumps(incident()).encode()), {400}))
    out.append(Case("title over 512 characters", signed_post(incident(title="x" * 513)), {400}, {"title"}))
    out.append(
        Case(
            "non-ASCII title and description are fine",
            signed_post(
                incident(
                    id="INC-UNI", title="Écran éteint 会议室 🚀 ‏עברית", description="Zero\u200dwidth joiner"
                )
            ),
            {202},
        )
    )

    # -- oversized bodies -----------------------------------------------------------------------------
    big = json.dumps(incident(description="x" * (70 * 1024))).encode()
    out.append(Case("70 KiB body", signed_post(big), {413}))
    out.append(Case("70 KiB chunked", pieces(*signed(WEBHOOK_SECRET, big), 20, chunked=True), {413}))
    out.append(
        Case(
            "Content-Length says 10 MiB",
            raw(request_head("POST", "/api/incidents", headers, length=10 * 1024 * 1024) + body[:100]),
            {413},
        )
    )
    out.append(
        Case(
            "directory over 1 MiB",
            post(
                b'{"a": "' + b"x" * (1024 * 1024 + 10) + b'"}',
                BEARER,
                path="/api/clients/contoso/directory",
                method="PUT",
            ),
            {413},
        )
    )
    out.append(
        Case(
            "request header over 8 KiB",
            raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"),
            {400, 431},
        )
    )
    out.append(Case("garbage request line", raw(b"\x00\x01 NOT HTTP\r\n\r\n"), {400}))

    # -- replays and signatures -----------------------------------------------------------------------
    replay_body, replay_headers = signed(WEBHOOK_SECRET, incident(id="INC-REPLAY"), msg_id="msg_replay")
    out.append(Case("first delivery", post(replay_body, replay_headers), {202}))
    out.append(Case("the same delivery replayed", post(replay_body, replay_headers), {200}))
    out.append(Case("same id, different body", signed_post(incident(id="INC-REPLAY", title="Other")), {409}))
    out.append(
        Case("stale signature", signed_post(incident(id="INC-STALE"), age=timedelta(minutes=6)), {401})
    )
    out.append(Case("signed by another client", signed_post(incident(id="INC-X"), OTHER_SECRET), {401}))
    out.append(Case("no signature", post(body, JSON), {401}))
    out.append(Case("signature over another body", post(body.replace(b"INC-OK", b"INC-KO"), headers), {401}))
    out.append(Case("garbage signature", post(body, {**headers, "webhook-signature": "v1,!!!"}), {401}))

    # -- foreign ids --------------------------------------------------------------------------------------
    out.append(Case("unknown client", signed_post(incident(client_id="nobody")), {422}))
    out.append(Case("unknown room", signed_post(incident(room_id="hq-99")), {422}))
    out.append(
        Case(
            "another client's room",
            signed_post(incident(client_id="fabrikam", room_id="hq-4b", id="INC-F"), OTHER_SECRET),
            {202},
        )
    )
    out.append(
        Case(
            "a room that is not the client's",
            signed_post(incident(client_id="fabrikam", room_id="nope"), OTHER_SECRET),
            {422},
        )
    )
    out.append(
        Case(
            "read another client's incident",
            post(
                b"", {"Authorization": f"Bearer {OTHER_KEY}"}, path="/api/incidents/INC-REPLAY", method="GET"
            ),
            {404},
        )
    )
    out.append(
        Case(
            "read with a NUL id",
            post(b"", {"Authorization": f"Bearer {API_KEY}"}, path="/api/incidents/INC%00X", method="GET"),
            {404},
        )
    )
    out.append(
        Case(
            "directory of another client",
            post(
                json.dumps(directory()).encode(),
                {"Authorization": f"Bearer {OTHER_KEY}", **JSON},
                path="/api/clients/contoso/directory",
                method="PUT",
            ),
            {401},
        )
    )
    out.append(
        Case(
            "directory path with a NUL id",
            post(b"{}", BEARER, path="/api/clients/con%00toso/directory", method="PUT"),
            {401},
        )
    )
    bad_dir = directory()
    bad_dir["rooms"][0]["name"] = "Room\x00"
    out.append(
        Case(
            "directory with NUL in a room name",
            post(json.dumps(bad_dir).encode(), BEARER, path="/api/clients/contoso/directory", method="PUT"),
            {400},
            {"rooms[0].name"},
        )
    )
    out.append(
        Case(
            "directory, malformed JSON",
            post(b'{"client": ', BEARER, path="/api/clients/contoso/directory", method="PUT"),
            {400},
        )
    )
    out.append(
        Case(
            "messages, not JSON", post(b"hello", {"Content-Type": "text/plain"}, path="/api/messages"), {415}
        )
    )
    out.append(Case("messages, malformed JSON", post(b'{"type": ', JSON, path="/api/messages"), {400}))
    out.append(Case("messages, not an activity", post(b"[1]", JSON, path="/api/messages"), {400}))
    return out


@pytest.fixture
async def port(database_url: str) -> AsyncIterator[tuple[int, Any]]:
    settings = make_settings(database_url, JOBS_POLL_SECONDS=30, HTTP_BODY_TIMEOUT_SECONDS=2.0)
    app = build_app(settings)
    runner, site = await start_server(app, "127.0.0.1", 0, ServerLimits.from_settings(settings))
    try:
        await app[SERVICES].directory.import_document(directory())
        other = directory()
        other["client"].update(id="fabrikam", name="Fabrikam", webhook_secret=OTHER_SECRET, api_key=OTHER_KEY)
        await app[SERVICES].directory.import_document(other)
        yield site.port, app
    finally:
        await runner.cleanup()


async def test_the_bad_input_corpus(port: tuple[int, Any]) -> None:
    number, app = port
    corpus = cases()
    assert len(corpus) >= 60
    wrong = []
    for case in corpus:
        status, reply = await case.send(number)
        if status not in case.expect or status >= 500:
            wrong.append(f"{case.name}: {status} {reply}")
            continue
        if status == 400 and case.fields:
            named = {d["field"] for d in (reply or {}).get("details", [])}
            if named != case.fields:
                wrong.append(f"{case.name}: 400 named {named}, expected {case.fields}")
    assert wrong == [], "\n".join(wrong)
    async with app[SERVICES].db.session() as session:
        ids = set((await session.scalars(select(Incident.id))).all())
        clients = await session.scalar(select(func.count()).select_from(Client))
    accepted = {c.name for c in corpus if c.expect == {202}}
    assert len(ids) == len(accepted)  # exactly the valid ones, nothing from the bad ones
    assert clients == 2
    assert all(
        i.startswith(("INC-CHUNK", "INC-SLOW", "INC-MULTI", "INC-NEST", "INC-UNI", "INC-REPLAY", "INC-F"))
        for i in ids
    )
