"""End to end: incident webhook → cards and e-mails, through the real app (`serve`, its own
process, SQLite), the Microsoft 365 emulator with 100 ms added to every Graph request, a real
SMTP server taking 50 ms per message and a Bot Connector stand-in taking 50 ms per call.

Every figure is printed next to its physical floor — the round trips that cannot be avoided
on that path: one calendar read (100 ms), then one send (50 ms) — with their ratio and
whether the target is met. Results go to var/bench/e2e-<time>.json as well.

Phases: one incident alone (a dozen, one after another); 20 incidents/s for 30 s; a storm of
300 incidents for one client in 10 s (channel card + 3 personal cards + 5 e-mails each, no
conversation above Teams' 7 messages/s, drain time vs the rate-limit floor); a claim storm
(100 concurrent claims, exactly one winner, p99 invoke time).
`BENCH_SHORT=1` (or `--short`) runs every phase smaller, in a minute or two.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiosmtpd.smtp import SMTP, Envelope, Session

from demo.playground import ROOT
from emulator.certs import ensure_ca
from emulator.testing import EmulatorHandle, running_emulator, sign_in_response
from emulator.tokens import load_signing_key
from services.container import Services
from services.store.database import Database
from tests.bot.activities import activity
from tests.claims_support import assign_acme, claim_directory, crowd_aad, next_weekday_at
from tests.m365 import CONF4B, PIVOT, PIVOT_PASSWORD, TENANT_ID, directory_document, emulator_settings, tenant
from tests.samples import WEBHOOK_SECRET
from tests.webhooks import incident, signed

SHORT = os.environ.get("BENCH_SHORT", "") not in ("", "0") or "--short" in sys.argv
GRAPH_MS = 100
SMTP_MS = 50
CONNECTOR_MS = 50
FLOOR = (GRAPH_MS + max(SMTP_MS, CONNECTOR_MS)) / 1000  # one calendar read, then one send
TEAMS_PER_SECOND = 7
CHANNEL = "19:bench-incidents@thread.tacv2"
BO_AAD = "a0000000-0000-4000-8000-0000000000a2"
PER_INCIDENT = 9  # 5 e-mails, 3 personal cards, 1 channel card

ALONE = 5 if SHORT else 12
LOAD_RATE, LOAD_SECONDS = 20.0, (5.0 if SHORT else 30.0)
STORM, STORM_SECONDS = (60, 2.0) if SHORT else (300, 10.0)
CLAIMS = 30 if SHORT else 100
_INCIDENT_ID = re.compile(rb"BENCH-[A-Z]+-\d{4}")


def pct(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


# ---- the outside world: SMTP and the Bot Connector, both slow on purpose --------------------


@dataclass
class Deliveries:
    """Every notification that reached the outside world: (arrival, incident id, channel, where)."""

    seen: list[tuple[float, str, str, str]] = field(default_factory=list)
    throttled: int = 0  # 429s the stand-in answered (a conversation over Teams' limit)

    def add(self, raw: bytes, channel: str, where: str) -> None:
        found = _INCIDENT_ID.search(raw)
        self.seen.append((time.perf_counter(), found.group().decode() if found else "", channel, where))

    def for_incidents(self, ids: set[str]) -> dict[str, list[float]]:
        out: dict[str, list[float]] = defaultdict(list)
        for at, incident_id, _, _ in self.seen:
            if incident_id in ids:
                out[incident_id].append(at)
        return out


class SlowSmtp:
    def __init__(self, deliveries: Deliveries) -> None:
        self.deliveries = deliveries
        self.port = 0
        self._server: asyncio.base_events.Server | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(SMTP_MS / 1000)
        raw = envelope.original_content or b""
        for rcpt in envelope.rcpt_tos:
            self.deliveries.add(raw, "email", rcpt)
        return "250 OK queued"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self, hostname="localhost"), host="127.0.0.1", port=0
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


def connector(deliveries: Deliveries) -> web.Application:
    """The Bot Connector calls the bot makes, 50 ms each; over 7/s in a conversation is a 429."""
    app = web.Application()
    recent: dict[str, list[float]] = defaultdict(list)
    counter = iter(range(1, 10**9))

    async def activities(request: web.Request) -> web.Response:
        raw = await request.read()
        await asyncio.sleep(CONNECTOR_MS / 1000)
        conversation = request.match_info["conversation_id"]
        now = time.perf_counter()
        window = [t for t in recent[conversation] if now - t < 1.0]
        if len(window) >= TEAMS_PER_SECOND:
            deliveries.throttled += 1
            recent[conversation] = window
            return web.json_response(
                {"error": {"code": "TooManyRequests"}}, status=429, headers={"Retry-After": "1"}
            )
        window.append(now)
        recent[conversation] = window
        deliveries.add(raw, "teams", conversation)
        return web.json_response({"id": f"act-{next(counter)}"})

    async def update(request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(CONNECTOR_MS / 1000)
        return web.json_response({"id": request.match_info["activity_id"]})

    async def create(request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(CONNECTOR_MS / 1000)
        member = (body.get("members") or [{}])[0].get("id", "unknown")
        return web.json_response({"id": f"a:1on1-{member}"}, status=201)

    app.router.add_post("/v3/conversations/{conversation_id}/activities", activities)
    app.router.add_post("/v3/conversations/{conversation_id}/activities/{reply_to}", activities)
    app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", update)
    app.router.add_post("/v3/conversations", create)
    return app


# ---- the app, as its own process ---------------------------------------------------------------


class AppProcess:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        env = dict(os.environ) | self.env | {"PORT": str(self.port)}
        # BENCH_PROFILE=FILE: profile the app (cProfile) to see where its time goes.
        profile = os.environ.get("BENCH_PROFILE")
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    *(["-m", "cProfile", "-o", profile] if profile else []),
                    str(ROOT / "app.py"),
                    "serve",
                    "--dangerously-allow-unauthenticated",
                ],
                env=env,
                cwd=str(self.log.parent),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.log.read_text()[-3000:])
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(self.base + "/readyz") as r:
                        if r.status == 200:
                            return
                await asyncio.sleep(0.1)
        raise TimeoutError(self.log.read_text()[-3000:])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@dataclass
class World:
    app: AppProcess
    emu: EmulatorHandle
    deliveries: Deliveries
    connector_url: str
    http: aiohttp.ClientSession
    services: Services


@contextlib.asynccontextmanager
async def world(work: Path, directory: dict[str, Any], configuration: dict[str, Any]) -> Any:
    ca_dir = work / "ca"
    ensure_ca(ca_dir)
    load_signing_key(ca_dir)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    deliveries = Deliveries()
    smtp = SlowSmtp(deliveries)
    await smtp.start()
    stub = TestServer(connector(deliveries), host="127.0.0.1")
    await stub.start_server()
    database_url = _database_url(work)
    try:
        async with running_emulator(tenant(base + "/auth/callback"), ca_dir=ca_dir) as emu:
            settings = emulator_settings(database_url, emu, base)
            db = Database(database_url)
            await db.migrate()
            services = Services.create(settings, db)
            await services.directory.import_document(directory)
            await services.integration.apply(configuration)
            env = {
                "DATABASE_URL": database_url,
                "SECRET_KEY": settings.SECRET_KEY.get_secret_value() if settings.SECRET_KEY else "",
                "AUTHORITY_HOST": emu.authority_host,
                "GRAPH_BASE_URL": emu.graph_base_url,
                "CA_BUNDLE": str(emu.ca_path),
                "AAD_CLIENT_ID": settings.AAD_CLIENT_ID,
                "AAD_CLIENT_SECRET": settings.AAD_CLIENT_SECRET.get_secret_value(),
                "PUBLIC_BASE_URL": base,
                "MICROSOFT_APP_ID": "",
                "SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
                "MAIL_FROM": "pivot-bench@localhost",
            }
            app = AppProcess(env, port, work / "app.log")
            await app.start()
            try:
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as http:
                    w = World(app, emu, deliveries, str(stub.make_url("/")), http, services)
                    await _sign_in(w)
                    emu.state.add_fault("latency", latency_ms=GRAPH_MS, count=None)
                    yield w
            finally:
                app.stop()
                await services.graph.close()
                services.identity.close()
                await db.dispose()
    finally:
        await stub.close()
        await smtp.stop()
        _drop_database(database_url)


def _database_url(work: Path) -> str:
    """SQLite in the work directory; with BENCH_POSTGRES=1 a fresh database on the test server
    (TEST_POSTGRES_URL, as the tests use), dropped afterwards."""
    if not os.environ.get("BENCH_POSTGRES"):
        return f"sqlite+aiosqlite:///{work / 'bench.db'}"
    from tests.conftest import _pg_admin_url, _pg_execute

    admin = _pg_admin_url()
    name = f"pivot_bench_{uuid.uuid4().hex[:12]}"
    _pg_execute(admin, f'CREATE DATABASE "{name}"')
    return f"{admin.rsplit('/', 1)[0]}/{name}"


def _drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        from tests.conftest import _pg_admin_url, _pg_execute

        _pg_execute(_pg_admin_url(), f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _sign_in(w: World) -> None:
    link = await w.services.identity.start_sign_in("contoso")
    url = link.url.replace(w.services.settings.PUBLIC_BASE_URL, w.app.base)
    async with w.http.get(url, allow_redirects=False) as start:
        authorize = start.headers["Location"]
    fields = await sign_in_response(
        authorize, username=PIVOT, password=PIVOT_PASSWORD, ssl_context=w.emu.ssl_context()
    )
    async with w.http.post(w.app.base + "/auth/callback", data=fields) as done:
        if done.status != 200:
            raise RuntimeError(f"sign-in failed: {done.status}")


async def _install(w: World, **kwargs: Any) -> None:
    body = activity("installationUpdate", action="add", service_url=w.connector_url, **kwargs)
    body["conversation"]["tenantId"] = TENANT_ID
    body["channelData"] = {**body.get("channelData", {}), "tenant": {"id": TENANT_ID}}
    async with w.http.post(w.app.base + "/api/messages", json=body) as response:
        await response.read()
        if response.status >= 300:
            raise RuntimeError(f"install failed: {response.status}")


# ---- phases ------------------------------------------------------------------------------------


async def post(w: World, incident_id: str, trigger: str) -> float:
    body, headers = signed(
        WEBHOOK_SECRET,
        incident(id=incident_id, triggered_at=trigger, title=f"Display offline {incident_id}"),
    )
    started = time.perf_counter()
    async with w.http.post(w.app.base + "/api/incidents", data=body, headers=headers) as response:
        await response.read()
        if response.status != 202:
            raise RuntimeError(f"webhook answered {response.status}")
    return started


def graph_requests(w: World) -> int:
    return sum(1 for r in w.emu.state.requests if r.kind == "graph")


async def wait_delivered(w: World, posted: dict[str, float], limit: float) -> dict[str, list[float]]:
    deadline = time.perf_counter() + limit
    ids = set(posted)
    while True:
        got = w.deliveries.for_incidents(ids)
        if all(len(got.get(i, [])) >= PER_INCIDENT for i in ids) or time.perf_counter() > deadline:
            return got
        await asyncio.sleep(0.05)


def latencies(posted: dict[str, float], got: dict[str, list[float]]) -> tuple[list[float], list[float], int]:
    first, every, missing = [], [], 0
    for incident_id, at in posted.items():
        times = got.get(incident_id, [])
        if times:
            first.append(min(times) - at)
        if len(times) >= PER_INCIDENT:
            every.append(max(times) - at)
        else:
            missing += PER_INCIDENT - len(times)
    return first, every, missing


async def phase_alone_warm(w: World, trigger: str) -> None:
    """The room's first incident: token, time zone and caches, not part of any figure."""
    warm = await post(w, "BENCH-WARM-0000", trigger)
    await wait_delivered(w, {"BENCH-WARM-0000": warm}, 30)


async def phase_alone(w: World, trigger: str) -> dict[str, Any]:
    await phase_alone_warm(w, trigger)
    before = graph_requests(w)
    posted: dict[str, float] = {}
    for n in range(ALONE):
        incident_id = f"BENCH-ALONE-{n:04d}"
        posted[incident_id] = await post(w, incident_id, trigger)
        await wait_delivered(w, {incident_id: posted[incident_id]}, 30)
    first, every, missing = latencies(posted, w.deliveries.for_incidents(set(posted)))
    return {
        "incidents": ALONE,
        "first": first,
        "all": every,
        "missing": missing,
        "graph_per_incident": (graph_requests(w) - before) / ALONE,
    }


async def phase_rate(w: World, trigger: str, name: str, count: int, seconds: float) -> dict[str, Any]:
    posted: dict[str, float] = {}
    throttled_before = w.deliveries.throttled
    before = graph_requests(w)
    started = time.perf_counter()

    async def one(n: int) -> None:
        await asyncio.sleep(max(0.0, started + n * seconds / count - time.perf_counter()))
        incident_id = f"BENCH-{name}-{n:04d}"
        posted[incident_id] = await post(w, incident_id, trigger)

    # Teams lets each conversation take 7 messages in any second, and every incident posts one
    # card to each of 4 conversations: N incidents need ceil(N/7)-1 seconds after the first
    # burst, plus one send; never less than the arrivals themselves.
    floor = max(seconds + FLOOR, math.ceil(count / TEAMS_PER_SECOND) - 1 + FLOOR)
    await asyncio.gather(*(one(n) for n in range(count)))
    got = await wait_delivered(w, posted, 1.5 * floor + 20 - (time.perf_counter() - started))
    drained = max((max(t) for t in got.values() if t), default=time.perf_counter())
    first, every, missing = latencies(posted, got)
    per_conversation: dict[str, list[float]] = defaultdict(list)
    for at, incident_id, channel, where in w.deliveries.seen:
        if channel == "teams" and incident_id in posted:
            per_conversation[where].append(at)
    peak = 0
    for times in per_conversation.values():
        times.sort()
        j = 0
        for i, t in enumerate(times):
            while times[j] <= t - 1.0:
                j += 1
            peak = max(peak, i - j + 1)
    per_conv = max((len(t) for t in per_conversation.values()), default=0)
    return {
        "incidents": count,
        "seconds": seconds,
        "first": first,
        "all": every,
        "missing": missing,
        "drain_seconds": drained - started,
        # Teams lets each conversation take 7 messages in any second: N messages need
        # ceil(N/7)-1 seconds after the first burst, plus one send; never less than the arrivals.
        "drain_floor": floor,
        "cards_in_busiest_conversation": per_conv,
        "peak_per_conversation_per_second": peak,
        "throttled_429": w.deliveries.throttled - throttled_before,
        "graph_per_incident": (graph_requests(w) - before) / count,
    }


async def phase_claims(work: Path, trigger: str) -> dict[str, Any]:
    directory = claim_directory(crowd=CLAIMS)
    directory["client"]["tenant_id"] = TENANT_ID
    configuration = assign_acme() | {"room_map": {"hq-4b": CONF4B}}
    async with world(work, directory, configuration) as w:
        await post(w, "BENCH-CLAIM-0000", trigger)
        slot_id = await _first_slot(w, "BENCH-CLAIM-0000")

        async def click(n: int) -> tuple[float, bool]:
            body = activity(
                "invoke",
                user_id=f"29:tech{n:03d}",
                aad=crowd_aad(n),
                conversation_id=f"a:personal-tech{n:03d}",
                service_url=w.connector_url,
                name="adaptiveCard/action",
                value={
                    "action": {
                        "type": "Action.Execute",
                        "verb": "claim_slot",
                        "data": {
                            "action": "claim_slot",
                            "client_id": "contoso",
                            "incident_id": "BENCH-CLAIM-0000",
                            "slot_id": slot_id,
                        },
                    }
                },
            )
            body["conversation"]["tenantId"] = TENANT_ID
            body["channelData"] = {"tenant": {"id": TENANT_ID}}
            started = time.perf_counter()
            async with w.http.post(w.app.base + "/api/messages", json=body) as response:
                await response.read()
                ok = response.status == 200
            return time.perf_counter() - started, ok

        results = await asyncio.gather(*(click(n) for n in range(CLAIMS)))
        claim = await _claim(w, "BENCH-CLAIM-0000")
        winners = await _claim_count(w)
    return {
        "claims": CLAIMS,
        "invoke_seconds": [r[0] for r in results],
        "answered": sum(1 for r in results if r[1]),
        "winners": winners,
        "claimed": claim,
    }


async def _first_slot(w: World, incident_id: str) -> str:
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        async with w.http.get(
            f"{w.app.base}/api/incidents/{incident_id}",
            headers={"Authorization": f"Bearer {_api_key()}"},
        ) as response:
            if response.status == 200:
                body = await response.json()
                if body.get("slots"):
                    return str(body["slots"][0]["id"])
        await asyncio.sleep(0.1)
    raise TimeoutError("no slots for the claim storm")


def _api_key() -> str:
    from tests.samples import API_KEY

    return API_KEY


async def _claim(w: World, incident_id: str) -> bool:
    async with w.http.get(
        f"{w.app.base}/api/incidents/{incident_id}", headers={"Authorization": f"Bearer {_api_key()}"}
    ) as response:
        body = await response.json()
    return body.get("status") == "claimed"


async def _claim_count(w: World) -> int:
    from sqlalchemy import func, select

    from services.store.claim_models import Claim

    async with w.services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Claim)) or 0)


# ---- report ------------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    measured: float
    floor: float | None
    target: str
    met: bool
    unit: str = "s"

    def line(self) -> str:
        ratio = f"{self.measured / self.floor:5.2f}x" if self.floor else "   -  "
        floor = f"{self.floor:8.3f}{self.unit}" if self.floor is not None else "        - "
        return (
            f"  {self.name:<44} {self.measured:8.3f}{self.unit}  floor {floor}  {ratio}  "
            f"{self.target:<18} {'met' if self.met else 'MISSED'}"
        )

    def as_json(self) -> dict[str, Any]:
        ratio = self.measured / self.floor if self.floor else None
        return {
            "name": self.name,
            "measured": self.measured,
            "floor": self.floor,
            "ratio": ratio,
            "unit": self.unit,
            "target": self.target,
            "met": self.met,
        }


def figures(
    alone: dict[str, Any], load: dict[str, Any], storm: dict[str, Any], claims: dict[str, Any]
) -> list[Figure]:
    out: list[Figure] = []
    a50, a95 = pct(alone["first"], 50), pct(alone["first"], 95)
    out.append(
        Figure("alone: incident -> first notification p50", a50, FLOOR, "<= 1.25x floor", a50 <= 1.25 * FLOOR)
    )
    out.append(Figure("alone: incident -> first notification p95", a95, FLOOR, "(no target)", True))
    out.append(
        Figure("alone: incident -> all notifications p50", pct(alone["all"], 50), FLOOR, "(no target)", True)
    )
    out.append(
        Figure("alone: incident -> all notifications p95", pct(alone["all"], 95), FLOOR, "(no target)", True)
    )
    l50, l95 = pct(load["first"], 50), pct(load["first"], 95)
    rate = f"{LOAD_RATE:.0f}/s"
    out.append(
        Figure(f"{rate}: incident -> first notification p50", l50, FLOOR, "<= 1.5x floor", l50 <= 1.5 * FLOOR)
    )
    out.append(
        Figure(f"{rate}: incident -> first notification p95", l95, FLOOR, "<= 2x floor", l95 <= 2 * FLOOR)
    )
    out.append(
        Figure(
            f"{rate}: incident -> all notifications p50",
            pct(load["all"], 50),
            FLOOR,
            "(Teams 7/s bound)",
            True,
        )
    )
    out.append(
        Figure(
            f"{rate}: incident -> all notifications p95",
            pct(load["all"], 95),
            FLOOR,
            "(Teams 7/s bound)",
            True,
        )
    )
    never = float(sum(1 for _ in range(load["incidents"])) - len(load["first"]))
    out.append(
        Figure(f"{rate}: incidents with no notification by the end", never, None, "== 0", never == 0, unit="")
    )
    out.append(
        Figure(
            f"{rate}: notifications not delivered by the end",
            float(load["missing"]),
            None,
            "(no target)",
            True,
            unit="",
        )
    )
    g = alone["graph_per_incident"]
    out.append(
        Figure("Graph requests per incident (room known)", g, 1.0, "== 1", abs(g - 1.0) < 1e-9, unit="")
    )
    drain, floor = storm["drain_seconds"], storm["drain_floor"]
    clean = storm["missing"] == 0
    out.append(
        Figure(
            f"storm {storm['incidents']} in {storm['seconds']:.0f}s: drain",
            drain,
            floor,
            "<= 1.2x floor",
            drain <= 1.2 * floor and clean,
        )
    )
    peak = float(storm["peak_per_conversation_per_second"])
    out.append(
        Figure(
            "storm: peak messages/s in one conversation",
            peak,
            None,
            "<= 7",
            peak <= TEAMS_PER_SECOND,
            unit="",
        )
    )
    left = float(storm["missing"])
    out.append(
        Figure("storm: notifications not delivered", left, None, "== 0 (429s handled)", left == 0, unit="")
    )
    p99 = pct(claims["invoke_seconds"], 99)
    out.append(Figure(f"claim storm {claims['claims']}: invoke p99", p99, None, "< 2 s", p99 < 2.0))
    out.append(
        Figure(
            "claim storm: winners", float(claims["winners"]), None, "== 1", claims["winners"] == 1, unit=""
        )
    )
    return out


@contextlib.asynccontextmanager
async def notifying_world(work: Path) -> Any:
    """The sample client with a Teams channel and three users' personal chats installed."""
    directory = directory_document()
    for user in directory["users"]:
        if user["id"] == "u-bo":
            user.update(aad_object_id=BO_AAD, notify={"email": True, "teams": True})
    configuration: dict[str, Any] = {
        "client_id": "contoso",
        "locations": {"hq": {"scheduling": True, "sla_hours": 4}},
        "room_map": {"hq-4b": CONF4B},
    }
    async with world(work, directory, configuration) as w:
        await _install(
            w,
            conversation_id=CHANNEL,
            conversation_type="channel",
            channelData={"team": {"id": "19:bench-team@thread.tacv2"}},
        )
        for user_id, aad in (
            ("29:ada", None),
            ("29:bo", BO_AAD),
            ("29:sam", "a0000000-0000-4000-8000-0000000000a3"),
        ):
            kwargs: dict[str, Any] = {"user_id": user_id, "conversation_id": f"a:personal-{user_id[3:]}"}
            if aad:
                kwargs["aad"] = aad
            await _install(w, **kwargs)
        configuration["locations"]["hq"]["teams_channel"] = CHANNEL  # installed there now
        await w.services.integration.apply(configuration)
        yield w


async def run() -> dict[str, Any]:
    """Each load in a fresh app and database, so no phase inherits another's backlog."""
    trigger = next_weekday_at(12, 5).isoformat()
    with tempfile.TemporaryDirectory(prefix="pivot-e2e-") as tmp:
        work = Path(tmp)
        for name in ("alone", "load", "storm", "claims"):
            (work / name).mkdir()
        async with notifying_world(work / "alone") as w:
            print(f"  e2e: alone ({ALONE} incidents, one after another)...", flush=True)
            alone = await phase_alone(w, trigger)
        async with notifying_world(work / "load") as w:
            await phase_alone_warm(w, trigger)
            print(f"  e2e: {LOAD_RATE:.0f} incidents/s for {LOAD_SECONDS:.0f} s...", flush=True)
            load = await phase_rate(w, trigger, "LOAD", int(LOAD_RATE * LOAD_SECONDS), LOAD_SECONDS)
        async with notifying_world(work / "storm") as w:
            await phase_alone_warm(w, trigger)
            print(f"  e2e: storm of {STORM} incidents in {STORM_SECONDS:.0f} s...", flush=True)
            storm = await phase_rate(w, trigger, "STORM", STORM, STORM_SECONDS)
        print(f"  e2e: claim storm ({CLAIMS} concurrent claims)...", flush=True)
        claims = await phase_claims(work / "claims", trigger)
    return {"alone": alone, "load": load, "storm": storm, "claims": claims}


def main() -> None:
    print(
        f"End to end (Graph +{GRAPH_MS} ms, SMTP {SMTP_MS} ms/message, Bot Connector {CONNECTOR_MS} ms/call"
        f", {'PostgreSQL' if os.environ.get('BENCH_POSTGRES') else 'SQLite'}"
        f"{', short mode' if SHORT else ''}):",
        flush=True,
    )
    raw = asyncio.run(run())
    result = figures(raw["alone"], raw["load"], raw["storm"], raw["claims"])
    for figure in result:
        print(figure.line())
    targets = [f for f in result if f.target != "(no target)" and not f.target.startswith("(")]
    met_targets = sum(1 for f in targets if f.met)
    print(
        f"  e2e summary: {met_targets}/{len(targets)} targets met"
        f" ({', '.join(f.name for f in targets if not f.met) or 'all met'})"
    )
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    summary = {
        phase: {k: v for k, v in data.items() if not isinstance(v, list)} for phase, data in raw.items()
    }
    document = {
        "bench": "e2e",
        "at": stamp,
        "short": SHORT,
        "database": "postgresql" if os.environ.get("BENCH_POSTGRES") else "sqlite",
        "round_trips_ms": {"graph": GRAPH_MS, "smtp": SMTP_MS, "bot_connector": CONNECTOR_MS},
        "figures": [f.as_json() for f in result],
        "targets_met": met_targets,
        "targets": len(targets),
        "phases": summary,
        "id": uuid.uuid4().hex[:8],
    }
    path = out / f"e2e-{stamp}.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    print(f"  e2e results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
