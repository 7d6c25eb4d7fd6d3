"""CPU-heavy work (automap, large availability computations) leaves the event loop free."""

from __future__ import annotations

import asyncio
import threading
import time

from services.domain.automap import propose
from services.offload import OFFLOAD_MIN_SIZE, off_loop


def rooms(n: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    calendar = [
        {"name": f"HQ-{i // 40:02d}-Conf Rm {i} ({i % 12 + 2})", "email": f"r{i}@c.example"} for i in range(n)
    ]
    pivot = [{"id": f"p{i}", "name": f"Conference Room {i * 7}"} for i in range(n // 10)]
    return calendar, pivot


async def heartbeat(stop: asyncio.Event, gaps: list[float]) -> None:
    last = time.monotonic()
    while not stop.is_set():
        await asyncio.sleep(0.01)
        now = time.monotonic()
        gaps.append(now - last)
        last = now


async def test_a_large_automap_runs_while_the_loop_keeps_answering() -> None:
    calendar, pivot = rooms(1200)
    started = time.monotonic()
    inline = propose(calendar, pivot)
    took = time.monotonic() - started
    stop, gaps = asyncio.Event(), []
    beat = asyncio.create_task(heartbeat(stop, gaps))
    result = await off_loop(len(calendar) * len(pivot) // 100, propose, calendar, pivot)
    stop.set()
    await beat
    assert result == inline
    assert took > 0.3  # the work is big enough to matter...
    assert max(gaps) < min(0.25, took / 2)  # ...and the loop never stalled for it


async def test_small_work_runs_inline() -> None:
    seen: list[str] = []
    await off_loop(OFFLOAD_MIN_SIZE - 1, lambda: seen.append(threading.current_thread().name))
    await off_loop(OFFLOAD_MIN_SIZE, lambda: seen.append(threading.current_thread().name))
    assert seen[0] == threading.main_thread().name
    assert seen[1] != threading.main_thread().name
