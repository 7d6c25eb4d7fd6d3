"""Buildings of one site: codes on one side, spelled-out names on the other ("HSC" is "Hadley
Science Center"), building marks in pivot ids, and floor and building labels read alone."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from .names import (
    _BUILDING,
    _COMPASS_WORDS,
    _PHRASE_WORD,
    BuildingTable,
    _code_matches,
    _fold,
    _leading_phrase,
    _Location,
    _strip_locations,
)
from .vocabulary import (
    ABBREVIATIONS,
    BUILDING_WORDS,
    COMPASS_INITIALS,
    GENERIC,
    STOPWORDS,
    SYNONYMS,
)

_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2,4})(\d{0,3})(?![A-Za-z])")
_LETTER_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Z])(\d{1,2})(?![A-Za-z0-9.])")


_TRAILING = re.compile(r"(?:\(([^()]*)\)|\s+[-/|:]+\s+([^-/|:()]*))\s*$")


def _trailing_phrase(folded: str) -> str | None:
    """ "Conference Room 3-214 (North Pavilion)", "Boardroom - North Tower": a building name
    closing the name, in brackets or after a dash."""
    match = _TRAILING.search(folded)
    if not match:
        return None
    text = (match.group(1) or match.group(2) or "").lower()
    words = [w.strip(".'") for w in text.split()]
    if not words or len(words) > 4 or not all(_PHRASE_WORD.fullmatch(w) for w in words):
        return None
    phrase = " ".join(words)
    return phrase if _is_building_phrase(phrase) else None


def _is_building_phrase(phrase: str) -> bool:
    """ "North Tower", "Edificio Vega": a building word and a name (a bare "Building" is not one)."""
    words = phrase.split()
    return any(w in BUILDING_WORDS for w in words) and any(
        w not in BUILDING_WORDS and w not in GENERIC and w not in STOPWORDS for w in words
    )


def _phrase_word(word: str) -> str:
    """A building name's word, or its abbreviation with a dot ("Pl." for "Place")."""
    if len(word) < 4:
        return re.escape(word)
    return rf"(?:{re.escape(word)}|{re.escape(word[0])}[a-z]{{1,{len(word) - 2}}}\.)"


def building_table(
    calendar_names: Sequence[str], pivot_names: Sequence[str], marks: Mapping[str, str] | None = None
) -> BuildingTable:
    """Buildings of the site: codes in one list paired with building names leading names of the
    other ("HSC 101" / "Hadley Science Center 101"), and building names leading names on their own
    ("North Tower - Boardroom"), so that a room name repeated in two buildings is told apart."""
    phrases: dict[str, str] = {}
    codes: dict[str, str] = {}
    compass: set[str] = set()
    sides = (
        (calendar_names, pivot_names, False),
        (pivot_names, calendar_names, False),
        # "TN Sala 2.01" beside "Torre Norte Copa" in one list: codes of buildings spelled out there
        (calendar_names, calendar_names, True),
        (pivot_names, pivot_names, True),
    )
    for codes_side, names_side, same_side in sides:
        counts = Counter(p for p in (_leading_phrase(_fold(n)) for n in names_side) if p)
        candidates = [p for p, n in counts.items() if _is_building_phrase(p) or (n >= 2 and not same_side)]
        # "(North Pavilion)" closing a name is a building only when a code names it ("NP"):
        # "(Lecture Hall)" and "Town Hall" are rooms.
        trailing = {p for p in (_trailing_phrase(_fold(n)) for n in names_side) if p} - set(candidates)
        found: Counter[str] = Counter()
        for name in codes_side:
            for match in _CODE.finditer(_fold(name)):
                found[match.group(1)] += 1
        for code in sorted(found):
            lowered = code.lower()
            if lowered in GENERIC or lowered in ABBREVIATIONS:
                continue
            matches = [p for p in (*candidates, *trailing) if _code_matches(lowered, p)]
            if len(matches) != 1:
                continue  # unknown or ambiguous: maybe another site's code
            building = phrases.setdefault(matches[0], lowered)
            codes.setdefault(code, building)
        for phrase in candidates:
            if _is_building_phrase(phrase) and not _BUILDING.fullmatch(phrase):
                phrases.setdefault(phrase, phrase)
        if not same_side:
            _compass_buildings(codes_side, candidates, phrases, codes, compass)
        # "B2" beside "Building 2": the building word's initial and its number
        numbered = {
            (m.group(0)[0].lower(), m.group(1).lower().lstrip("0") or "0")
            for n in names_side
            for m in _BUILDING.finditer(_fold(n))
        }
        for name in codes_side:
            for match in _LETTER_CODE.finditer(_fold(name)):
                number = match.group(2).lstrip("0") or "0"
                if (match.group(1).lower(), number) in numbered:
                    codes.setdefault(match.group(0), number)
    phrase_patterns = tuple(
        (re.compile(r"(?<![a-z0-9])" + r"\W+".join(map(_phrase_word, p.split())) + r"\.?(?![a-z])", re.I), b)
        for p, b in sorted(phrases.items(), key=lambda item: -len(item[0]))
    )
    code_patterns = tuple(
        (re.compile(r"(?<![A-Za-z0-9])" + re.escape(c) + r"(?P<digits>\d{0,3})(?![A-Za-z])"), b)
        for c, b in sorted(codes.items(), key=lambda item: -len(item[0]))
    )
    mark_patterns = tuple(
        (_mark_pattern(c), b) for c, b in sorted((marks or {}).items(), key=lambda item: -len(item[0]))
    )
    return BuildingTable(phrase_patterns, code_patterns, mark_patterns, frozenset(compass))


# "OTT 90W" beside "West Tower": a street number glued to a compass initial names the
# building on that side.
_NUMBER_COMPASS = re.compile(r"(?<![A-Za-z0-9])(\d{1,3})([NSEW])(?![A-Za-z0-9])")


def _compass_buildings(
    codes_side: Sequence[str],
    candidates: Sequence[str],
    phrases: dict[str, str],
    codes: dict[str, str],
    compass: set[str],
) -> None:
    """ "90W" / "West Tower": the code names that building. Its twin "90E", when the other
    list has no east building, names the site's unnamed building: it is stripped and sets none.
    Both need a sibling: a lone "45W" stays a number on the west side ("45 West")."""
    found: dict[str, set[str]] = {}
    for name in codes_side:
        for match in _NUMBER_COMPASS.finditer(name):
            found.setdefault(match.group(1), set()).add(match.group(2))
    for number, letters in sorted(found.items()):
        named: dict[str, str] = {}
        for letter in letters:
            word = _COMPASS_WORDS[letter]
            leading = [p for p in candidates if _is_building_phrase(p)]
            matches = [p for p in leading if SYNONYMS.get(p.split()[0], p.split()[0]) == word]
            if len(matches) == 1:
                named[letter] = phrases.setdefault(matches[0], matches[0])
        unnamed = [
            letter
            for letter in letters
            if letter not in named
            and not any(_COMPASS_WORDS[letter] in (SYNONYMS.get(w, w) for w in p.split()) for p in candidates)
        ]
        if len(letters) < 2 or not named or len(unnamed) > 1:
            continue
        for letter in letters:
            code = number + letter
            codes.setdefault(code, named.get(letter, ""))
            compass.add(code)


def _mark_pattern(code: str) -> re.Pattern[str]:
    """A lone letter counts only right after the site code ("WAW-A"); a longer code ("TN")
    anywhere as an upper-case token; a compass word ("Norte") anywhere in any case."""
    if len(code) == 1:
        return re.compile(rf"^(?P<lead>\W*[A-Z]{{2,5}}(?:\s*[-_|]\s*|\s+)){re.escape(code)}(?![A-Za-z0-9])")
    if code.isupper():
        return re.compile(rf"(?<![A-Za-z0-9])(?P<lead>){re.escape(code)}(?![A-Za-z0-9])")
    return re.compile(rf"(?<![a-z0-9])(?P<lead>){re.escape(code)}(?![a-z0-9])", re.I)


_ID_PART = re.compile(r"[a-z]\d{1,2}(?![0-9])|[a-z]+|\d+")  # "b1-101": building b1, room 101
_ID_MARK = re.compile(r"[a-z]{1,2}|[a-z]\d{1,2}")  # "a", "tn", or a building number "b1"


def id_marks(pivot: Sequence[tuple[str, str]]) -> dict[int, str]:
    """Buildings read from pivot ids where two pivot rooms share a name ("waw-a-101" and
    "waw-b-101", both "Sala 1.01"): the one short letter token telling the twins' ids apart.

    ``pivot`` is (id, name) per room. The mark's position in the id (after the same
    leading parts) then gives the building of every pivot room whose id has one of the marks.
    """
    groups: dict[str, list[list[str]]] = {}
    for room_id, name in pivot:
        groups.setdefault(" ".join(_fold(name).casefold().split()), []).append(
            _ID_PART.findall(room_id.lower())
        )
    layouts: dict[tuple[str, ...], set[str]] = {}  # leading id parts -> marks after them
    for ids in groups.values():
        if len(ids) < 2 or len({len(parts) for parts in ids}) != 1:
            continue
        differing = [i for i in range(len(ids[0])) if len({parts[i] for parts in ids}) > 1]
        if len(differing) != 1:
            continue
        (pos,) = differing
        values = [parts[pos] for parts in ids]
        heads = {tuple(parts[:pos]) for parts in ids}
        if (
            len(heads) != 1
            or len(set(values)) != len(values)
            or not all(_ID_MARK.fullmatch(v) for v in values)
        ):
            continue
        layouts.setdefault(heads.pop(), set()).update(values)
    out: dict[int, str] = {}
    for index, (room_id, _name) in enumerate(pivot):
        parts = _ID_PART.findall(room_id.lower())
        for head, values in layouts.items():
            if len(parts) > len(head) and tuple(parts[: len(head)]) == head and parts[len(head)] in values:
                out[index] = parts[len(head)]
    return out


_MARK_CODE = re.compile(r"^\W*[A-Z]{2,5}(?:\s*[-_|]\s*|\s+)([A-Z]{1,3}|[A-Z]\d{1,2})(?![A-Za-z0-9])")
_MARK_TOKEN = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2,3}|[A-Z]\d{1,2})(?![A-Za-z0-9])")


def mark_codes(calendar_names: Sequence[str], marks: Collection[str]) -> dict[str, str]:
    """Building codes after a site code ("LIS-TN", "SBMC NP", "WAW-A") that stand for id marks.

    A code is the mark itself ("A" for "a"), or holds one mark letter where a sibling code
    holds another and is otherwise the same ("TN"/"TS" for "n"/"s": Torre Norte, Torre Sul;
    "NP"/"SP": North and South Pavilion), anywhere in the name. A department code such as
    "ONC" has no sibling. Compass words ("North"/"South", "Norte"/"Sul") count by their initial
    when two directions are used.
    """
    folded = [_fold(n) for n in calendar_names]
    leading = {m.group(1) for f in folded if (m := _MARK_CODE.match(f))}
    found = leading | {m.group(1) for f in folded for m in _MARK_TOKEN.finditer(f)}
    out: dict[str, str] = {}
    # "HQ Norte Sala 1" / "HQ Sul Sala 1": compass words, by their direction's initial
    compass = {
        w: COMPASS_INITIALS[c]
        for f in folded
        for w in _PHRASE_WORD.findall(f.lower())
        if (c := SYNONYMS.get(w, w)) in COMPASS_INITIALS and COMPASS_INITIALS[c] in marks
    }
    if len(set(compass.values())) >= 2:
        out.update(compass)
    for code in found:
        lowered = code.lower()
        if lowered in marks:
            # "WAW-A" after the site code; "B1" or "TN" anywhere beside a "B2" or "TS"
            if code in leading or (len(lowered) > 1 and any(c.lower() in marks for c in found - {code})):
                out[code] = lowered
            continue
        held = [i for i, ch in enumerate(lowered) if ch in marks]
        if len(held) != 1:
            continue
        i = held[0]
        siblings = {
            other
            for other in marks
            if other != lowered[i] and (lowered[:i] + other + lowered[i + 1 :]).upper() in found
        }
        if siblings:
            out[code] = lowered[i]
    return out


def building_of(text: str, buildings: BuildingTable | None) -> str | None:
    """The building a free-text label names ("Hadley Science Center", "Bldg 2", "HSC"), if known."""
    loc = _Location(buildings=buildings)
    _strip_locations(_fold(text), loc)
    return loc.building


def floor_of(text: str) -> int | None:
    """The floor a free-text label names ("2.OG", "Level Fifteen", "3e étage", "15F"), if any."""
    loc = _Location()
    _strip_locations(_fold(text), loc)
    if loc.floor is None and (plain := re.fullmatch(r"\s*(-?\d{1,2})\s*", text)):
        return int(plain.group(1))
    return loc.floor
