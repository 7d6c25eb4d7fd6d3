"""Automap quality: precision, recall, null accuracy and reuse per site and per kind.

Reads labelled sites in two layouts: the public sample (``site-N.{calendar,pivot,gold}.json``
in one folder) and the corpus (``<split>/<site>/<site>.{calendar,pivot,gold}.json``, gold
rows tagged with a ``kind``).
``python -m bench.automap_eval [sample|tune|holdout|holdout2|holdout3|holdout4 ...] [--misses]``.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.domain.automap import propose

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT.parent / "shared" / "automap-sample"
CORPUS_DIR = ROOT / "tests" / "services" / "domain" / "automap_corpus"
SPLITS = (
    "sample",
    "tune",
    "holdout",
    "holdout2",
    "holdout3",
    "holdout4",
    "holdout5",
    "holdout6",
    "holdout7",
    "holdout8",
    "holdout9",
)


@dataclass(frozen=True)
class Site:
    name: str
    calendar: list[dict[str, Any]]
    pivot: list[dict[str, Any]]
    gold: list[dict[str, Any]]


@dataclass
class Tally:
    """Counts behind precision (right / proposed), recall (right / gold pairs), null accuracy."""

    proposed: int = 0
    right: int = 0
    pairs: int = 0
    nulls: int = 0
    nulls_kept: int = 0
    reused: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.proposed += other.proposed
        self.right += other.right
        self.pairs += other.pairs
        self.nulls += other.nulls
        self.nulls_kept += other.nulls_kept
        self.reused += other.reused
        self.wrong += other.wrong

    @property
    def precision(self) -> float:
        return self.right / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.pairs if self.pairs else 1.0

    @property
    def null_accuracy(self) -> float:
        return self.nulls_kept / self.nulls if self.nulls else 1.0


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_split(split: str) -> list[Site]:
    """The labelled sites of one split ("sample", "tune", "holdout", "holdout2", "holdout3" or "holdout4")."""
    if split == "sample":
        files = sorted(SAMPLE_DIR.glob("site-*.calendar.json"))
        folder_of = {f: f.parent for f in files}
    else:
        files = sorted((CORPUS_DIR / split).glob("*/*.calendar.json"))
        folder_of = {f: f.parent for f in files}
    sites = []
    for calendar_file in files:
        name = calendar_file.name.removesuffix(".calendar.json")
        folder = folder_of[calendar_file]
        sites.append(
            Site(
                name,
                _load(calendar_file),
                _load(folder / f"{name}.pivot.json"),
                _load(folder / f"{name}.gold.json"),
            )
        )
    return sites


def evaluate(site: Site, rows: Sequence[Mapping[str, Any]] | None = None) -> tuple[Tally, dict[str, Tally]]:
    """Score one site's proposal (computed when not given), overall and per gold kind."""
    rows = propose(site.calendar, site.pivot) if rows is None else rows
    pred = {r["calendar_room"]: r["pivot_room"] for r in rows}
    names = {c["email"]: c["name"] for c in site.calendar}
    pivot_names = {p["id"]: p["name"] for p in site.pivot}
    total = Tally()
    kinds: dict[str, Tally] = defaultdict(Tally)
    for g in site.gold:
        email, want = g["calendar_room"], g["pivot_room"]
        got = pred.get(email)
        tally = Tally()
        if want is None:
            tally.nulls = 1
            tally.nulls_kept = int(got is None)
        else:
            tally.pairs = 1
        if got is not None:
            tally.proposed = 1
            tally.right = int(got == want)
        if got != want:
            tally.wrong.append(
                f"{site.name}: {names.get(email)!r} -> {pivot_names.get(got) if got is not None else None!r}"
                f" (gold {pivot_names.get(want) if want is not None else None!r}, {g.get('kind', '-')})"
            )
        total.add(tally)
        kinds[g.get("kind", "-")].add(tally)
    used = [p for p in pred.values() if p is not None]
    total.reused = len(used) - len(set(used))
    return total, dict(kinds)


def _line(label: str, t: Tally) -> str:
    return (
        f"  {label:<22} P={t.precision:.3f} R={t.recall:.3f} null={t.null_accuracy:.3f} "
        f"reuse={t.reused}  ({t.right}/{t.pairs} pairs, {t.proposed - t.right} wrong, "
        f"{t.nulls_kept}/{t.nulls} nulls)"
    )


def report(split: str, *, show_misses: bool = False) -> Tally:
    """Print the split's figures per site and per kind; return the pooled tally."""
    sites = load_split(split)
    overall = Tally()
    kinds: dict[str, Tally] = defaultdict(Tally)
    print(f"\nAutomap quality on {split} ({len(sites)} sites)")
    for site in sites:
        total, per_kind = evaluate(site)
        print(_line(site.name, total))
        overall.add(total)
        for kind, tally in per_kind.items():
            kinds[kind].add(tally)
    if len(kinds) > 1:
        print("  per kind:")
        for kind in sorted(kinds, key=lambda k: (-kinds[k].pairs - kinds[k].nulls, k)):
            print("  " + _line(kind, kinds[kind]))
    print(_line("ALL " + split, overall))
    if show_misses:
        for miss in overall.wrong:
            print("    miss " + miss)
    return overall


def main(argv: Iterable[str] = ()) -> None:
    args = list(argv)
    misses = "--misses" in args
    splits = [a for a in args if a in SPLITS] or list(SPLITS)
    for split in splits:
        report(split, show_misses=misses)


if __name__ == "__main__":
    main(sys.argv[1:])
