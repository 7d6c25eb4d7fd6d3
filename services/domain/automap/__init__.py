"""Room automapper (DESIGN.md 3.6): pair calendar room mailboxes with pivot rooms.

Pure and synchronous. Names are reduced to what identifies a room (content words,
identifiers such as "4B" or "2.10", floor, building, site code), pairs are scored
with several signals, and an optimal one-to-one assignment keeps only confident,
unambiguous pairs. A wrong pair would make the product read the wrong room's
calendar, so every doubt ends in ``None`` (the admin maps that room by hand).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from scipy.optimize import linear_sum_assignment

DEFAULT_THRESHOLD = 0.75

# Score modifiers. Identifiers and locations are hard evidence: a conflict sinks a pair.
_IDENT_CONFLICT = 0.1
_IDENT_ONE_SIDED = 0.72  # below the default threshold even for identical words
_LOCATION_CONFLICT = 0.3
_ALIAS_FACTOR = 0.95
_FOREIGN_SITE_FACTOR = 0.5
_GENERIC_WEIGHT = 0.2
_GENERIC_MISS_CAP = 0.25
_AMBIGUITY_MARGIN = 0.02
_PREFILTER_CUTOFF = 35.0

# ---------------------------------------------------------------------------
# Vocabulary (language knowledge, never site names)
# ---------------------------------------------------------------------------


def _vocab(text: str) -> frozenset[str]:
    return frozenset(text.split())


# fmt: off

_STOPWORDS = _vocab(
    "the of and for at in on to with de du des la le les et au aux en sur pour "
    "der die das den dem des und im am zum zur vom mit "
    "el los las del y al para por con di della dei delle degli e van het op & +"
)
_GENERIC = _vocab(
    "room rooms salle salles sala salas raum raume zimmer saal meeting meetings conference "
    "conferences reunion reunions reuniones juntas besprechung besprechungen konferenz "
    "sitzung riunione riunioni vergader vergaderruimte vergaderzaal zaal ruimte kamer "
    "space espace espacio area zone rum mote motes konferens"
)
_EQUIPMENT = _vocab(
    "vc video videoconf videoconference visio visioconference teams msteams zoom webex "
    "meet google mtr av tv polycom cisco logitech surface hub hybrid hybride"
)
_CAPACITY_WORDS = _vocab(
    "p pax pers person persons personne personnes people ppl personen personas persone "
    "posti plazas places seats seat seater sitze platze pl plz cap capacity capacite "
    "capacidad kapazitat max"
)
_ABBREVIATIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "conf": ("conference",), "confs": ("conference",), "rm": ("room",), "rms": ("room",),
        "mr": ("meeting", "room"), "cr": ("conference", "room"), "trng": ("training",),
        "trg": ("training",), "trn": ("training",), "exec": ("executive",),
        "execs": ("executive",), "mtg": ("meeting",), "mtng": ("meeting",), "bd": ("board",),
        "brd": ("board",), "ctr": ("center",), "cntr": ("center",), "centre": ("center",),
        "collab": ("collaboration",), "colab": ("collaboration",), "mgmt": ("management",),
        "mgt": ("management",), "mktg": ("marketing",), "dept": ("department",),
        "ops": ("operations",), "intl": ("international",), "ste": ("suite",),
        "recep": ("reception",), "sal": ("salle",), "sle": ("salle",), "reu": ("reunion",),
        "reun": ("reunion",), "form": ("formation",), "amphi": ("amphitheatre",),
        "amphitheater": ("amphitheatre",), "bur": ("bureau",), "bespr": ("besprechung",),
        "konf": ("konferenz",), "aud": ("auditorium",), "auditori": ("auditorium",),
    }
)
_NUMBER_WORDS: Mapping[str, str] = MappingProxyType(
    {
        # English
        "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
        "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11",
        "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
        "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
        "twenty": "20",
        # French
        "un": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "sept": "7",
        "huit": "8", "neuf": "9", "dix": "10", "onze": "11", "douze": "12", "treize": "13",
        "quatorze": "14", "quinze": "15", "seize": "16", "vingt": "20",
        # German
        "eins": "1", "zwei": "2", "drei": "3", "vier": "4", "funf": "5", "sechs": "6",
        "sieben": "7", "acht": "8", "neun": "9", "zehn": "10", "zwolf": "12",
        # Spanish / Italian / Portuguese / Dutch
        "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6",
        "siete": "7", "ocho": "8", "nueve": "9", "diez": "10", "doce": "12", "due": "2",
        "tre": "3", "quattro": "4", "cinque": "5", "sei": "6", "sette": "7", "otto": "8",
        "nove": "9", "dieci": "10", "dois": "2", "quatro": "4", "oito": "8", "twee": "2",
        "drie": "3", "vijf": "5", "zes": "6", "zeven": "7", "negen": "9", "tien": "10",
        # Roman numerals (single letters stay letters: "Room I" / "Room V" are ambiguous)
        "ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
        "xi": "11", "xii": "12",
    }
)
_ORDINAL_WORDS: Mapping[str, int] = MappingProxyType(
    {
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
        "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "premier": 1, "premiere": 1,
        "deuxieme": 2, "seconde": 2, "troisieme": 3, "quatrieme": 4, "cinquieme": 5,
        "sixieme": 6, "septieme": 7, "huitieme": 8, "erste": 1, "ersten": 1, "zweite": 2,
        "zweiten": 2, "dritte": 3, "dritten": 3, "vierte": 4, "vierten": 4, "funfte": 5,
        "funften": 5, "primera": 1, "primer": 1, "segunda": 2, "segundo": 2, "tercera": 3,
        "tercer": 3, "cuarta": 4, "cuarto": 4, "quinta": 5, "quinto": 5, "primo": 1,
        "secondo": 2, "terzo": 3, "quarto": 4,
    }
)
# Words that make a leading "NYC 5th Ave -" an address rather than part of a room name.
_STREET_WORDS = _vocab(
    "st street ave avenue rd road blvd boulevard plaza sq square way lane ln dr drive pl "
    "place rue av avenida calle strasse str via viale corso straat weg laan gracht plein "
    "campus park"
)
# Compound words ending in a generic room word ("Boardroom", "Schulungsraum").
_COMPOUND_SUFFIXES = (
    "room", "raum", "zimmer", "saal", "zaal", "ruimte", "kamer", "rummet", "rommet", "rum",
)
_SUFFIX_CANONICAL: Mapping[str, str] = MappingProxyType({"rummet": "rum", "rommet": "rom"})
_LINKING_S_STEMS = ("ung", "ion", "heit", "keit", "tat", "schaft", "ing")
_SPECIAL_LETTERS = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
     "đ": "d", "Đ": "D", "þ": "th", "ß": "ss", "’": "'", "‘": "'", "`": "'", "´": "'",
     "–": "-", "—": "-", "‐": "-", "‑": "-"}
)

# fmt: on

# ---------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------

_ORD = r"(?:st|nd|rd|th|eme|ieme|ere|er|e|o|a|°)?"
_FLOOR_WORD = (
    r"(?:floor|flr|fl|level|lvl|etage|etg|og|obergeschoss|stockwerk|stock|geschoss|"
    r"planta|piso|piano|verdieping|andar|ebene|plan|vaning|etasje|kerros|pietro|patro|emelet)"
)
_FLOOR_NUMBER_FIRST = re.compile(rf"(?<![a-z0-9])(\d{{1,2}}){_ORD}\.?\s*{_FLOOR_WORD}(?![a-z])", re.I)
_FLOOR_WORD_FIRST = re.compile(
    rf"(?<![a-z0-9]){_FLOOR_WORD}\.?\s*(?:n[o°]\.?\s*)?(\d{{1,2}})(?![0-9]|[.\-]\d)", re.I
)
_FLOOR_ORDINAL_WORD = re.compile(
    r"(?<![a-z0-9])("
    + "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True))
    + r")\s+"
    + _FLOOR_WORD
    + r"(?![a-z])",
    re.I,
)
_FLOOR_WORDS_FULL = (
    "floor",
    "level",
    "etage",
    "obergeschoss",
    "stockwerk",
    "geschoss",
    "planta",
    "piso",
    "piano",
    "verdieping",
    "andar",
    "ebene",
    "vaning",
    "etasje",
    "kerros",
    "pietro",
    "patro",
    "emelet",
)
_FLOOR_ORDINAL_ABBREVIATED = re.compile(
    r"(?<![a-z0-9])(\d{1,2})(?:st|nd|rd|th|eme|ieme|ere|er|e|°|o|a)\.?\s*([a-z]{2,})(\.?)(?![a-z0-9])",
    re.I,
)
_FLOOR_LEVEL_CODE = re.compile(r"(?<![a-z0-9])l(\d{1,2})(?![a-z0-9])", re.I)
_FLOOR_GROUND = re.compile(
    r"(?<![a-z0-9])(?:ground\s+floor|ground\s+level|gf|rdc|rez\s+de\s+chaussee|"
    r"rez\s+de\s+jardin|eg|erdgeschoss|planta\s+baja|piano\s+terra|begane\s+grond|terreo)"
    r"(?![a-z0-9])",
    re.I,
)
_FLOOR_BASEMENT = re.compile(
    r"(?<![a-z0-9])(?:basement|lower\s+ground|sous\s+sol|ug|untergeschoss|sotano)(?![a-z0-9])",
    re.I,
)
_BUILDING = re.compile(
    r"(?<![a-z0-9])(?:building|bldg|bld|blg|bat|batiment|gebaude|geb|edificio|edif|"
    r"tower|torre|wing|aile|block)\.?\s*([a-z]|\d{1,3})(?![a-z0-9])",
    re.I,
)
_CAPACITY = re.compile(
    r"(?<![a-z0-9.])\d{1,4}\s*-?\s*(?:pax|persons?|personnes?|people|ppl|personen|personas|"
    r"persone|pers|posti|plazas|places|seats?|seater|sitze|platze|plz|pl|p)\.?(?![a-z0-9])"
    r"|(?<![a-z0-9])(?:cap|capacity|capacite|capacidad|kapazitat|max)\.?\s*[:=]?\s*\d{1,4}"
    r"(?![0-9])",
    re.I,
)
_BRACKETS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|\{([^{}]*)\}")
_ALIAS_SEP = re.compile(r"(?<=[^\W\d_]{2})\s*/\s*(?=[^\W\d_]{2})|\s+/\s+")
_SEGMENT_SEP = re.compile(
    r"\s+[-|/:;,·•]+\s+"
    r"|[|;,·•_:/]"
    r"|(?<=[^\W\d_])[-.](?=\w)"
    r"|(?<=\d)[-.](?=[^\W\d_])"
    r"|\s+-+(?=\S)|(?<=\S)-+\s+"
)
_TOKEN = re.compile(r"\d+(?:[.\-/]\d+)*[^\W\d_]*|[^\W\d_]+\d*[^\W_]*|&")
_CASED_TOKEN = re.compile(r"[^\W_]+")
_BUILDING_CODE = re.compile(r"^[A-Za-z]{1,3}\d{1,3}$")
_LOCATION_CODE = re.compile(r"^(?:[a-z]{1,2}\d{1,2}|\d{1,2}[a-z]{0,3})$")
_FLOORISH_CODE = re.compile(r"^\d{1,2}(?:st|nd|rd|th|e|er|ere|eme|f)?$")
_STANDALONE_FLOOR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|e|er|ere|eme|f)$")
_PURE_NUMBER = re.compile(r"^\d+(?:[.\-/]\d+)*$")
_NUMBER_SUFFIX = re.compile(r"^(\d+(?:[.\-/]\d+)*)([^\W\d_]{1,3})$")
_ORDINAL_SUFFIX = frozenset({"st", "nd", "rd", "th", "e", "er", "ere", "eme"})
_ELISION = re.compile(r"(?<![a-z])(?:[dlnmtsjc]|qu)'(?=[a-z])|'s(?![a-z])", re.I)
_LONE_A_GRAVE = re.compile(r"(?<!\w)[àÀ](?!\w)")


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoomKey:
    """What a room name says once capacity, equipment and location noise are gone."""

    words: tuple[str, ...]
    idents: frozenset[str]
    floor: int | None = None
    building: str | None = None
    site: str | None = None
    aliases: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = ()


@dataclass(slots=True)
class _Location:
    """Collects location facts while a name is being stripped."""

    floor: int | None = None
    building: str | None = None
    site: str | None = None

    def set_floor(self, value: int) -> None:
        if self.floor is None:
            self.floor = value


def _fold(name: str) -> str:
    """Strip accents and typographic variants but keep case (site codes are upper-case)."""
    text = _LONE_A_GRAVE.sub(" ", name).translate(_SPECIAL_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _ELISION.sub(" ", text)
    return " ".join(text.split())


def _strip_locations(text: str, loc: _Location) -> str:
    """Remove floor and building expressions, remembering their values."""

    def floor_from(group: int) -> Any:
        def repl(match: re.Match[str]) -> str:
            loc.set_floor(int(match.group(group)))
            return " - "

        return repl

    def ordinal_floor(match: re.Match[str]) -> str:
        loc.set_floor(_ORDINAL_WORDS[match.group(1).lower()])
        return " - "

    def fixed_floor(value: int) -> Any:
        def repl(_match: re.Match[str]) -> str:
            loc.set_floor(value)
            return " - "

        return repl

    def building(match: re.Match[str]) -> str:
        if loc.building is None:
            loc.building = match.group(1).lower().lstrip("0") or "0"
        return " - "

    def abbreviated_floor(match: re.Match[str]) -> str:
        word = match.group(2).lower()
        dotted = bool(match.group(3))
        if (
            (len(word) < 3 and not dotted)
            or word in _STREET_WORDS
            or not any(full.startswith(word) for full in _FLOOR_WORDS_FULL)
        ):
            return match.group(0)
        loc.set_floor(int(match.group(1)))
        return " - "

    text = _FLOOR_ORDINAL_WORD.sub(ordinal_floor, text)
    text = _FLOOR_ORDINAL_ABBREVIATED.sub(abbreviated_floor, text)
    text = _FLOOR_NUMBER_FIRST.sub(floor_from(1), text)
    text = _FLOOR_WORD_FIRST.sub(floor_from(1), text)
    text = _FLOOR_LEVEL_CODE.sub(floor_from(1), text)
    text = _FLOOR_GROUND.sub(fixed_floor(0), text)
    text = _FLOOR_BASEMENT.sub(fixed_floor(-1), text)
    return _BUILDING.sub(building, text)


def _strip_noise(text: str, loc: _Location) -> str:
    """Remove locations and capacities from free text."""
    return _CAPACITY.sub(" - ", _strip_locations(text, loc))


def _is_noise_tokens(tokens: Sequence[str]) -> bool:
    """True for fragments such as "Teams Room", "VC", "12" or "cap 8" that name no room."""
    if not tokens:
        return True
    noise = _EQUIPMENT | _GENERIC | _STOPWORDS | _CAPACITY_WORDS
    return all(t in noise for t in tokens) and any(t in _EQUIPMENT or t in _CAPACITY_WORDS for t in tokens)


def _is_capacity_note(tokens: Sequence[str]) -> bool:
    """ "(12)", "(8 pessoas)", "(6 personer)": a bare count, in any language."""
    if not tokens or not tokens[0].isdigit() or int(tokens[0]) > 999:
        return False
    return len(tokens) == 1 or (len(tokens) == 2 and tokens[1].isalpha())


def _strip_brackets(text: str, loc: _Location) -> str:
    """Drop bracketed capacity/equipment/floor notes; keep bracketed words that name a room."""

    def repl(match: re.Match[str]) -> str:
        content = next(g for g in match.groups() if g is not None)
        rest = _strip_noise(content, loc)
        tokens = _TOKEN.findall(rest.lower())
        if len(tokens) == 1 and (floor := _STANDALONE_FLOOR.match(tokens[0])):
            loc.set_floor(int(floor.group(1)))  # "(1er)", "(2F)"
            return " - "
        if _is_noise_tokens(tokens) or _is_capacity_note(tokens):
            return " - "
        return f" {rest} "

    previous = None
    while previous != text:  # nested brackets, innermost first
        previous = text
        text = _BRACKETS.sub(repl, text)
    return text.replace("(", " ").replace(")", " ").replace("[", " ").replace("]", " ")


def _segments(text: str) -> list[str]:
    """Split on the separators admins put between site, floor and room name."""
    parts = (p.strip(" .-'") for p in _SEGMENT_SEP.split(text))
    return [p for p in parts if _CASED_TOKEN.search(p)]


def _prepare(text: str, loc: _Location) -> list[str]:
    """Folded text to case-kept segments, with brackets, floors and capacities removed."""
    return _segments(_strip_noise(_strip_brackets(text, loc), loc))


def _leading_code(segments: Sequence[str]) -> tuple[str, bool] | None:
    """The first token if it could be a site code, and whether it is an upper-case code.

    Candidates: "BOS" in "BOS - Boardroom" or "NYC 5th Ave - ...", a lone leading word
    ("Boston - ..."), or a letters-and-digits building code ("B40-3021 Conf Rm").
    """
    if not segments:
        return None
    tokens = _CASED_TOKEN.findall(segments[0])
    if not tokens or not tokens[0][0].isalpha() or len(tokens[0]) > 12:
        return None
    token = tokens[0]
    building_code = bool(_BUILDING_CODE.match(token)) and len(tokens) > 1
    if len(segments) < 2 and not building_code:
        return None
    caps = token.isalpha() and token.isupper() and 2 <= len(token) <= 5
    if not caps and len(tokens) != 1 and not building_code:
        return None
    lowered = token.lower()
    if lowered in _GENERIC | _EQUIPMENT | _STOPWORDS or lowered in _ABBREVIATIONS:
        return None
    return lowered, caps


def site_codes(names: Sequence[str], other_names: Sequence[str] = ()) -> Mapping[str, str]:
    """Leading site codes ("BOS-", "NYC 5th Ave -", "Lyon -") used in one list of names.

    Returns each recognised prefix with the site it stands for ("chicago" -> "chi").
    An upper-case code counts on sight; a plain word counts when it leads two names.
    A code that also appears inside the other list's names is part of room names there,
    so it is kept as a word.
    """
    caps_codes: set[str] = set()
    counts: Counter[str] = Counter()
    first_segments: Counter[str] = Counter()
    for name in names:
        folded = _fold(name)
        segments = _prepare(_ALIAS_SEP.sub(" - ", folded), _Location())
        lead = _leading_code(segments)
        if lead is None:
            continue
        counts[lead[0]] += 1
        if len(segments) > 1:
            first_segments[_segment_key(segments[0])] += 1
        if lead[1] and not folded.isupper():
            caps_codes.add(lead[0])
    candidates = caps_codes | {code for code, n in counts.items() if n >= 2}
    # A city written out where the other names use its code: "London -" beside "LON-".
    spelled = {
        word: code
        for word in counts
        if word not in candidates
        for code in sorted(caps_codes, reverse=True)
        if word.startswith(code[:2]) and _is_subsequence(code, word)
    }
    candidates |= set(spelled)
    other_words: set[str] = set()
    for name in other_names:
        segments = _segments(_fold(name))
        lead = _leading_code(segments)
        tokens = [t.lower() for s in segments for t in _CASED_TOKEN.findall(s)]
        if lead is not None:
            tokens = tokens[1:]
        other_words.update(tokens)
    codes = {code: spelled.get(code, code) for code in candidates - other_words}
    # "NYC 5th Ave" leading several names is a location prefix as a whole.
    for seg, n in first_segments.items():
        if n >= 2 and " " in seg and seg.split()[0] in codes:
            codes[seg] = codes[seg.split()[0]]
    return MappingProxyType(codes)


def _strip_site(segments: list[str], codes: Collection[str], loc: _Location) -> list[str]:
    """Remove a leading site code segment and the floor/zone codes that follow it."""
    if not segments:
        return segments
    tokens = _CASED_TOKEN.findall(segments[0])
    has_site = bool(tokens) and tokens[0].lower() in codes
    if has_site:
        rest = segments[1:]
        first = segments[0]
        address = _segment_key(first) in codes or any(t.lower() in _STREET_WORDS for t in tokens[1:])
        if rest and (len(tokens) == 1 or address) and any(_names_a_room(s, codes) for s in rest):
            segments = rest  # "BOS - Boardroom", "NYC 5th Ave - Huddle 2.01"
        elif len(tokens) > 1:  # "BOS Conf Rm 3A", "BOS Boardroom - Annex": keep the room
            segments = [first[first.index(tokens[0]) + len(tokens[0]) :], *rest]
        else:
            return segments
        code = tokens[0].lower()
        loc.site = codes.get(code, code) if isinstance(codes, Mapping) else code
    code_pattern = _LOCATION_CODE if has_site else _FLOORISH_CODE
    while len(segments) > 1:
        lead = segments[0].lower()
        if lead in codes:
            segments = segments[1:]
            continue
        if not code_pattern.match(lead) and not (has_site and _is_floor_like(lead, segments[1:], codes)):
            break
        digits = re.search(r"\d+", lead)
        if digits:
            loc.set_floor(int(digits.group()))
        segments = segments[1:]
    return segments


def _is_floor_like(segment: str, rest: Sequence[str], codes: Collection[str]) -> bool:
    """ "Plan 3" / "Kat 2" between a site code and the room name: a floor in some language."""
    tokens = _TOKEN.findall(segment)
    if len(tokens) != 2 or not any(_names_a_room(s, codes) for s in rest):
        return False
    word, number = (tokens[0], tokens[1]) if tokens[1].isdigit() else (tokens[1], tokens[0])
    return (
        number.isdigit()
        and len(number) <= 2
        and word.isalpha()
        and word not in _GENERIC
        and word not in _ABBREVIATIONS
        and word not in _EQUIPMENT
    )


def _segment_key(segment: str) -> str:
    return " ".join(t.lower() for t in _CASED_TOKEN.findall(segment))


def _names_a_room(segment: str, codes: Collection[str]) -> bool:
    """True when a segment has words beyond floor codes, site codes and equipment."""
    tokens = _TOKEN.findall(segment.lower())
    if len(tokens) == 1 and (_STANDALONE_FLOOR.match(tokens[0]) or tokens[0] in codes):
        return False
    return not _is_noise_tokens(tokens)


def _strip_trailing_equipment(tokens: list[str]) -> list[str]:
    """ "Everest Teams Room" -> "Everest Room", unless nothing but equipment would be left."""
    end = len(tokens)
    while end > 0 and tokens[end - 1] in _EQUIPMENT | _GENERIC | _STOPWORDS:
        end -= 1
    kept = tokens[:end] + [t for t in tokens[end:] if t not in _EQUIPMENT]
    return kept if any(t not in _GENERIC | _STOPWORDS for t in kept) else tokens


def _split_compound(token: str) -> tuple[str, ...]:
    """ "boardroom" -> ("board", "room"), "schulungsraum" -> ("schulung", "raum")."""
    for suffix in _COMPOUND_SUFFIXES:
        if token.endswith(suffix) and len(token) >= len(suffix) + 3:
            stem = token[: -len(suffix)]
            if stem.endswith("s") and stem[:-1].endswith(_LINKING_S_STEMS):
                stem = stem[:-1]
            return (stem, _SUFFIX_CANONICAL.get(suffix, suffix))
    return (token,)


def _canonical_number(token: str) -> str:
    """ "2.10", "2-10" and "210" are the same room number; "04" is "4"."""
    return re.sub(r"\D", "", token).lstrip("0") or "0"


def _expand(token: str) -> tuple[str, ...]:
    """Abbreviations, compounds and number words to canonical tokens."""
    out: list[str] = []
    for expanded in _ABBREVIATIONS.get(token, (token,)):
        for part in _split_compound(expanded):
            out.append(_NUMBER_WORDS.get(part, part))
    return tuple(out)


def _classify(tokens: Sequence[str]) -> tuple[tuple[str, ...], frozenset[str]]:
    """Split canonical tokens into content words and identifiers."""
    words: list[str] = []
    idents: list[str] = []
    last_was_number = False
    for raw in tokens:
        for token in _expand(raw):
            if token in _STOPWORDS:
                last_was_number = False
                continue
            if _PURE_NUMBER.match(token):
                idents.append(_canonical_number(token))
                last_was_number = True
                continue
            if len(token) == 1 and token.isalpha():
                if last_was_number:
                    idents[-1] += token  # "4 B" is "4B"
                else:
                    idents.append(token)
                last_was_number = False
                continue
            last_was_number = False
            suffixed = _NUMBER_SUFFIX.match(token)
            if suffixed:
                number = _canonical_number(suffixed.group(1))
                suffix = suffixed.group(2)
                idents.append(number if suffix in _ORDINAL_SUFFIX else number + suffix)
            elif any(ch.isdigit() for ch in token):
                idents.append(token)
            else:
                words.append(token)
    return tuple(words), frozenset(idents)


def _analyse_part(text: str, codes: Collection[str]) -> RoomKey:
    """One alias of a folded name to a RoomKey."""
    loc = _Location()
    segments = _strip_site(_prepare(text, loc), codes, loc)
    tokens: list[str] = []
    for segment in segments:
        seg_tokens = _TOKEN.findall(segment.lower())
        if len(seg_tokens) == 1:
            floor = _STANDALONE_FLOOR.match(seg_tokens[0])
            if floor:
                loc.set_floor(int(floor.group(1)))
                continue
            if seg_tokens[0] in codes:
                continue
        if not _is_noise_tokens(seg_tokens):
            tokens.extend(seg_tokens)
    words, idents = _classify(_strip_trailing_equipment(tokens))
    return RoomKey(words, idents, loc.floor, loc.building, loc.site)


def normalize(name: str, *, codes: Collection[str] | None = None) -> RoomKey:
    """Reduce one room display name to its identifying parts.

    ``codes`` are the list's site codes (see ``site_codes``); by default only an
    upper-case code leading a multi-part name ("BOS - Boardroom") is taken as a site.
    """
    if codes is None:
        codes = site_codes([name])
    folded = _fold(name)
    parts = [p for p in _ALIAS_SEP.split(folded) if p.strip()]
    key = _analyse_part(" - ".join(parts), codes)
    if len(parts) > 1:
        aliases = []
        for part in parts:
            alias = _analyse_part(part, codes)
            if alias.words or alias.idents:
                aliases.append((alias.words, alias.idents))
        key = replace(key, aliases=tuple(aliases))
    return key


# ---------------------------------------------------------------------------
# Pair scoring
# ---------------------------------------------------------------------------


def _weight(word: str) -> float:
    return _GENERIC_WEIGHT if word in _GENERIC else 1.0


def _squeeze(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _token_similarity(a: str, b: str) -> float:
    """How surely two words are the same word: abbreviation, typo, spelling variant.

    Short words must match exactly ("Monet" is not "Manet"); only long words may
    carry a typo, because one letter is a different name in a five-letter word.
    """
    if a == b:
        return 1.0
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if long.startswith(short):
        if len(long) == len(short) + 1 and long[-1] in "sx":
            return 0.95  # plural
        if len(short) >= 4 and len(short) <= 0.6 * len(long):
            return 0.7  # "Collab" / "Collaboration", but also "Rose" / "Rosemary": weak
        return 0.0  # "Martin" / "Martina" are two names
    if (
        len(short) >= 3
        and short[0] == long[0]
        and len(short) <= len(long) - 2
        and sum(ch in "aeiouy" for ch in short) <= 1
        and _is_subsequence(short, long)
    ):
        return 0.8  # consonant skeleton: "Trng" / "Training"
    if min(len(a), len(b)) >= 5 and _squeeze(a) == _squeeze(b):
        return 0.92  # doubled letter dropped: "Dachterasse"
    germanic = {"ae": "a", "oe": "o", "ue": "u"}
    ga, gb = a, b
    for src, dst in germanic.items():
        ga, gb = ga.replace(src, dst), gb.replace(src, dst)
    if ga == gb:
        return 0.95  # "Mueller" / "Muller"
    distance = OSA.distance(a, b)
    if len(short) >= 5 and distance == 1 and sorted(a) == sorted(b):
        return 0.85  # adjacent transposition
    if len(short) >= 8 and distance == 1:
        return 0.88
    if len(short) >= 6 and distance == 1 and len(long) == len(short) + 1:
        return 0.85  # inner letter dropped: "Everst" (an extra last letter returned above)
    if len(short) >= 12 and distance == 2:
        return 0.8
    return 0.0


@dataclass(slots=True)
class _Scorer:
    """Per-call scorer; caches word similarities (no state survives the call)."""

    cache: dict[tuple[str, str], float] = field(default_factory=dict)
    word_cache: dict[tuple[tuple[str, ...], tuple[str, ...]], float] = field(default_factory=dict)

    def token(self, a: str, b: str) -> float:
        key = (a, b) if a <= b else (b, a)
        value = self.cache.get(key)
        if value is None:
            value = _token_similarity(*key)
            self.cache[key] = value
        return value

    def words(self, wa: tuple[str, ...], wb: tuple[str, ...]) -> float:
        """Weighted two-way coverage; the weaker side decides ("Boardroom Annex" fails)."""
        key = (wa, wb)
        value = self.word_cache.get(key)
        if value is None:
            value = self._words(wa, wb)
            self.word_cache[key] = value
        return value

    def _words(self, wa: Sequence[str], wb: Sequence[str]) -> float:
        wa, wb = _merge_compounds(wa, wb), _merge_compounds(wb, wa)
        wa, wb = _merge_initials(wa, wb), _merge_initials(wb, wa)
        matrix = [[self.token(a, b) for b in wb] for a in wa]
        best_a = [max(row) for row in matrix]
        best_b = [max(matrix[i][j] for i in range(len(wa))) for j in range(len(wb))]
        # Missed weight over at least one word's weight: "Sala de Reuniones" vs "Sala"
        # misses little, "Boardroom Annex" vs "Boardroom" misses half.
        return 1.0 - max(_missed(wa, best_a), _missed(wb, best_b))

    def core(self, wa: tuple[str, ...], ia: frozenset[str], wb: tuple[str, ...], ib: frozenset[str]) -> float:
        """Score two (words, identifiers) cores, before location evidence."""
        if ia and ib and ia != ib:
            # Different room numbers: never a pair, so skip the word analysis.
            return _IDENT_CONFLICT * fuzz.token_sort_ratio(" ".join(wa), " ".join(wb)) / 100.0
        if wa and wb:
            structured = self.words(wa, wb)
            content_a = [w for w in wa if w not in _GENERIC] or wa
            content_b = [w for w in wb if w not in _GENERIC] or wb
            surface = fuzz.token_sort_ratio(" ".join(content_a), " ".join(content_b)) / 100.0
            base = 0.8 * structured + 0.2 * surface
        elif wa or wb:
            others = wa or wb
            base = 0.9 if all(w in _GENERIC for w in others) and (ia or ib) else 0.5
        else:
            base = 1.0 if ia and ib else 0.0
        if ia and ib:
            base += (1.0 - base) * 0.3
        elif ia or ib:
            base *= _IDENT_ONE_SIDED
        return base

    def pair(self, a: RoomKey, b: RoomKey) -> float:
        """Best score over the names' aliases, adjusted by floor and building evidence."""
        variants_a = _variants(a, b)
        variants_b = _variants(b, a)
        best = max(
            self.core(wa, ia, wb, ib) * fa * fb for wa, ia, fa in variants_a for wb, ib, fb in variants_b
        )
        if a.floor is not None and b.floor is not None:
            if a.floor == b.floor:
                best += (1.0 - best) * 0.2
            else:
                best *= _LOCATION_CONFLICT
        if a.building is not None and b.building is not None and a.building != b.building:
            best *= _LOCATION_CONFLICT
        return min(max(best, 0.0), 1.0)


def _merge_initials(words: Sequence[str], other: Sequence[str]) -> tuple[str, ...]:
    """Fold "vergader ruimte" into "vr" when the other side writes the initialism "VR"."""
    initialisms = {w for w in other if 2 <= len(w) <= 4 and not any(ch in "aeiouy" for ch in w)}
    if not initialisms:
        return tuple(words)
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in (4, 3, 2):
            run = words[i : i + size]
            initials = "".join(w[0] for w in run)
            if len(run) == size and initials in initialisms and initials not in words:
                out.append(initials)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return tuple(out)


def _missed(words: Sequence[str], best: Sequence[float]) -> float:
    """Share of a name's weight the other name does not cover.

    Unmatched generic words ("Konferenzraum" is two) cost at most a little more than one.
    """
    generic = sum(_weight(w) * (1.0 - b) for w, b in zip(words, best, strict=True) if w in _GENERIC)
    content = sum(1.0 - b for w, b in zip(words, best, strict=True) if w not in _GENERIC)
    missed = content + min(generic, _GENERIC_MISS_CAP)
    return missed / max(sum(_weight(w) for w in words), 1.0)


def _variants(key: RoomKey, other: RoomKey) -> list[tuple[tuple[str, ...], frozenset[str], float]]:
    """The name and its aliases; "Bat. A ... Salle 301" also reads as "A301" if need be."""
    out = [(key.words, key.idents, 1.0)]
    out += [(words, idents, _ALIAS_FACTOR) for words, idents in key.aliases]
    if key.building is not None and other.building is None and len(key.idents) == 1:
        (ident,) = key.idents
        prefixed = frozenset({key.building + ident})
        if prefixed == other.idents:
            out.append((key.words, prefixed, 1.0))
    return out


def _merge_compounds(words: Sequence[str], other: Sequence[str]) -> tuple[str, ...]:
    """Join "board" + "room" when the other side writes "boardroom" as one word."""
    targets = set(other)
    out: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words) and words[i] + words[i + 1] in targets:
            out.append(words[i] + words[i + 1])
            i += 2
        else:
            out.append(words[i])
            i += 1
    return tuple(out)


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
# Matching
# ---------------------------------------------------------------------------


def _surface(key: RoomKey) -> str:
    return " ".join((*key.words, *sorted(key.idents)))


def _score_matrix(cal: Sequence[RoomKey], piv: Sequence[RoomKey]) -> np.ndarray:
    """Pair scores; a cheap C-level fuzzy prefilter skips pairs that share nothing."""
    scores = np.zeros((len(cal), len(piv)))
    if not cal or not piv:
        return scores
    rough = process.cdist(
        [_surface(k) for k in cal],
        [_surface(k) for k in piv],
        scorer=fuzz.token_set_ratio,
        score_cutoff=_PREFILTER_CUTOFF,
        workers=1,
    )
    scorer = _Scorer()
    for i, j in zip(*np.nonzero(rough), strict=True):
        scores[i, j] = scorer.pair(cal[i], piv[j])
    return scores


def _site_factors(scores: np.ndarray, cal: Sequence[RoomKey], threshold: float) -> np.ndarray:
    """Down-weight calendar rooms of another site in the same tenant.

    A site code group none of whose rooms has a strong match of its own (one no other
    calendar room scores about as well on) is taken as another office, when some other
    group does have such matches: "BOS - Boardroom" loses to "HQ-04-Boardroom".
    """
    factors = np.ones(len(cal))
    if scores.size == 0:
        return factors
    best_cols = scores.argmax(axis=1)
    supported: dict[str | None, int] = defaultdict(int)
    for i, j in enumerate(best_cols):
        s = scores[i, j]
        if s < threshold:
            continue
        rivals = np.count_nonzero(scores[:, j] >= s - 0.05) - 1
        if rivals == 0:
            supported[cal[i].site] += 1
    groups = {k.site for k in cal if k.site is not None}
    for site in groups:
        others_supported = any(n > 0 for g, n in supported.items() if g != site)
        if supported.get(site, 0) == 0 and others_supported:
            for i, key in enumerate(cal):
                if key.site == site:
                    factors[i] = _FOREIGN_SITE_FACTOR
    return factors


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
        if alternative >= now - _AMBIGUITY_MARGIN:
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
        if alternative >= now - _AMBIGUITY_MARGIN:
            return True
    return False


def _content(key: RoomKey) -> frozenset[str]:
    return frozenset(w for w in key.words if w not in _GENERIC)


def _has_unpaired_twin(
    row: int, cal: Sequence[RoomKey], paired: Collection[int], foreign: np.ndarray
) -> bool:
    """True when the same room name exists, unpaired, under another site code.

    "RJ-Sala Ipe" must not take "Ipe" just because "SP-Sala Ipe (8 pessoas)" parsed
    worse: with two sites naming a room alike, only a clear winner is safe.
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


def propose(
    calendar_rooms: Sequence[Mapping[str, Any]],
    pivot_rooms: Sequence[Mapping[str, Any]],
    *,
    threshold: float | None = None,
) -> list[dict[str, Any]]:
    """Propose a pivot room for each calendar room (DESIGN.md 3.6).

    Returns one row per calendar room, in input order:
    ``{"calendar_room": email, "pivot_room": id or None, "score": 0..1}``. Each pivot
    room appears at most once. For unmatched rows ``score`` is the best candidate's
    score, to help the admin who maps that room by hand.
    """
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
    cal_names = [calendar_rooms[i]["name"] for i in cal_order]
    piv_names = [pivot_rooms[j]["name"] for j in piv_order]
    cal_codes = site_codes(cal_names, piv_names)
    piv_codes = site_codes(piv_names, cal_names)
    cal_keys = [normalize(n, codes=cal_codes) for n in cal_names]
    piv_keys = [normalize(n, codes=piv_codes) for n in piv_names]

    scores = _score_matrix(cal_keys, piv_keys)
    factors = _site_factors(scores, cal_keys, limit)
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
        if row in fixed or not _has_unpaired_twin(row, cal_keys, pairs, foreign)
    }
    result: list[dict[str, Any]] = [{} for _ in calendar_rooms]
    for i, original in enumerate(cal_order):
        col = pairs.get(i)
        best = float(scores[i].max()) if scores.shape[1] else 0.0
        score = float(scores[i, col]) if col is not None else best
        result[original] = {
            "calendar_room": calendar_rooms[original]["email"],
            "pivot_room": pivot_rooms[piv_order[col]]["id"] if col is not None else None,
            "score": round(min(max(score, 0.0), 1.0), 4),
        }
    return result
