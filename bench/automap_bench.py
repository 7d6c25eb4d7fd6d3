"""Automap speed on a large synthetic site (300 × 300 rooms), best of three runs."""

from __future__ import annotations

import time

from tests.services.domain.test_automap import large_site

from services.domain.automap import propose

TARGET_SECONDS = 1.0


def main() -> None:
    calendar, pivot = large_site(300)
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        propose(calendar, pivot)
        runs.append(time.perf_counter() - started)
    best = min(runs)
    verdict = "met" if best < TARGET_SECONDS else "NOT met"
    print(f"\nAutomap 300 x 300 rooms: best {best:.2f}s of 3 (target < {TARGET_SECONDS:.1f}s): {verdict}")
