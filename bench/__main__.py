"""`make bench`: the speed targets, measured side by side in one run."""

from __future__ import annotations

import os
import sys

from bench import automap_bench, availability_bench, e2e_bench, emulator_bench, ingest_bench


def main() -> None:
    """All benches; `BENCH_SHORT=1` (or `--short`) runs the end-to-end one small, `--e2e` only it."""
    if "--e2e" not in sys.argv and not os.environ.get("BENCH_E2E_ONLY"):
        availability_bench.main()
        automap_bench.main()
        ingest_bench.main()
        emulator_bench.main()
    e2e_bench.main()


if __name__ == "__main__":
    main()
