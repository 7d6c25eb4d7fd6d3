"""One-to-one assignment of calendar rooms to pivot rooms, and the public ``propose``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from .buildings import building_of, building_table, floor_of, id_marks, mark_codes
from .name_lists import expand_floor_abbreviations, expand_initialisms, recase_codes
from .names import BuildingTable, RoomKey, normalize, site_codes
from .scoring import score_matrix, site_factors
from .site_words import generalise, site_generic_words
from .vocabulary import AMBIGUITY_MARGIN, CANDIDATE_MIN_SCORE, DEFAULT_THRESHOLD, GENERIC, TWIN_SCORE_GAP

# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _describe(item: object) -> str:
    text = repr(item)
    return text if len(text) <= 120 else text[:117] + "..."


def _check_text(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} has no usable {key!r} (non-empty string): {_describe(item)}")
    return value


def validate_inputs(
    calendar_rooms: Sequence[Mapping[str, Any]], pivot_rooms: Sequence[Mapping[str, Any]]
) -> None:
    """Raise ValueError naming the first bad item, so the CLI can show what to fix."""
    for label, rooms in (("calendar rooms", calendar_rooms), ("pivot rooms", pivot_rooms)):
        if isinstance(rooms, str | bytes | Mapping) or not isinstance(rooms, Sequence):
            raise ValueError(f"{label} must be a JSON list of objects, got {type(rooms).__name__}")
    seen_emails: dict[str, int] = {}
    for index, room in enumerate(calendar_rooms):
        where = f"calendar room #{index + 1}"
        if not isinstance(room, Mapping):
            raise ValueError(f"{where} is not an object: {_describe(room)}")
        _check_text(room, "name", where)
        email = _check_text(room, "email", where).strip().casefold()
        if email in seen_emails:
            raise ValueError(
                f"{where} repeats email {room['email']!r} "
                f"(already used by calendar room #{seen_emails[email] + 1})"
            )
        seen_emails[email] = index
    seen_ids: dict[Any, int] = {}
    for index, room in enumerate(pivot_rooms):
        where = f"pivot room #{index + 1}"
        if not isinstance(room, Mapping):
            raise ValueError(f"{where} is not an object: {_describe(room)}")
        _check_text(room, "name", where)
        room_id = room.get("id")
        if isinstance(room_id, bool) or not isinstance(room_id, str | int) or room_id == "":
            raise ValueError(f"{where} has no usable 'id' (string or integer): {_describe(room)}")
        if room_id in seen_ids:
            raise ValueError(
                f"{where} repeats id {room_id!r} (already used by pivot room #{seen_ids[room_id] + 1})"
            )
        seen_ids[room_id] = index


# ---------------------------------------------------------------------------
# Assignment
# ---------------------------------------------------------------------------


def _ambiguous(
    weights: np.ndarray, owner_of: Mapping[int, int], col_of: Mapping[int, int], row: int, col: int
) -> bool:
    """True when another pivot room or calendar room explains the pair about as well.

    Checks single swaps and re-routings of the optimal assignment; a near-tie means
    the choice was a coin toss, and a coin toss must not pick whose calendar we read.
    """
    current = weights[row, col]
    for other_col in np.nonzero(weights[row] > 0)[0]:
        if other_col == col:
            continue
        other_row = owner_of.get(int(other_col))
        if other_row is None:
            alternative, now = weights[row, other_col], current
        else:
            alternative = weights[row, other_col] + weights[other_row, col]
            now = current + weights[other_row, other_col]
        if alternative >= now - AMBIGUITY_MARGIN:
            return True
    for other_row in np.nonzero(weights[:, col] > 0)[0]:
        if other_row == row:
            continue
        other_col = col_of.get(int(other_row))
        if other_col is None:
            alternative, now = weights[other_row, col], current
        else:
            alternative = weights[other_row, col] + weights[row, other_col]
            now = current + weights[other_row, other_col]
        if alternative >= now - AMBIGUITY_MARGIN:
            return True
    return False


def _content(key: RoomKey) -> frozenset[str]:
    return frozenset(w for w in key.words if w not in GENERIC)


def _has_unpaired_twin(
    row: int,
    col: int,
    cal: Sequence[RoomKey],
    paired: Collection[int],
    foreign: np.ndarray,
    scores: np.ndarray,
) -> bool:
    """True when the same room name exists, unpaired, under another site code.

    "RJ-Sala Ipe" must not take "Ipe" just because "SP-Sala Ipe (8 pessoas)" parsed
    worse: with two sites naming a room alike, only a clear winner is safe. A twin
    that the pivot room's floor or number rules out ("CPS - Sala Reunião 1" beside
    "SP Sala Reunião 1 - 7º Andar" for "Reunião 7.1") is no rival.
    """
    key = cal[row]
    words = _content(key)
    if key.site is None or not words:
        return False
    for other, twin in enumerate(cal):
        if other == row or other in paired or foreign[other] or twin.site in (None, key.site):
            continue
        twin_words = _content(twin)
        if not twin_words or not (words <= twin_words or twin_words <= words):
            continue
        if scores[other, col] < scores[row, col] - TWIN_SCORE_GAP:
            continue
        if not key.idents or not twin.idents or key.idents == twin.idents:
            return True
    return False


def _exact_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _assign(scores: np.ndarray, threshold: float, fixed: dict[int, int]) -> dict[int, int]:
    """Optimal one-to-one assignment over margins above the threshold, minus near-ties."""
    weights = np.where(scores >= threshold, scores - threshold + 1e-6, 0.0)
    for row, col in fixed.items():
        weights[row, :] = 0.0
        weights[:, col] = 0.0
    rows, cols = linear_sum_assignment(weights, maximize=True)
    owner_of = {int(c): int(r) for r, c in zip(rows, cols, strict=True) if weights[r, c] > 0}
    col_of = {r: c for c, r in owner_of.items()}
    chosen = {
        row: col for col, row in owner_of.items() if not _ambiguous(weights, owner_of, col_of, row, col)
    }
    return {**chosen, **fixed}


def _with_places(key: RoomKey, room: Mapping[str, Any], buildings: BuildingTable) -> RoomKey:
    """Fill floor and building from Graph Places fields (floorNumber, floorLabel, building) when given.

    The name wins where it already says; a building label counts only when the site's
    building table recognises it, so both sides speak of buildings the same way.
    """
    floor = key.floor
    if floor is None:
        number = room.get("floorNumber")
        if isinstance(number, int) and not isinstance(number, bool):
            floor = number
        elif isinstance(room.get("floorLabel"), str):
            floor = floor_of(room["floorLabel"])
    building = key.building
    if building is None and isinstance(room.get("building"), str) and room["building"].strip():
        building = building_of(room["building"], buildings)
    if (floor, building) == (key.floor, key.building):
        return key
    return replace(key, floor=floor, building=building)


def propose(
    calendar_rooms: Sequence[Mapping[str, Any]],
    pivot_rooms: Sequence[Mapping[str, Any]],
    *,
    threshold: float | None = None,
    candidates: int = 0,
) -> list[dict[str, Any]]:
    """Propose a pivot room for each calendar room (DESIGN.md 3.6).

    Returns one row per calendar room, in input order:
    ``{"calendar_room": email, "pivot_room": id or None, "score": 0..1}``. Each pivot
    room appears at most once. For unmatched rows ``score`` is the best candidate's
    score, to help the admin who maps that room by hand. With ``candidates`` > 0,
    unmatched rows also carry ``"candidates": [{"pivot_room": id, "score": 0..1}]``:
    up to that many pivot rooms no other row took, best first, each at least
    ``CANDIDATE_MIN_SCORE`` (an extension of DESIGN 3.6).
    """
    if isinstance(candidates, bool) or not isinstance(candidates, int) or candidates < 0:
        raise ValueError(f"candidates must be a non-negative integer, got {candidates!r}")
    validate_inputs(calendar_rooms, pivot_rooms)
    limit = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0.0 < limit <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")

    # Canonical internal order, so the answer never depends on input order.
    cal_order = sorted(
        range(len(calendar_rooms)),
        key=lambda i: (calendar_rooms[i]["name"], calendar_rooms[i]["email"]),
    )
    piv_order = sorted(
        range(len(pivot_rooms)),
        key=lambda j: (
            pivot_rooms[j]["name"],
            type(pivot_rooms[j]["id"]).__name__,
            str(pivot_rooms[j]["id"]),
        ),
    )
    # A list typed all in lower case gets its leading codes' capitals back (see recase_codes).
    cal_names = recase_codes([calendar_rooms[i]["name"] for i in cal_order])
    piv_names = recase_codes([pivot_rooms[j]["name"] for j in piv_order])
    cal_names, piv_names = expand_floor_abbreviations(cal_names, piv_names)
    cal_names, piv_names = expand_initialisms(cal_names, piv_names)
    cal_codes = site_codes(cal_names, piv_names)
    piv_codes = site_codes(piv_names, cal_names)
    # Twins named alike in two buildings ("Sala 1.01" twice) differ only in their ids ("waw-a-101").
    marks = id_marks([(str(pivot_rooms[j]["id"]), pivot_rooms[j]["name"]) for j in piv_order])
    coded = mark_codes(cal_names, set(marks.values()))
    buildings = building_table(cal_names, piv_names, coded)
    cal_keys = [
        _with_places(normalize(n, codes=cal_codes, buildings=buildings), calendar_rooms[i], buildings)
        for n, i in zip(cal_names, cal_order, strict=True)
    ]
    piv_keys = [normalize(n, codes=piv_codes, buildings=buildings) for n in piv_names]
    # The marks count when the calendar side names those buildings: by code, or as "Building A".
    if coded or {k.building for k in cal_keys} & set(marks.values()):
        piv_keys = [
            replace(k, building=marks[j]) if j in marks and k.building is None else k
            for j, k in enumerate(piv_keys)
        ]

    cal_generic, piv_generic = site_generic_words(cal_keys, piv_keys), site_generic_words(piv_keys, cal_keys)
    cal_keys, piv_keys = generalise(cal_keys, cal_generic), generalise(piv_keys, piv_generic)
    scores = score_matrix(cal_keys, piv_keys)
    factors = site_factors(scores, cal_keys, limit)
    scores *= factors[:, None]

    # A name typed identically on both sides (and unique on each) is the same room.
    cal_exact = Counter(_exact_key(n) for n in cal_names)
    piv_exact = Counter(_exact_key(n) for n in piv_names)
    piv_index = {_exact_key(n): j for j, n in enumerate(piv_names)}
    fixed: dict[int, int] = {}
    for i, name in enumerate(cal_names):
        key = _exact_key(name)
        if cal_exact[key] == 1 and piv_exact.get(key) == 1:
            fixed[i] = piv_index[key]
            scores[i, piv_index[key]] = 1.0

    pairs = _assign(scores, limit, fixed)
    foreign = factors < 1.0
    pairs = {
        row: col
        for row, col in pairs.items()
        if row in fixed or not _has_unpaired_twin(row, col, cal_keys, pairs, foreign, scores)
    }
    taken = set(pairs.values())
    result: list[dict[str, Any]] = [{} for _ in calendar_rooms]
    for i, original in enumerate(cal_order):
        col = pairs.get(i)
        best = float(scores[i].max()) if scores.shape[1] else 0.0
        score = float(scores[i, col]) if col is not None else best
        row: dict[str, Any] = {
            "calendar_room": calendar_rooms[original]["email"],
            "pivot_room": pivot_rooms[piv_order[col]]["id"] if col is not None else None,
            "score": _rounded(score),
        }
        if candidates and col is None:
            row["candidates"] = [
                {"pivot_room": pivot_rooms[piv_order[j]]["id"], "score": _rounded(float(scores[i, j]))}
                for j in _ranked(scores[i], taken, candidates)
            ]
        result[original] = row
    return result


def _rounded(score: float) -> float:
    return round(min(max(score, 0.0), 1.0), 4)


def _ranked(row: np.ndarray, taken: Collection[int], limit: int) -> list[int]:
    """Columns of one score row worth suggesting, best first (ties in canonical order)."""
    order = sorted(range(len(row)), key=lambda j: (-row[j], j))
    return [j for j in order if j not in taken and row[j] >= CANDIDATE_MIN_SCORE][:limit]
