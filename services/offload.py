"""CPU-heavy work off the event loop: one rule for when and how.

Automap over thousands of rooms and availability over large calendars take
from milliseconds to seconds of pure Python. Run inline they block every HTTP
request and Teams turn of the instance; here they run in a worker thread when
the input is large (`size` at or above OFFLOAD_MIN_SIZE), inline when it is
small (a thread hop would cost more than the work).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
OFFLOAD_MIN_SIZE = 200  # events, or calendar rooms x pivot rooms / 100 for automap


async def off_loop(size: int, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """`fn(*args, **kwargs)`, in a worker thread when `size` says the work is large."""
    if size < OFFLOAD_MIN_SIZE:
        return fn(*args, **kwargs)
    return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))
