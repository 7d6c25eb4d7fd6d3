"""Room names reduced to what identifies a room (words, identifiers, floor, building, site)."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from .vocabulary import (
    ABBREVIABLE_ROOM_WORDS,
    ABBREVIATIONS,
    BASEMENT_WORDS,
    BUILDING_AFTER_LETTER,
    BUILDING_BEFORE_LETTER,
    BUILDING_WORDS,
    CAPACITY_LABELS,
    CAPACITY_UNITS,
    CAPACITY_WORDS,
    COMPASS_INITIALS,
    COMPOUND_SUFFIXES,
    DEPRECATED_MARKS,
    DEPRECATED_PHRASES,
    EQUIPMENT,
    FLOOR_WORDS,
    FLOOR_WORDS_AFTER_NUMBER,
    FLOOR_WORDS_FULL,
    GENERIC,
    GROUND_FLOOR_WORDS,
    HANDWRITTEN_ROOM_WORDS,
    LAYOUT_WORDS,
    LINKING_S_STEMS,
    NON_ROOM,
    NUMBER_PARTICLES,
    NUMBER_WORDS,
    ORDINAL_WORDS,
    QUALIFIERS,
    SPECIAL_LETTERS,
    STOPWORDS,
    STREET_WORDS,
    SUFFIX_CANONICAL,
    SYNONYMS,
    TRAILING_NUMBER_WORDS,
)

# "4de" Dutch, "2ú" Irish, "3os" Greek; "2-y", "3-iy" (a Slavic ordinal ending, romanised)
_ORD = r"(?:st|nd|rd|th|eme|ieme|ere|er|ste|de|os|e|o|a|u|°|-[a-z]{1,3}(?=\s))?"


def _alternation(words: Collection[str]) -> str:
    """Words (or phrases: a space matches any run of spaces) as one regex group.

    Written as a trie ("floor|flr|fl" is "f(?:l(?:oor|r)?)"): the same matches, longest
    first, but the engine tries one branch per letter instead of every word at every
    position, which with the lexicon's hundreds of words is most of normalisation's time.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return "(?:" + _trie_pattern(trie) + ")"


def _trie_pattern(node: Mapping[str, Any]) -> str:
    branches = [
        (r"[\s\-]+" if ch == " " else re.escape(ch)) + _trie_pattern(child)
        for ch, child in sorted(node.items())
        if ch
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in node:
        return body
    return (body if len(branches) == 1 and len(body) == 1 else "(?:" + body + ")") + "?"


_FLOOR_WORD = _alternation(FLOOR_WORDS)
_FLOOR_WORD_AFTER = _alternation(FLOOR_WORDS | FLOOR_WORDS_AFTER_NUMBER)
_FLOOR_NUMBER_FIRST = re.compile(
    rf"(?<![a-z0-9])(\d{{1,2}}){_ORD}[.\-]?\s*{_FLOOR_WORD_AFTER}(?![a-z])", re.I
)
_FLOOR_WORD_FIRST = re.compile(
    rf"(?<![a-z0-9]){_FLOOR_WORD}\.?(?:\s*|-)(?:n[o°]\.?\s*)?\+?(\d{{1,2}})(?![0-9]|[.\-]\d)", re.I
)
# "Sala 1 Piso 2": a bare number before the floor word is the room's, the one after it the floor
_FLOOR_BETWEEN = re.compile(
    rf"(?<![a-z0-9.])(\d{{1,3}})\s+{_FLOOR_WORD}\.?\s*(\d{{1,2}})(?![0-9]|[.\-]\d)", re.I
)
_ROMAN_FLOORS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
# "Kuchnia (II p.)", "III. emelet": a Roman numeral before a floor word (Polish "p." = piętro)
_FLOOR_ROMAN = re.compile(
    rf"(?<![a-z0-9])(viii|vii|vi|iv|ix|v|x|iii|ii|i)\.?\s*(?:p\.|{_FLOOR_WORD}(?![a-z]))", re.I
)
_ORDINAL_ALTERNATION = "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True))
_CARDINAL_TENS = frozenset(str(n) for n in range(20, 100, 10))
# The tens of a compound ordinal: an ordinal ("Décimo Quinto") or a cardinal ("Twenty-Sixth").
_TENS: dict[str, int] = {
    **{w: int(n) for w, n in NUMBER_WORDS.items() if w.isalpha() and n in _CARDINAL_TENS},
    **{w: n for w, n in ORDINAL_WORDS.items() if n >= 10 and n % 10 == 0},
}
_TENS_ORDINALS = _alternation(_TENS)[3:-1]
_UNIT_ORDINALS = _alternation([w for w, n in ORDINAL_WORDS.items() if 0 < n < 10])[3:-1]
_FLOOR_ORDINAL_WORD = re.compile(
    rf"(?<![a-z0-9])(?:({_TENS_ORDINALS})[\s\-]*({_UNIT_ORDINALS})|({_ORDINAL_ALTERNATION}))\s+"
    + _FLOOR_WORD
    + r"(?![a-z])",
    re.I,
)
_FLOOR_ORDINAL_ABBREVIATED = re.compile(
    r"(?<![a-z0-9])(\d{1,2})(?:(?:st|nd|rd|th|eme|ieme|ere|er|e|°|o|a)\.?|(\.))\s*([a-z]{2,})(\.?)(?![a-z0-9])",
    re.I,
)
# "et.3" (Romanian etaj), "Pl. 2": a floor word cut short with a dot, before the number
_FLOOR_ABBREVIATED_FIRST = re.compile(r"(?<![a-z0-9])([a-z]{2,})\.\s*(\d{1,2})(?![0-9]|[.\-]\d)", re.I)
# "WAW 3p Gdańsk": "3p" (Polish "3 piętro") between a leading site code and the room name is
# a floor; elsewhere "8p" is a capacity.
_FLOOR_P_AFTER_CODE = re.compile(r"^(\W*[A-Z]{2,5}(?:\s*[-_|]\s*|\s+))(\d{1,2})p\.?\s+(?=[^\W\d_])")
_FLOOR_SAL = re.compile(
    r"(?<![a-z0-9.])(\d{1,2})\.\s*sal(?![a-z])", re.I
)  # Danish "3. sal" (a "Sal 3" is a hall)
# Danish "Første sal", "Anden sal": an ordinal word before "sal" is a floor as well
_FLOOR_SAL_ORDINAL = re.compile(rf"(?<![a-z0-9])({_ORDINAL_ALTERNATION})\s+sal(?![a-z])", re.I)
_FLOOR_LEVEL_CODE = re.compile(r"(?<![a-z0-9])[lp](\d{1,2})(?![a-z0-9])", re.I)
# French "R+27" (rez-de-chaussée plus 27) and its short form "R27" ("R2.14" is room 2.14)
_FLOOR_R_PLUS = re.compile(
    r"(?<![a-z0-9])r\s*\+\s*(\d{1,2})(?![0-9])|(?<![a-z0-9])r(\d{1,2})(?![a-z0-9]|[.\-]\d)", re.I
)
# Czech "3. p." (patro) and Polish "3 p." (piętro); "(8p)" without the dot is a capacity
_FLOOR_P_DOT = re.compile(r"(?<![a-z0-9.])(\d{1,2})\.?\s*p\.(?![a-z0-9])", re.I)
# "15F", "05F": a floor wherever it stands (a lone "2F" segment is handled the same way)
_FLOOR_F_CODE = re.compile(r"(?<![a-z0-9.])(\d{1,2})/?f(?![a-z0-9])", re.I)  # "3F", "3/F"
_FLOOR_WORD_NUMBER = re.compile(
    rf"(?<![a-z0-9]){_FLOOR_WORD}\.?\s+("
    + "|".join(
        sorted(
            {*ORDINAL_WORDS, *(w for w, n in NUMBER_WORDS.items() if n.isdigit() and len(w) > 2)},
            key=len,
            reverse=True,
        )
    )
    + r")(?![a-z0-9])",
    re.I,
)
_FLOOR_GROUND = re.compile(rf"(?<![a-z0-9]){_alternation(GROUND_FLOOR_WORDS)}(?![a-z0-9])", re.I)
_FLOOR_BASEMENT = re.compile(rf"(?<![a-z0-9]){_alternation(BASEMENT_WORDS)}(?![a-z0-9])", re.I)
# "A-Wing", "B Block": the letter before the building word
_BUILDING_AFTER = re.compile(
    rf"(?<![a-z0-9])([a-z])[\s\-]{_alternation(BUILDING_AFTER_LETTER)}(?![a-z0-9])", re.I
)
# (a word that is a number or a room word is none: Hungarian "húsz" is 20, not "hus Z")
_WHOLE_WORDS = _alternation({*NUMBER_WORDS, *ORDINAL_WORDS, *GENERIC})
_BUILDING = re.compile(
    rf"(?<![a-z0-9])(?!{_WHOLE_WORDS}(?![a-z0-9]))"
    rf"{_alternation(BUILDING_BEFORE_LETTER)}\.?(?:\s*|-)([a-z]|\d{{1,3}})(?![a-z0-9])",
    re.I,
)
_UNITS = "|".join(sorted(CAPACITY_UNITS, key=len, reverse=True))
_LABELS = "|".join(sorted(CAPACITY_LABELS, key=len, reverse=True))
_CAPACITY = re.compile(
    rf"(?<![a-z0-9.])\d{{1,4}}\s*-?\s*(?:{_UNITS})\.?(?![a-z0-9])"
    rf"|(?<![a-z0-9])(?:{_LABELS})\.?\s*[:=]?\s*\d{{1,4}}(?![0-9])"
    r"|(?<![a-z0-9])(?:for\s+|(?-i:x)\s?)\d{1,3}\W*$",  # "Pollux for 10", "Lyra x8" ("Lab X2" is a room)
    re.I,
)
_WITH = re.compile(r"(?<![a-z0-9])w/(?=\s*[a-z])", re.I)  # "Rigel w/ VC"
_BRACKETS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|\{([^{}]*)\}")
# A trailing bracket of two or more words of letters only ("(Orchid Island)"), after a name.
_GLOSS = re.compile(r"(?<=[^\W\d_])\s*\(\s*([^\W\d_]{2,}(?:\s+[^\W\d_]{2,})+)\s*\)\s*$")
_ALIAS_SEP = re.compile(r"(?<=[^\W\d_]{2})\s*/\s*(?=[^\W\d_]{2})|\s+/\s+")
_SEGMENT_SEP = re.compile(
    r"\s+[-|/:;,·•]+\s+"
    r"|[|;,·•_:/]"
    r"|(?<=[^\W\d_])[-.](?=\w)"
    r"|(?<=\d)[-.](?=[^\W\d_])"
    r"|\s+-+(?=\S)|(?<=\S)-+\s+"
)
# "MR4.02" keeps its dotted number whole, to be split into "MR" and "4.02" (see _split_glued)
_TOKEN = re.compile(
    r"[^\W\d_]{2,5}\d+(?:[.\-/]\d+)+(?![^\W_])|\d+(?:[.\-/]\d+)*[^\W\d_]*|[^\W\d_]+\d*[^\W_]*|&"
)
_CASED_TOKEN = re.compile(r"[^\W_]+")
_BUILDING_CODE = re.compile(r"^[A-Za-z]{1,3}\d{1,3}$")
_LOCATION_CODE = re.compile(r"^(?:[a-z]{1,2}\d{1,2}|\d{1,2}[a-z]{0,3})$")
_FLOORISH_CODE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|e|er|ere|eme|f)?$")
_STANDALONE_FLOOR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|e|er|ere|eme|f)$")
_PURE_NUMBER = re.compile(r"^\d+(?:[.\-/]\d+)*$")
_NUMBER_SUFFIX = re.compile(r"^(\d+(?:[.\-/]\d+)*)([^\W\d_]{1,3})$")
_ORDINAL_SUFFIX = frozenset({"st", "nd", "rd", "th", "e", "er", "ere", "eme"})
_ELISION = re.compile(r"(?<![a-z])(?:[dlnmsjc]|qu)'(?=[a-z])|'s(?![a-z])", re.I)
# Wade-Giles aspiration ("T'ai-shan", "Ch'ang-an", "K'un-ming"): the apostrophe is no break
_ASPIRATION = re.compile(r"(?<![a-z])((?:[ptk]|ch|ts|tz))['’‘ʻ](?=[aeiou])", re.I)
# An apostrophe inside a word after three letters or more is a letter of the romanisation
# (Arabic ʿayn and hamza "Dir'iyah", a Russian soft sign "Sokol'niki"), not a break.
_INNER_APOSTROPHE = re.compile(r"(?<=[^\W\d_]{3})['’‘ʻʼ](?=[^\W\d_])")
_ORDINAL_MARK = re.compile(r"(\d)\.?\s?[º°ª]")  # "7º", "2.º" (European Portuguese)
_FLOOR_DEGREE = re.compile(r"(?<![\d.])(\d{1,2})°(?![a-z0-9])", re.I)
_HOURS = re.compile(r"(?<![\w./-])(?:24\s*/\s*7|24\s*x\s*7|24\s*h)(?![\w./-])", re.I)
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
    deprecated: bool = False  # "zz_", "OLD - ", "(ancien)": a mailbox kept from before


@dataclass(slots=True)
class _Location:
    """Collects location facts while a name is being stripped."""

    floor: int | None = None
    building: str | None = None
    site: str | None = None
    buildings: BuildingTable | None = None

    def set_floor(self, value: int) -> None:
        if self.floor is None:
            self.floor = value


@dataclass(frozen=True, slots=True)
class BuildingTable:
    """Building names of one site and the codes that stand for them ("HSC" = "Hadley Science Center").

    Built from both room lists by ``building_table``; ``strip`` removes a building
    mention from a name and records the building (and a floor glued to a code, "AND05").
    """

    phrases: tuple[tuple[re.Pattern[str], str], ...] = ()
    codes: tuple[tuple[re.Pattern[str], str], ...] = ()
    marks: tuple[tuple[re.Pattern[str], str], ...] = ()  # "WAW-A", "LIS-TN": see ``mark_codes``
    compass: frozenset[str] = frozenset()  # "90W", "90E": building codes, not "90 West" (a side)

    def strip(self, text: str, loc: _Location) -> str:
        def found(building: str) -> Any:
            def repl(match: re.Match[str]) -> str:
                if loc.building is None and building:
                    loc.building = building
                digits = match.groupdict().get("digits") or ""
                if 1 <= len(digits) <= 2:
                    loc.set_floor(int(digits))  # "AND05": building AND, floor 5
                    return " - "
                return f" - {digits} " if digits else " - "

            return repl

        for pattern, building in self.phrases:
            text = pattern.sub(found(building), text)
        for pattern, building in self.codes:
            text = pattern.sub(found(building), text)
        for pattern, building in self.marks:
            match = pattern.search(text)
            if match:
                if loc.building is None:
                    loc.building = building
                lead = match.group("lead") or ""  # the site code stays
                text = f"{text[: match.start()]}{lead} - {text[match.end() :]}"
        return text


# "13층" (Korean), "3階" (Japanese), "3楼" / "3樓" (Chinese): the floor, before the letters are folded
_CJK_FLOOR = re.compile(r"(?<![0-9])(\d{1,2})\s*(?:층|階|楼|樓)")
# "A동" (Korean), "A棟" / "B館" (Japanese, Chinese): building A
_CJK_BUILDING = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]|\d{1,2})\s*(?:동|棟|館|栋|馆)")


def _fold(name: str) -> str:
    """Strip accents and typographic variants but keep case (site codes are upper-case)."""
    text = _CJK_FLOOR.sub(r" \1F ", unicodedata.normalize("NFC", name))
    text = _CJK_BUILDING.sub(r" Building \1 ", text)
    text = _ORDINAL_MARK.sub(r"\1°", text)  # "7º", "4ª", "3 °"
    text = unicodedata.normalize("NFKC", text)  # full-width forms, no-break spaces, ligatures
    text = _LONE_A_GRAVE.sub(" ", text).translate(SPECIAL_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text)  # Hangul syllables again ("회의실"), not jamo
    text = _INNER_APOSTROPHE.sub("", _ELISION.sub(" ", _ASPIRATION.sub(r"\1", text)))
    return " ".join(text.split())


def _strip_locations(text: str, loc: _Location) -> str:
    """Remove floor and building expressions, remembering their values."""

    def floor_from(group: int) -> Any:
        def repl(match: re.Match[str]) -> str:
            loc.set_floor(int(match.group(group)))
            return " - "

        return repl

    def roman_floor(match: re.Match[str]) -> str:
        loc.set_floor(_ROMAN_FLOORS[match.group(1).lower()])
        return " - "

    def between_floor(match: re.Match[str]) -> str:
        loc.set_floor(int(match.group(2)))
        return f" {match.group(1)} - "

    def ordinal_floor(match: re.Match[str]) -> str:
        # "Décimo Quinto Piso", "decimoquinto": a tens ordinal then a units one add up.
        if match.group(1):
            loc.set_floor(_TENS[match.group(1).lower()] + ORDINAL_WORDS[match.group(2).lower()])
        else:
            loc.set_floor(ORDINAL_WORDS[match.group(3).lower()])
        return " - "

    def sal_floor(match: re.Match[str]) -> str:
        loc.set_floor(ORDINAL_WORDS[match.group(1).lower()])
        return " - "

    def r_floor(match: re.Match[str]) -> str:
        if match.group(2) and loc.floor is not None:
            return match.group(0)  # "B1 L2 R05": beside a floor, "R05" is the room
        loc.set_floor(int(match.group(1) or match.group(2)))
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

    def worded_floor(match: re.Match[str]) -> str:
        word = match.group(1).lower()
        loc.set_floor(ORDINAL_WORDS[word] if word in ORDINAL_WORDS else int(NUMBER_WORDS[word]))
        return " - "

    def abbreviated_floor(match: re.Match[str]) -> str:
        word = match.group(3).lower()
        # "3.em" (Hungarian "3. emelet"): an ordinal dot glued to a short floor word
        dotted = bool(match.group(4)) or (bool(match.group(2)) and match.group(0)[-len(word) - 1] == ".")
        if (
            (len(word) < 3 and not dotted)
            or word in STREET_WORDS
            or not any(full.startswith(word) for full in FLOOR_WORDS_FULL)
        ):
            return match.group(0)
        loc.set_floor(int(match.group(1)))
        return " - "

    def abbreviated_first_floor(match: re.Match[str]) -> str:
        word = match.group(1).lower()
        if word in STREET_WORDS or not any(full.startswith(word) for full in FLOOR_WORDS_FULL):
            return match.group(0)
        loc.set_floor(int(match.group(2)))
        return " - "

    if loc.buildings is not None:
        text = loc.buildings.strip(text, loc)
    if match := _FLOOR_P_AFTER_CODE.match(text):
        loc.set_floor(int(match.group(2)))
        text = f"{match.group(1)} - {text[match.end() :]}"
    text = _FLOOR_BETWEEN.sub(between_floor, text)
    text = _FLOOR_ROMAN.sub(roman_floor, text)
    text = _FLOOR_ORDINAL_WORD.sub(ordinal_floor, text)
    text = _FLOOR_WORD_NUMBER.sub(worded_floor, text)
    text = _FLOOR_ORDINAL_ABBREVIATED.sub(abbreviated_floor, text)
    text = _FLOOR_ABBREVIATED_FIRST.sub(abbreviated_first_floor, text)
    text = _FLOOR_NUMBER_FIRST.sub(floor_from(1), text)
    text = _FLOOR_SAL.sub(floor_from(1), text)
    text = _FLOOR_SAL_ORDINAL.sub(sal_floor, text)
    text = _FLOOR_WORD_FIRST.sub(floor_from(1), text)
    text = _FLOOR_DEGREE.sub(floor_from(1), text)
    text = _FLOOR_LEVEL_CODE.sub(floor_from(1), text)
    text = _FLOOR_R_PLUS.sub(r_floor, text)
    text = _FLOOR_P_DOT.sub(floor_from(1), text)
    text = _FLOOR_F_CODE.sub(floor_from(1), text)
    text = _FLOOR_GROUND.sub(fixed_floor(0), text)
    text = _FLOOR_BASEMENT.sub(fixed_floor(-1), text)
    return _BUILDING_AFTER.sub(building, _BUILDING.sub(building, text))


def _strip_noise(text: str, loc: _Location) -> str:
    """Remove locations, capacities and opening hours ("24/7") from free text."""
    return _CAPACITY.sub(" - ", _strip_locations(_HOURS.sub(" - ", _WITH.sub(" with ", text)), loc))


def _is_noise_tokens(tokens: Sequence[str]) -> bool:
    """True for fragments such as "Teams Room", "VC", "12" or "cap 8" that name no room."""
    if not tokens:
        return True
    noise = EQUIPMENT | GENERIC | STOPWORDS | CAPACITY_WORDS
    return all(t in noise for t in tokens) and any(t in EQUIPMENT or t in CAPACITY_WORDS for t in tokens)


def _is_capacity_note(tokens: Sequence[str]) -> bool:
    """ "(12)", "(8 pessoas)", "(6 personer)": a bare count, in any language; "(12 posti a
    sedere)", "(12 seats + 10 standing)": a count and its unit, then anything; "(theatre 80)",
    "(U-shape 20)": a seating layout and its count."""
    if not tokens:
        return False
    if tokens[0].isdigit() and int(tokens[0]) <= 999:
        return len(tokens) == 1 or (len(tokens) == 2 and tokens[1].isalpha()) or tokens[1] in CAPACITY_WORDS
    return (
        len(tokens) >= 2
        and tokens[-1].isdigit()
        and int(tokens[-1]) <= 999
        and all(t in LAYOUT_WORDS for t in tokens[:-1])
    )


def _strip_brackets(text: str, loc: _Location) -> str:
    """Drop bracketed capacity/equipment/floor notes; keep bracketed words that name a room."""

    def repl(match: re.Match[str]) -> str:
        content = next(g for g in match.groups() if g is not None)
        rest = _strip_noise(content, loc)
        tokens = _TOKEN.findall(rest.lower())
        if len(tokens) == 1 and (floor := _STANDALONE_FLOOR.match(tokens[0])):
            loc.set_floor(int(floor.group(1)))  # "(1er)", "(2F)"
            return " - "
        if len(tokens) == 1 and len(tokens[0]) == 1 and tokens[0].isalpha() and loc.floor is not None:
            # "(B 2.OG)": beside a floor, a lone letter is the building or wing
            if loc.building is None:
                loc.building = tokens[0]
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
    caps = token.isalpha() and token.isupper() and 2 <= len(token) <= 5
    if len(segments) < 2 and not building_code:
        # "AMS VR 1.01": an upper-case code glued to the room by a space only counts
        # when it leads several names (see site_codes), never on sight.
        lowered = token.lower()
        if not caps or len(tokens) < 2 or lowered in GENERIC | EQUIPMENT | STOPWORDS | ABBREVIATIONS.keys():
            return None
        return lowered, False
    if not caps and len(tokens) != 1 and not building_code:
        return None
    lowered = token.lower()
    if lowered in GENERIC | EQUIPMENT | STOPWORDS or lowered in ABBREVIATIONS:
        return None
    return lowered, caps


def _spaced_code(counts: Mapping[str, int], spaced: Collection[str], other_names: Sequence[str]) -> set[str]:
    """The one upper-case code that leads names with only a space after it ("AMS VR 1.01").

    Such a code is taken only when it is clearly the list's own prefix: it leads three
    names or more, more than any other such code, and is not the initials of a building
    the other list spells out ("HSC 101" / "Hadley Science Center 101"). Then the other
    such codes are taken as well, as other offices' prefixes.
    """
    ranked = sorted(((counts[c], c) for c in spaced), reverse=True)
    if not ranked or ranked[0][0] < 3 or (len(ranked) > 1 and ranked[1][0] == ranked[0][0]):
        return set()
    top = ranked[0][1]
    phrases = {p for p in (_leading_phrase(_fold(n)) for n in other_names) if p}
    if any(_code_matches(top, p) for p in phrases):
        return set()
    # Beside the list's own prefix, another such code is another office ("QC Salle du conseil").
    return {c for _, c in ranked if c == top or not any(_code_matches(c, p) for p in phrases)}


def _other_offices(
    counts: Mapping[str, int], home: Collection[str], spaced: Collection[str], other_names: Sequence[str]
) -> set[str]:
    """Upper-case codes before a space ("ANR Sablon") where the list's own code is written the
    same way ("BRU Zavel" beside "BRU-02.01"): other offices' prefixes, unless a building's
    initials or a word's abbreviation on the other side ("HSC 212" / "Hadley Science Center")."""
    if not spaced or not any(counts[c] >= 3 for c in home):
        return set()
    phrases = {p for p in (_leading_phrase(_fold(n)) for n in other_names) if p}
    words = {w for n in other_names for w in _PHRASE_WORD.findall(_fold(n).lower())}
    return {
        c
        for c in spaced
        if not any(_code_matches(c, p) for p in phrases)
        # "ENGR Makerspace" / "Engineering Makerspace": the code shortens a word there
        and not any(w.startswith(c[:2]) and is_subsequence(c, w) for w in words)
    }


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
    weak_all: set[str] = set()
    upper_spaced: set[str] = set()  # "ANR Sablon": an upper-case code before a space only
    for name in names:
        folded = _fold(name)
        segments = _prepare(_ALIAS_SEP.sub(" - ", folded), _Location())
        lead = _leading_code(segments)
        if lead is None:
            continue
        counts[lead[0]] += 1
        if len(segments) < 2 and lead[1] is False and _BUILDING_CODE.match(lead[0]) is None:
            weak_all.add(lead[0])
            first = _CASED_TOKEN.findall(segments[0])[0]
            if first.isalpha() and first.isupper() and 3 <= len(first) <= 5 and not folded.isupper():
                upper_spaced.add(lead[0])
        if len(segments) > 1:
            first_segments[_segment_key(segments[0])] += 1
        if lead[1] and not folded.isupper():
            caps_codes.add(lead[0])
    candidates = caps_codes | {code for code, n in counts.items() if n >= 2 and code not in weak_all}
    candidates |= _spaced_code(counts, weak_all - caps_codes, other_names)
    candidates |= _other_offices(counts, caps_codes & weak_all, upper_spaced - candidates, other_names)
    # A city written out where the other names use its code: "London -" beside "LON-".
    spelled = {
        word: code
        for word in counts
        if word not in candidates
        for code in sorted(caps_codes, reverse=True)
        if word.startswith(code[:2]) and is_subsequence(code, word)
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
    # "EBC - Executive Briefing" beside "Executive Briefing Center": the code is the room's
    # initials, not an office; it is still dropped from the name, but names no site ("").
    initials = {"".join(w[0] for w in _PHRASE_WORD.findall(_fold(n).lower())) for n in other_names}
    codes.update({code: "" for code in codes.keys() & initials})
    codes.update(_sub_site_codes(names, other_names, codes))
    # "NYC 5th Ave" leading several names is a location prefix as a whole.
    for seg, n in first_segments.items():
        # "CDMX SJ P14-1" is no location "CDMX SJ": "SJ" abbreviates "Sala de Juntas".
        rest = seg.split()[1:]
        if any(w in ABBREVIATIONS or w in GENERIC for w in rest):
            continue
        if n >= 2 and " " in seg and seg.split()[0] in codes:
            codes[seg] = codes[seg.split()[0]]
    return MappingProxyType(codes)


_SUB_SITE = re.compile(r"^\W*([A-Z]{2,5})-([A-Z]{2,4})(?=\s+[^\W\d_]|\s+\d)")


def _sub_site_codes(
    names: Sequence[str], other_names: Sequence[str], codes: Mapping[str, str]
) -> dict[str, str]:
    """ "PAR-DEF Pont Marie", "PAR-DEF Salle 25.03": a second upper-case code glued to the
    site code by a hyphen, leading two names or more, is a part of the site (a district, a
    campus), not a word of the room's name. A building of the other list ("NW" for "North
    Wing"), a word there, or a single letter ("PRG-A", a building) is no such code."""
    counts: Counter[str] = Counter()
    for name in names:
        match = _SUB_SITE.match(_fold(name))
        if match and match.group(1).lower() in codes:
            counts[match.group(2).lower()] += 1
    if not counts:
        return {}
    phrases = {p for p in (_leading_phrase(_fold(n)) for n in other_names) if p}
    words = {w for n in other_names for w in _PHRASE_WORD.findall(_fold(n).lower())}
    return {
        code: ""
        for code, n in counts.items()
        if n >= 2
        and code not in codes
        and code not in words
        and code not in GENERIC | EQUIPMENT | STOPWORDS
        and code not in ABBREVIATIONS
        and not any(_code_matches(code, p) for p in phrases)
    }


def _strip_site(segments: list[str], codes: Collection[str], loc: _Location) -> list[str]:
    """Remove a leading site code segment and the floor/zone codes that follow it."""
    if not segments:
        return segments
    tokens = _CASED_TOKEN.findall(segments[0])
    has_site = bool(tokens) and tokens[0].lower() in codes
    if has_site:
        rest = segments[1:]
        first = segments[0]
        address = _segment_key(first) in codes or any(t.lower() in STREET_WORDS for t in tokens[1:])
        floor = len(tokens) == 2 and _FLOORISH_CODE.match(tokens[1].lower())
        if rest and (len(tokens) == 1 or address or floor) and any(_names_a_room(s, codes) for s in rest):
            segments = rest  # "BOS - Boardroom", "NYC 5th Ave - Huddle 2.01", "CHI 10 - Navy Pier"
            if floor:
                loc.set_floor(int(floor.group(1)))
        elif len(tokens) > 1:  # "BOS Conf Rm 3A", "BOS Boardroom - Annex": keep the room
            segments = [first[first.index(tokens[0]) + len(tokens[0]) :], *rest]
        else:
            return segments
        code = tokens[0].lower()
        loc.site = (codes.get(code, code) if isinstance(codes, Mapping) else code) or None
        # "PAR-DEF Pont Marie": the part of the site after the site code goes as well.
        sub = _CASED_TOKEN.findall(segments[0]) if segments else []
        is_sub = isinstance(codes, Mapping) and len(sub) > 1 and sub[0].isupper()
        if is_sub and codes.get(sub[0].lower()) == "":
            segments = [segments[0][segments[0].index(sub[0]) + len(sub[0]) :], *segments[1:]]
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
        and word not in GENERIC
        and word not in ABBREVIATIONS
        and word not in EQUIPMENT
    )


def is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


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
    while end > 0 and tokens[end - 1] in EQUIPMENT | GENERIC | STOPWORDS:
        end -= 1
    kept = tokens[:end] + [t for t in tokens[end:] if t not in EQUIPMENT]
    return kept if any(t not in GENERIC | STOPWORDS for t in kept) else tokens


def _split_compound(token: str) -> tuple[str, ...]:
    """ "boardroom" -> ("board", "room"), "schulungsraum" -> ("schulung", "raum"); a number
    word stays whole (Hungarian "tizenhárom" is 13, not "tizenha" + "rom")."""
    if token in NUMBER_WORDS or token in ORDINAL_WORDS:
        return (token,)
    for suffix in COMPOUND_SUFFIXES:
        if token.endswith(suffix) and len(token) >= len(suffix) + 3:
            stem = token[: -len(suffix)]
            if stem.endswith("s") and stem[:-1].endswith(LINKING_S_STEMS):
                stem = stem[:-1]
            return (stem, SUFFIX_CANONICAL.get(suffix, suffix))
    return (token,)


def _canonical_number(token: str) -> str:
    """ "2.10", "2-10" and "210" are the same room number; "04" is "4".

    A number after a separator counts at least two digits: "21-3" is "21-03" (room 3 of
    floor 21), "2.1" is "2.01" and "201", never room 21. A floor before a room number that
    starts with it is the floor: "12-1201" is room 1201.
    """
    head, *rest = re.split(r"\D+", token.strip(".-/ "))
    floor = head.lstrip("0")
    if len(rest) == 1 and floor and len(rest[0]) >= len(floor) + 2 and rest[0].startswith(floor):
        return rest[0].lstrip("0") or "0"  # "12-1201", "4-410": the floor, then its room
    digits = head + "".join(part.zfill(2) for part in rest)
    return digits.lstrip("0") or "0"


def _expand(token: str) -> tuple[str, ...]:
    """Abbreviations, compounds and number words to canonical tokens."""
    out: list[str] = []
    for expanded in ABBREVIATIONS.get(token, (token,)):
        for part in _split_compound(expanded):
            out.append(NUMBER_WORDS.get(part, part))
    return tuple(out)


_GLUED = re.compile(r"^([a-z]{2,5})(\d{1,4}(?:[.\-/]\d{1,4})*)$")
_ROOM_LETTER_CODE = re.compile(r"(?<![a-z0-9])r(\d{1,2}[.\-]\d{1,3})(?![a-z0-9])")  # "R2.14": room 2.14


_INITIALISM = re.compile(r"^[b-df-hj-np-tv-xz]{2}$")


def _split_glued(tokens: Sequence[str]) -> list[str]:
    """ "MR1" is "MR 1", "Rm12" is "Rm 12": a room word glued to its number; so is an
    initialism of two consonants ("DR3": the other side may spell "Discussion Room 3")."""
    out: list[str] = []
    for token in tokens:
        glued = _GLUED.match(token)
        if glued and (
            glued.group(1) in ABBREVIATIONS
            or glued.group(1) in GENERIC
            or (_INITIALISM.match(glued.group(1)) and len(glued.group(2)) <= 2)
        ):
            out += [glued.group(1), glued.group(2)]
        else:
            out.append(token)
    return out


def _classify(tokens: Sequence[str]) -> tuple[tuple[str, ...], frozenset[str]]:
    """Split canonical tokens into content words and identifiers."""
    words: list[str] = []
    idents: list[str] = []
    last_was_number = False
    for raw in _split_glued(tokens):
        for token in _expand(raw):
            if token in STOPWORDS:
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


def _analyse_part(text: str, codes: Collection[str], buildings: BuildingTable | None = None) -> RoomKey:
    """One alias of a folded name to a RoomKey."""
    loc = _Location(buildings=buildings)
    segments = _strip_site(_prepare(text, loc), codes, loc)
    tokens: list[str] = []
    noise: list[str] = []
    for segment in segments:
        seg_tokens = _TOKEN.findall(_ROOM_LETTER_CODE.sub(r"\1", segment.lower()))
        if len(seg_tokens) == 1:
            floor = _STANDALONE_FLOOR.match(seg_tokens[0])
            if floor:
                loc.set_floor(int(floor.group(1)))
                continue
            if seg_tokens[0] in codes:
                continue
        if not _is_noise_tokens(seg_tokens):
            tokens.extend(seg_tokens)
        elif not any(t in CAPACITY_WORDS or t.isdigit() for t in seg_tokens):
            noise.extend(seg_tokens)
    if not tokens and noise:
        tokens = noise  # "Sala Videoconf.": the equipment is what this room is called
    # "Lachine 22e", "Stilteruimte 2e", "Café 21st": a trailing ordinal after a word is a floor.
    if len(tokens) > 1 and tokens[-2].isalpha() and (floor := _STANDALONE_FLOOR.match(tokens[-1])):
        loc.set_floor(int(floor.group(1)))
        tokens.pop()
    # "Seomra Oiliúna a hAon": the particle before a counted number is no room letter "A".
    tokens = [
        t
        for i, t in enumerate(tokens)
        if not (t in NUMBER_PARTICLES and i + 1 < len(tokens) and tokens[i + 1] in NUMBER_WORDS)
    ]
    # "Undervisning To" (Danish two): a little word that is a number, ending the name after a word.
    trailing = len(tokens) > 1 and tokens[-1] in TRAILING_NUMBER_WORDS and tokens[-2].isalpha()
    if trailing and tokens[-2] not in STOPWORDS and tokens[-2] not in NUMBER_WORDS:
        tokens[-1] = TRAILING_NUMBER_WORDS[tokens[-1]]
    words, idents = _classify(_strip_trailing_equipment(tokens))
    return RoomKey(words, idents, loc.floor, loc.building, loc.site)


# "Halla-san", "Sorak-san": a lower-case word after a hyphen that would read as a number
# ("san" is three in Japanese) is a suffix of the name (Korean "san", mountain).
_NUMBER_WORD_ALTERNATION = "|".join(
    sorted((w for w in NUMBER_WORDS if w.isalpha() and w.islower()), key=len, reverse=True)
)
_GLUED_NUMBER_WORD = re.compile(rf"(?<![^\W\d_])([^\W\d_]{{3,}})-({_NUMBER_WORD_ALTERNATION})(?![^\W_])")
# ... and in a name typed in capitals ("SEL HALLA-SAN")
_GLUED_NUMBER_WORD_CAPS = re.compile(
    rf"(?<![^\W\d_])([^\W\d_]{{3,}})-({_NUMBER_WORD_ALTERNATION.upper()})(?![^\W_])"
)


# "45W Conference Center", "Conf Rm 38E": a floor or room number glued to a capital compass
# initial is that number on that side of the tower ("45 West Conference Center").
_COMPASS_CODE = re.compile(r"(?<![\w.\-])(\d{2,3})([NSEW])(?![\w.\-])")
_COMPASS_WORDS = {letter.upper(): word for word, letter in COMPASS_INITIALS.items()}


# "A-li-shan", "O-lu-an-pi": a name written in hyphenated syllables after a one-letter
# syllable is one word, not a room letter "A" ("Alishan").
_SYLLABLES = re.compile(r"(?<![\w-])[A-Z](?:-[a-z]{1,5}){2,}(?![\w-])")
# "S.F. Austin", "Stephen F. Austin Room", "J. Paul Getty": a person's dotted initials
# before a capitalised name are no room letters; the surname names the room.
# "J. F. Kennedy", "T. del Paine": initials before a name (a particle may come between)
_INITIALS = re.compile(
    r"(?<![\w.])((?:[A-Z]\.\s?){1,3})(?=(?:(?:de|del|da|do|di|du|la|le|von|van|der)\s+)?([A-Z][a-z]{2,}))"
)


def _drop_initials(match: re.Match[str]) -> str:
    following = _fold(match.group(2)).lower()
    before = match.string[: match.start()].split()
    previous = _fold(before[-1]).lower().strip(".-") if before else ""
    if following in GENERIC or following in SYNONYMS or following in BUILDING_WORDS:
        return match.group(0)  # "Building A. Room 3"
    if previous in BUILDING_WORDS or previous in BUILDING_BEFORE_LETTER or previous in GENERIC:
        return match.group(0)  # "Room B. Smith": after a room word, the letter may be the room's
    return ""


def _compass_code(match: re.Match[str]) -> str:
    return f"{match.group(1)} {_COMPASS_WORDS[match.group(2)]}"


_NOT_GLOSS = GENERIC | QUALIFIERS | NON_ROOM | BUILDING_WORDS | FLOOR_WORDS | EQUIPMENT | CAPACITY_WORDS


def _is_gloss(text: str) -> bool:
    """ "(Orchid Island)" glosses a name; "(Small Room)", "(North Wing)", "(Phone Booth)" make
    another room of it, or say where or what it is."""
    words = text.lower().split()
    return not any(w in _NOT_GLOSS or w in SYNONYMS for w in words)


def _glue_number_word(match: re.Match[str]) -> str:
    """ "Halla-san" is one name; "Sala-Uno" is room one (a room word before the number)."""
    word = match.group(1).lower()
    if word in HANDWRITTEN_ROOM_WORDS or word in ABBREVIATIONS or word in CAPACITY_WORDS:
        return match.group(0)
    return match.group(1) + match.group(2)


# "Kokoush. 3", "Neuv. 2.05", "Zased. místnost": a word cut short with a dot
_TRUNCATED = re.compile(r"(?<![^\W\d_])([^\W\d_]{4,})\.(?=\s|-|$)")
_ROOM_WORDS = ABBREVIABLE_ROOM_WORDS
_GENERIC_CONCEPTS = frozenset({"meeting", "conference", "room"})


def _untruncate(match: re.Match[str]) -> str:
    """The room word a dotted abbreviation starts, when all such words mean one thing (any
    generic word, or one concept): "Kokoush." is "kokoushuone", "Bibl." "bibliothek"."""
    short = match.group(1).lower()
    if short in ABBREVIATIONS or short in GENERIC or short in SYNONYMS or short in CAPACITY_WORDS:
        return match.group(0)
    start = bisect.bisect_left(_ROOM_WORDS, short)
    found = []
    for word in _ROOM_WORDS[start:]:
        if not word.startswith(short):
            break
        if len(word) >= len(short) + 2:
            found.append(word)
    meanings = {"" if w in GENERIC or SYNONYMS[w] in _GENERIC_CONCEPTS else SYNONYMS[w] for w in found}
    if len(meanings) != 1:
        return match.group(0)
    return min(found, key=len) + " "


def normalize(
    name: str, *, codes: Collection[str] | None = None, buildings: BuildingTable | None = None
) -> RoomKey:
    """Reduce one room display name to its identifying parts.

    ``codes`` are the list's site codes (see ``site_codes``); by default only an
    upper-case code leading a multi-part name ("BOS - Boardroom") is taken as a site.
    """
    if codes is None:
        codes = site_codes([name])
    compass = buildings.compass if buildings is not None else frozenset()
    name = _COMPASS_CODE.sub(lambda m: m.group(0) if m.group(0) in compass else _compass_code(m), name)
    name = _INITIALS.sub(_drop_initials, name)
    name = _SYLLABLES.sub(lambda m: m.group(0).replace("-", ""), name)
    folded = _GLUED_NUMBER_WORD.sub(_glue_number_word, _fold(name))
    if folded.isupper():
        folded = _GLUED_NUMBER_WORD_CAPS.sub(_glue_number_word, folded)
    folded = _TRUNCATED.sub(_untruncate, folded)
    parts = [p for p in _ALIAS_SEP.split(folded) if p.strip()]
    key = _analyse_part(" - ".join(parts), codes, buildings)
    gloss = _GLOSS.search(folded) if len(parts) == 1 else None
    if gloss is not None and gloss.start() > 0 and _is_gloss(gloss.group(1)):
        # "Lan-yu (Orchid Island)", "Lüdao (Green Island)": a bracketed name after a name
        # glosses it (often in another language); each reads alone too.
        parts = [folded[: gloss.start()], gloss.group(1)]
    if len(parts) > 1:
        aliases = []
        for part in parts:
            alias = _analyse_part(part, codes, buildings)
            if alias.words or alias.idents:
                aliases.append((alias.words, alias.idents))
        key = replace(key, aliases=tuple(aliases))
    if (
        _DEPRECATED.search(folded)
        or _DEPRECATED_CAPS.search(folded)
        or (not folded.isupper() and _DEPRECATED_CAPS_FIRST.search(folded))
    ):
        key = replace(key, deprecated=True)
    return key


_MARKS = "|".join(sorted((re.escape(m) for m in DEPRECATED_MARKS), key=len, reverse=True))
# A marker leading the name with a separator ("zz_Boardroom", "OLD - Boardroom", "BAJA-Sala 3")
# or in brackets ("(OLD) Boardroom"), closing it in brackets or after a dash, an underscore, a
# dot ("Boardroom (old)", "Sala 3 - antigua", "Orion_old"), or a phrase ("do not book").
_DEPRECATED = re.compile(
    rf"^\W*(?:{_MARKS})\s*[-_:|.]"
    rf"|^\W*[(\[]\s*(?:{_MARKS})\s*[)\]]"
    rf"|[(\[]\s*(?:{_MARKS})\s*[)\]]\W*$"
    rf"|(?:\s[-_]\s*|[_.#])(?:{_MARKS})\W*$"
    rf"|\b(?:{'|'.join(DEPRECATED_PHRASES)})\b",
    re.I,
)
_DEPRECATED_CAPS = re.compile(rf"\s(?:{_MARKS.upper()})$")  # "Boardroom OLD"
# Leading in capitals before a name that is not: "ARCHIVE Orion", "DEPRECATED Orion".
_DEPRECATED_CAPS_FIRST = re.compile(rf"^(?:{_MARKS.upper()})\s+(?=\S)")


# Phrases of a name that may be a building's or a site's (shared with buildings.py)

_PHRASE_SEP = re.compile(r"\s+[-/|:]+\s+|\s*[·•|]\s*")
_PHRASE_WORD = re.compile(r"[^\W\d_][^\W\d_'.]*")
_LEADING_SITE = re.compile(r"^[A-Z]{2,5}\s+(?=[^\W\d_]+\s+[^\W\d_])")


def _leading_phrase(folded: str) -> str | None:
    """ "Hadley Science Center 101" -> "hadley science center"; "Fleet Place - Library" -> "fleet place".

    A site code before it is no part of it ("SBMC South Pavilion Lobby" -> "south pavilion").
    """
    folded = _LEADING_SITE.sub("", folded)
    parts = [p for p in _PHRASE_SEP.split(folded) if p.strip()]
    if len(parts) >= 2 and not any(ch.isdigit() for ch in parts[0]):
        words = _PHRASE_WORD.findall(parts[0].lower())
    else:
        words = []
        for token in folded.split():
            lowered = token.lower()
            if (
                not _PHRASE_WORD.fullmatch(token)
                or lowered in GENERIC
                or lowered in FLOOR_WORDS_FULL
                or len(_split_compound(lowered)) > 1  # "Besprechungsraum" names a kind of room
            ):
                break
            words.append(lowered)
        rest = folded.split()[len(words) : len(words) + 1]
        if (
            words
            and words[-1] in BUILDING_BEFORE_LETTER
            and rest
            and re.fullmatch(r"\d{1,3}|[A-Za-z]", rest[0])
        ):
            return None  # "STO Hus 1 Konferensrum": "Hus 1" is a building by its number, not a phrase
        if len(words) >= 3 and words[0] in BUILDING_WORDS and words[1] not in STOPWORDS:
            words = words[:2]  # "Torre Norte Copa": a building word and its name lead the room's name
        elif len(words) == len(folded.split()):
            return None  # nothing follows: the whole name, not a prefix
    words = [w.strip(".'") for w in words]
    # "Kirkland Building Seminar Room": the building's name ends with its building word.
    cut = next((i for i, w in enumerate(words) if i > 0 and w in BUILDING_WORDS), None)
    if cut is not None:
        words = words[: cut + 1]
    if not words or len(words) > 4 or all(w in GENERIC or w in STOPWORDS for w in words):
        return None
    return " ".join(words)


def _code_matches(code: str, phrase: str) -> bool:
    """ "FP" / "fleet place", "HSC" / "hadley science center", "AND" / "edificio andalucia",
    "KRN" / "kerner hall" (the first name's consonants)."""
    words = [w for w in phrase.split() if w not in STOPWORDS]
    content = [w for w in words if w not in BUILDING_WORDS]
    # "TS" / "Torre Sur": a short word may be a stopword elsewhere ("sur" is French "on").
    every = phrase.split()
    initials = {"".join(w[0] for w in words), "".join(w[0] for w in content), "".join(w[0] for w in every)}
    if code in initials:
        return True
    if len(code) < 3 or not content or len(words) < 2:
        return False
    first = content[0]
    return any(w.startswith(code) for w in content) or (code[0] == first[0] and is_subsequence(code, first))
