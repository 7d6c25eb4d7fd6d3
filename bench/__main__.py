"""`make bench`: the speed targets, measured side by side in one run."""

from __future__ import annotations

from bench import automap_bench, availability_bench, emulator_bench, ingest_bench


def main() -> None:
    availability_bench.main()
    automap_bench.main()
    ingest_bench.main()
    emulator_bench.main()


if __name__ == "__main__":
    main()
