"""Tests for the room automapper (DESIGN.md 3.6).

The sample corpus in ../shared/automap-sample is scored with its README's metric, the
normaliser is checked table by table, the contract invariants are checked with
Hypothesis, and held-out sites in automap_cases/ (never used to tune the matcher)
guard against overfitting to the sample.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.automap import (
    DEFAULT_THRESHOLD,
    RoomKey,
    normalize,
    propose,
    site_codes,
    validate_inputs,
)

SAMPLE_DIR = Path(__file__).resolve().parents[4] / "shared" / "automap-sample"
CASES_DIR = Path(__file__).resolve().parent / "automap_cases"

Rows = Sequence[Mapping[str, Any]]


def score(pred_rows: Rows, gold_rows: Rows) -> dict[str, float]:
    """The sample README's metric, micro-averaged over the given rows."""
    gold = {g["calendar_room"]: g["pivot_room"] for g in gold_rows}
    pred = {p["calendar_room"]: p["pivot_room"] for p in pred_rows}
    predicted = [e for e in gold if pred.get(e) is not None]
    correct = [e for e in predicted if pred[e] == gold[e]]
    gold_pairs = [e for e in gold if gold[e] is not None]
    gold_nulls = [e for e in gold if gold[e] is None]
    used = [p for p in pred.values() if p is not None]
    return {
        "precision": len(correct) / len(predicted) if predicted else 0.0,
        "recall": len(correct) / len(gold_pairs) if gold_pairs else 0.0,
        "null_accuracy": (
            sum(e in pred and pred[e] is None for e in gold_nulls) / len(gold_nulls) if gold_nulls else 1.0
        ),
        "reused": len({p for p in used if used.count(p) > 1}),
    }


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _sample_sites() -> list[tuple[str, list[Any], list[Any], list[Any]]]:
    if not SAMPLE_DIR.is_dir():
        pytest.fail(
            f"automap sample corpus not found at {SAMPLE_DIR}; it must sit in the 'shared' "
            "folder beside the repository (shared/automap-sample/site-N.*.json)"
        )
    sites = []
    for calendar_file in sorted(SAMPLE_DIR.glob("site-*.calendar.json")):
        site = calendar_file.name.removesuffix(".calendar.json")
        pivot_file = SAMPLE_DIR / f"{site}.pivot.json"
        gold_file = SAMPLE_DIR / f"{site}.gold.json"
        if not pivot_file.is_file() or not gold_file.is_file():
            pytest.fail(f"{site}: missing {pivot_file.name} or {gold_file.name} in {SAMPLE_DIR}")
        sites.append((site, _load(calendar_file), _load(pivot_file), _load(gold_file)))
    if not sites:
        pytest.fail(f"no site-N.calendar.json files in {SAMPLE_DIR}")
    return sites


def _held_out_sites() -> list[tuple[str, list[Any], list[Any], list[Any]]]:
    sites = []
    for path in sorted(CASES_DIR.glob("*.json")):
        data = _load(path)
        sites.append((path.stem, data["calendar"], data["pivot"], data["gold"]))
    assert sites, f"no held-out cases in {CASES_DIR}"
    return sites


def _format(metrics: Mapping[str, float]) -> str:
    return ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())


def _score_sites(
    sites: Sequence[tuple[str, list[Any], list[Any], list[Any]]],
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    per_site: dict[str, dict[str, float]] = {}
    all_pred: list[Mapping[str, Any]] = []
    all_gold: list[Mapping[str, Any]] = []
    for site, calendar, pivot, gold in sites:
        pred = propose(calendar, pivot)
        assert [r["calendar_room"] for r in pred] == [c["email"] for c in calendar]
        # Emails are unique per tenant; prefix them so sites cannot collide when pooled.
        all_pred += [
            {
                **r,
                "calendar_room": f"{site}/{r['calendar_room']}",
                "pivot_room": r["pivot_room"] and f"{site}/{r['pivot_room']}",
            }
            for r in pred
        ]
        all_gold += [
            {
                **g,
                "calendar_room": f"{site}/{g['calendar_room']}",
                "pivot_room": g["pivot_room"] and f"{site}/{g['pivot_room']}",
            }
            for g in gold
        ]
        per_site[site] = score(pred, gold)
    return per_site, score(all_pred, all_gold)


# ---------------------------------------------------------------------------
# Corpus scores
# ---------------------------------------------------------------------------


def test_sample_corpus_precision_recall_reuse() -> None:
    per_site, overall = _score_sites(_sample_sites())
    for site, metrics in per_site.items():
        print(f"automap sample {site}: {_format(metrics)}")
    print(f"automap sample overall: {_format(overall)}")
    for name, metrics in [*per_site.items(), ("overall", overall)]:
        assert metrics["precision"] == 1.0, f"{name}: a wrong pair was proposed: {metrics}"
        assert metrics["recall"] >= 0.9, f"{name}: recall too low: {metrics}"
        assert metrics["reused"] == 0, f"{name}: a pivot room was used twice: {metrics}"


def test_held_out_cases_precision_first() -> None:
    """Sites in other languages and conventions, written without tuning on them."""
    per_site, overall = _score_sites(_held_out_sites())
    for site, metrics in per_site.items():
        print(f"automap held-out {site}: {_format(metrics)}")
    print(f"automap held-out overall: {_format(overall)}")
    for name, metrics in per_site.items():
        assert metrics["precision"] == 1.0, f"{name}: a wrong pair was proposed: {metrics}"
        assert metrics["recall"] >= 0.75, f"{name}: recall too low: {metrics}"
        assert metrics["null_accuracy"] == 1.0, f"{name}: a null room got a pair: {metrics}"
        assert metrics["reused"] == 0, f"{name}: a pivot room was used twice: {metrics}"
    assert overall["recall"] >= 0.9, f"held-out recall too low overall: {overall}"


def test_hundreds_of_rooms_keep_the_contract() -> None:
    """300 × 300 rooms: one row each, no pivot room twice (its speed is in `make bench`)."""
    calendar, pivot = large_site(300)
    rows = propose(calendar, pivot)
    assert [r["calendar_room"] for r in rows] == [c["email"] for c in calendar]
    used = [r["pivot_room"] for r in rows if r["pivot_room"] is not None]
    assert len(used) == len(set(used))


def large_site(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A synthetic site with many near-duplicate names (also used by bench/automap_bench.py)."""
    names = ["Lyra", "Draco", "Ravel", "Revel", "Orion", "Vega", "Atlas", "Huddle", "Studio"]
    calendar = [
        {
            "name": f"HQ-{i % 9:02d}-{names[i % 9]} {i // 9}.{i % 7:02d} ({i % 12 + 2})",
            "email": f"room{i}@example.com",
        }
        for i in range(count)
    ]
    pivot = [{"id": j, "name": f"{names[j % 9]} {j // 9}-{j % 7:02d}"} for j in range(count)]
    return calendar, pivot


# ---------------------------------------------------------------------------
# Normaliser
# ---------------------------------------------------------------------------

NORMALISER_CASES: list[tuple[str, tuple[str, ...], set[str], int | None, str | None]] = [
    # name, words, identifiers, floor, site
    ("Conf Rm 4B (12)", ("conference", "room"), {"4b"}, None, None),
    ("Conference Room 4 B", ("conference", "room"), {"4b"}, None, None),
    ("HQ-04-Boardroom [VC]", ("board", "room"), set(), 4, "hq"),
    ("Board Room", ("board", "room"), set(), None, None),
    ("Room 4.02 - Huddle [VC]", ("room", "huddle"), {"402"}, None, None),
    ("NYC 5th Ave - Huddle 2.01 (4p)", ("huddle",), {"201"}, None, "nyc"),
    ("Huddle 2-10", ("huddle",), {"210"}, None, None),
    ("Huddle 210", ("huddle",), {"210"}, None, None),
    ("Trng Rm A - 24 pax", ("training", "room"), {"a"}, None, None),
    ("Exec Mtg Rm", ("executive", "meeting", "room"), set(), None, None),
    ("MR 2.01", ("meeting", "room"), {"201"}, None, None),
    ("PAR-2E-Salle Deux (6p)", ("salle",), {"2"}, 2, "par"),
    ("Salle de réunion - 3e étage", ("salle", "reunion"), set(), 3, None),
    ("Salle de réunion - RDC", ("salle", "reunion"), set(), 0, None),
    ("Salle d'Orsay (visio)", ("salle", "orsay"), set(), None, None),
    ("Amphi (80 places)", ("amphitheatre",), set(), None, None),
    ("Everest (L5) - Teams Room", ("everest",), set(), 5, None),
    ("orion L3 zoom", ("orion",), set(), 3, None),
    ("Second Floor Collab Area (10)", ("collaboration", "area"), set(), 2, None),
    ("Collaboration Area - 2F", ("collaboration", "area"), set(), 2, None),
    ("Level 12 - Harbour View", ("harbour", "view"), set(), 12, None),
    ("3.OG Raum 301", ("raum",), {"301"}, 3, None),
    ("Schulungsraum Zwei (2. OG)", ("schulung", "raum"), {"2"}, 2, None),
    ("Großer Saal (80 Pers.)", ("grosser", "saal"), set(), None, None),
    ("Sala de Juntas (14 pers.) [Teams]", ("sala", "juntas"), set(), None, None),
    ("Sala Tres (planta 2)", ("sala",), {"3"}, 2, None),
    ("Planta Baja - Auditorio", ("auditorio",), set(), 0, None),
    ("Sala Riunioni (2° piano)", ("sala", "riunioni"), set(), 2, None),
    ("Vergaderruimte 2.14 (4p)", ("vergader", "ruimte"), {"214"}, None, None),
    ("Room 7 - cap. 10", ("room",), {"7"}, None, None),
    ("Training Room A/B", ("training", "room"), {"a", "b"}, None, None),
    ("Переговорная 1", ("переговорная",), {"1"}, None, None),
]


@pytest.mark.parametrize(("name", "words", "idents", "floor", "site"), NORMALISER_CASES)
def test_normalize(
    name: str, words: tuple[str, ...], idents: set[str], floor: int | None, site: str | None
) -> None:
    key = normalize(name)
    assert (key.words, set(key.idents), key.floor, key.site) == (words, idents, floor, site)


def test_normalize_aliases_and_building() -> None:
    cafe = normalize("Cafe / All Hands")
    assert cafe.aliases == ((("cafe",), frozenset()), (("all", "hands"), frozenset()))
    assert normalize("Bldg 40 Cafe") == RoomKey(("cafe",), frozenset(), building="40")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Conf Rm 4A (10)", "Conference Room 4A"),
        ("Huddle 2.10", "Huddle 2-10"),
        ("Salle Cézanne", "SALLE CEZANNE"),
        ("Boardroom", "Board Room"),
        ("Training Room (Teams) B", "Trng Rm B - 24 pax"),
    ],
)
def test_normalize_equivalent_spellings(first: str, second: str) -> None:
    a, b = normalize(first), normalize(second)
    assert (a.words, a.idents) == (b.words, b.idents)


def test_site_codes() -> None:
    names = ["BOS - Boardroom", "HQ-04-Boardroom", "Lyon - Salle A", "Lyon - Salle B", "Denali"]
    assert set(site_codes(names)) == {"bos", "hq", "lyon"}
    # A leading word that is part of the other list's room names is not a site.
    assert set(site_codes(["LAB - Robotics", "LAB - Optics"], ["Optics Lab"])) == set()
    # A city written out beside its code is the same site.
    codes = site_codes(["CHI-20-Wrigley", "CHI-21-Kinzie", "Chicago - Huddle 1"])
    assert codes["chicago"] == "chi"


# ---------------------------------------------------------------------------
# Matching behaviour
# ---------------------------------------------------------------------------


def _pairs(calendar: Sequence[str], pivot: Sequence[str]) -> dict[str, str | None]:
    rows = propose(
        [{"name": n, "email": f"cal{i}@example.com"} for i, n in enumerate(calendar)],
        [{"id": n, "name": n} for n in pivot],
    )
    return {n: r["pivot_room"] for n, r in zip(calendar, rows, strict=True)}


MATCHING_CASES: list[tuple[list[str], list[str], dict[str, str | None]]] = [
    # Near duplicates: the differing token sinks the pair.
    (["Salle Ravel"], ["Salle Revel"], {"Salle Ravel": None}),
    (["Orion Annex"], ["Orion"], {"Orion Annex": None}),
    (["Orion"], ["Orion Annex"], {"Orion": None}),
    (["Studio C"], ["Studio A", "Studio B"], {"Studio C": None}),
    (["Pod 3.11"], ["Pod 3.01", "Pod 3.10"], {"Pod 3.11": None}),
    (["Atlas"], ["Atlas 2"], {"Atlas": None}),
    (["Rose"], ["Rosemary"], {"Rose": None}),
    (
        ["Orion Annex", "Orion", "Studio A (4)", "Studio B [VC]", "Pod 3.10"],
        ["Orion", "Pod 3-10", "Studio B", "Orion Annex", "Studio A"],
        {
            "Orion Annex": "Orion Annex",
            "Orion": "Orion",
            "Studio A (4)": "Studio A",
            "Studio B [VC]": "Studio B",
            "Pod 3.10": "Pod 3-10",
        },
    ),
    # The same name on two floors, told apart by the floor.
    (
        ["XYZ-1ER-Salle Projet", "XYZ-4E-Salle Projet"],
        ["Salle Projet (4e étage)", "Salle Projet - 1er étage"],
        {
            "XYZ-1ER-Salle Projet": "Salle Projet - 1er étage",
            "XYZ-4E-Salle Projet": "Salle Projet (4e étage)",
        },
    ),
    # Two calendar rooms the pivot room fits equally well: a coin toss, so no pair.
    (["L1 - Orion", "L2 - Orion"], ["Orion"], {"L1 - Orion": None, "L2 - Orion": None}),
    # Another site of the tenant with the same room name stays unmatched.
    (
        ["SFO - Orion", "SFO - Studio 9", "DEN-Orion", "DEN-Vega (8)", "DEN-Atlas"],
        ["Orion", "Vega", "Atlas"],
        {
            "SFO - Orion": None,
            "SFO - Studio 9": None,
            "DEN-Orion": "Orion",
            "DEN-Vega (8)": "Vega",
            "DEN-Atlas": "Atlas",
        },
    ),
    # Typos in long names, accents, number words, typed-out abbreviations.
    (["Matterhron (L5)"], ["Matterhorn"], {"Matterhron (L5)": "Matterhorn"}),
    (["Sala Velazquez"], ["Sala Velázquez"], {"Sala Velazquez": "Sala Velázquez"}),
    (["Raum Drei"], ["Raum 3"], {"Raum Drei": "Raum 3"}),
    (["Exec Brd Rm"], ["Executive Board Room"], {"Exec Brd Rm": "Executive Board Room"}),
    # A name typed identically on both sides always pairs.
    (["Orion (old)"], ["Orion (old)", "Orion"], {"Orion (old)": "Orion (old)"}),
]


@pytest.mark.parametrize(("calendar", "pivot", "expected"), MATCHING_CASES)
def test_matching(calendar: list[str], pivot: list[str], expected: dict[str, str | None]) -> None:
    assert _pairs(calendar, pivot) == expected


def test_threshold_controls_confidence() -> None:
    calendar = [{"name": "Salle Orion", "email": "o@example.com"}]
    pivot = [{"id": 7, "name": "Orion"}]
    (row,) = propose(calendar, pivot)
    assert row["pivot_room"] == 7 and DEFAULT_THRESHOLD <= row["score"] < 1.0
    (strict,) = propose(calendar, pivot, threshold=0.99)
    assert strict["pivot_room"] is None and strict["score"] == row["score"]


def test_empty_inputs() -> None:
    assert propose([], []) == []
    assert propose([{"name": "Orion", "email": "o@example.com"}], []) == [
        {"calendar_room": "o@example.com", "pivot_room": None, "score": 0.0}
    ]


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------

GOOD_CAL = {"name": "Orion", "email": "orion@example.com"}
GOOD_PIV = {"id": "p1", "name": "Orion"}


@pytest.mark.parametrize(
    ("calendar", "pivot", "message"),
    [
        ([{"email": "a@example.com"}], [GOOD_PIV], r"calendar room #1 has no usable 'name'"),
        ([{"name": "  ", "email": "a@example.com"}], [GOOD_PIV], r"calendar room #1 .*'name'"),
        ([GOOD_CAL, {"name": "Vega"}], [GOOD_PIV], r"calendar room #2 has no usable 'email'"),
        (
            [GOOD_CAL, {"name": "Vega", "email": "ORION@example.com"}],
            [GOOD_PIV],
            r"calendar room #2 repeats email 'ORION@example.com' .*#1",
        ),
        ([GOOD_CAL], [GOOD_PIV, {"id": "p1", "name": "Vega"}], r"pivot room #2 repeats id 'p1'"),
        ([GOOD_CAL], [{"name": "Vega"}], r"pivot room #1 has no usable 'id'"),
        ([GOOD_CAL], [{"id": True, "name": "Vega"}], r"pivot room #1 has no usable 'id'"),
        ([GOOD_CAL], [{"id": 3}], r"pivot room #1 has no usable 'name'"),
        (["Orion"], [GOOD_PIV], r"calendar room #1 is not an object"),
        ({"name": "Orion"}, [GOOD_PIV], r"calendar rooms must be a JSON list"),
        ([GOOD_CAL], "Orion", r"pivot rooms must be a JSON list"),
    ],
)
def test_validation_names_the_bad_item(calendar: Any, pivot: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_inputs(calendar, pivot)
    with pytest.raises(ValueError, match=message):
        propose(calendar, pivot)


@pytest.mark.parametrize("threshold", [0.0, -0.1, 1.5])
def test_threshold_out_of_range(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        propose([GOOD_CAL], [GOOD_PIV], threshold=threshold)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

_WORDS = [
    "Orion",
    "Vega",
    "Salle",
    "Room",
    "Conf",
    "Rm",
    "Huddle",
    "Annex",
    "Sala",
    "Raum",
    "Boardroom",
    "Training",
    "Deux",
    "A",
    "B",
    "HQ",
    "BOS",
    "[VC]",
    "(8)",
    "(4p)",
    "-",
    "2.01",
    "2-10",
    "210",
    "L5",
    "3e étage",
    "Café",
    "Cafe",
    "/",
    "Zoom",
]
_names = st.one_of(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5).map(" ".join),
    st.text(min_size=1, max_size=20),
).filter(lambda n: bool(n.strip()))


def _calendar(names: Sequence[str]) -> list[dict[str, str]]:
    return [{"name": n, "email": f"cal{i}@example.com"} for i, n in enumerate(names)]


def _pivot(names: Sequence[str]) -> list[dict[str, Any]]:
    return [{"id": f"p{j}", "name": n} for j, n in enumerate(names)]


@settings(max_examples=150, deadline=None)
@given(st.lists(_names, max_size=12), st.lists(_names, max_size=12))
def test_property_contract_shape(cal_names: list[str], piv_names: list[str]) -> None:
    calendar, pivot = _calendar(cal_names), _pivot(piv_names)
    rows = propose(calendar, pivot)
    assert [r["calendar_room"] for r in rows] == [c["email"] for c in calendar]
    used = [r["pivot_room"] for r in rows if r["pivot_room"] is not None]
    assert len(used) == len(set(used))
    assert set(used) <= {p["id"] for p in pivot}
    for row in rows:
        assert set(row) == {"calendar_room", "pivot_room", "score"}
        assert isinstance(row["score"], float) and 0.0 <= row["score"] <= 1.0


@settings(max_examples=100, deadline=None)
@given(st.lists(_names, max_size=10), st.lists(_names, min_size=1, max_size=10), st.data())
def test_property_pivot_order_does_not_matter(
    cal_names: list[str], piv_names: list[str], data: st.DataObject
) -> None:
    calendar, pivot = _calendar(cal_names), _pivot(piv_names)
    shuffled = data.draw(st.permutations(pivot))
    assert propose(calendar, shuffled) == propose(calendar, pivot)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(_names, min_size=1, max_size=10, unique_by=lambda n: " ".join(n.casefold().split())),
    st.data(),
)
def test_property_exact_names_pair(names: list[str], data: st.DataObject) -> None:
    cal_names = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    piv_names = data.draw(st.permutations(names))
    rows = propose(_calendar(cal_names), _pivot(piv_names))
    pivot_name = {f"p{j}": n for j, n in enumerate(piv_names)}
    for name, row in zip(cal_names, rows, strict=True):
        assert row["pivot_room"] is not None and pivot_name[row["pivot_room"]] == name
