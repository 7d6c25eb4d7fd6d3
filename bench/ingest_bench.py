"""Signed webhook ingest: accepted incidents per second and latency, next to a bare
aiohttp handler measured in the same run.

Both servers run as separate processes on loopback; the load generator is
bounded (a fixed number of requests and a time limit) and stops by itself.
Targets: >= 500 incidents/s on SQLite with p99 < 100 ms, and >= 25% of the bare
handler's rate. The two are loaded in alternating rounds and each reported by its median
round, so a burst of other work on the host moves both alike instead of one run's ratio.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from demo.playground import ROOT
from tests.samples import WEBHOOK_SECRET, directory
from tests.webhooks import signed

REQUESTS = 3000
CONCURRENCY = 16
TIME_LIMIT = 30.0
TARGET_RATE = 500.0
TARGET_P99_MS = 100.0
TARGET_RATIO = 0.25
ROUNDS = 3


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("server exited during start-up")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise TimeoutError(url)


async def _load(url: str, bodies: list[tuple[bytes, dict[str, str]]]) -> dict[str, float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
    for item in bodies:
        queue.put_nowait(item)
    deadline = time.monotonic() + TIME_LIMIT
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while not queue.empty() and time.monotonic() < deadline:
                body, headers = queue.get_nowait()
                started = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    accepted = statuses.get(202, 0)
    return {
        "requests": len(latencies),
        "accepted": accepted,
        "rate": accepted / elapsed if elapsed else 0.0,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0.0,
        "other_statuses": float(sum(v for k, v in statuses.items() if k != 202)),
    }


def _bodies(count: int) -> list[tuple[bytes, dict[str, str]]]:
    run = uuid.uuid4().hex[:8]
    out = []
    for n in range(count):
        payload = {
            "id": f"BENCH-{run}-{n}",
            "client_id": "contoso",
            "room_id": "hq-5a",
            "triggered_at": "2026-11-24T14:05:00Z",
            "title": "Display offline",
            "severity": "high",
        }
        out.append(signed(WEBHOOK_SECRET, payload))
    return out


async def run() -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            SECRET_KEY="bench-secret-key-0123456789abcdef-not-for-production",
            MICROSOFT_APP_ID="",
        )
        directory_file = Path(tmp) / "directory.json"
        directory_file.write_text(json.dumps(directory()))
        subprocess.run(
            [sys.executable, str(ROOT / "app.py"), "import-directory", str(directory_file)],
            check=True,
            env=env,
            cwd=tmp,
            capture_output=True,
        )
        app_port, bare_port = _free_port(), _free_port()
        env["PORT"] = str(app_port)
        app = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "serve", "--dangerously-allow-unauthenticated"],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        bare = subprocess.Popen(
            [sys.executable, "-m", "bench.bare_server", str(bare_port)],
            cwd=str(ROOT),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await _wait(f"http://127.0.0.1:{app_port}/readyz", app)
            await _wait(f"http://127.0.0.1:{bare_port}/healthz", bare)
            bare_rounds: list[dict[str, float]] = []
            app_rounds: list[dict[str, float]] = []
            for _ in range(ROUNDS):
                bodies = _bodies(REQUESTS)  # fresh incident ids each round
                bare_rounds.append(await _load(f"http://127.0.0.1:{bare_port}/api/incidents", bodies))
                app_rounds.append(await _load(f"http://127.0.0.1:{app_port}/api/incidents", bodies))
            bare_result, app_result = _median_round(bare_rounds), _median_round(app_rounds)
        finally:
            for proc in (app, bare):
                proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
    return {"app": app_result, "bare": bare_result}


def _median_round(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The round with the median rate (its own p50 and p99 with it)."""
    return sorted(rounds, key=lambda r: r["rate"])[len(rounds) // 2]


def main() -> None:
    results = asyncio.run(run())
    app, bare = results["app"], results["bare"]
    ratio = app["rate"] / bare["rate"] if bare["rate"] else 0.0
    print(
        "\nSigned webhook ingest (SQLite, loopback, "
        f"{REQUESTS} requests, concurrency {CONCURRENCY}, limit {TIME_LIMIT:.0f}s; "
        f"median of {ROUNDS} alternating rounds)"
    )
    print(f"{'server':<8} {'accepted/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9}")
    for name, r in (("app", app), ("bare", bare)):
        print(f"{name:<8} {r['rate']:>11.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['requests']:>9.0f}")
    print(f"ratio app/bare: {ratio:.2f} (target >= {TARGET_RATIO:.2f})")
    ok = app["rate"] >= TARGET_RATE and app["p99_ms"] < TARGET_P99_MS and ratio >= TARGET_RATIO
    print(
        f"targets (>= {TARGET_RATE:.0f}/s, p99 < {TARGET_P99_MS:.0f} ms, ratio >= {TARGET_RATIO}): "
        + ("met" if ok else "NOT met")
    )
