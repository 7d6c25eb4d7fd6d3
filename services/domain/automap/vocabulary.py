"""Language knowledge and score rules of the automapper, read from data/*.json.

The words live in ``data/vocabulary.json`` (place names in two languages in
``data/exonyms.json``) and the score modifiers in
``data/rules.json`` (package data next to this module, read once at import);
code never lists site names or words of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .lexicon import merge_lexicon

DATA_DIR = Path(__file__).with_name("data")


def load_data(name: str) -> dict[str, Any]:
    """One JSON data file of the package, keys starting with "_" (comments) dropped."""
    raw = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if not k.startswith("_")}


def _words(value: Any) -> frozenset[str]:
    """A word list, or a mapping of language -> word list, as one set."""
    if isinstance(value, Mapping):
        return frozenset(w for words in value.values() for w in words)
    return frozenset(value)


def _table(value: Any) -> dict[str, Any]:
    """A mapping, or a mapping of language -> mapping, as one mapping."""
    if value and all(isinstance(v, Mapping) for v in value.values()):
        merged: dict[str, Any] = {}
        for table in value.values():
            merged.update(table)
        return merged
    return dict(value)


_HANDWRITTEN = load_data("vocabulary.json")
_VOCAB = merge_lexicon(_HANDWRITTEN, load_data("lexicon.json"))
_RULES = load_data("rules.json")

STOPWORDS = _words(_VOCAB["stopwords"])
GENERIC = _words(_VOCAB["generic"])
EQUIPMENT = _words(_VOCAB["equipment"])
CAPACITY_UNITS = _words(_VOCAB["capacity_units"])
CAPACITY_LABELS = _words(_VOCAB["capacity_labels"])
CAPACITY_WORDS = CAPACITY_UNITS | CAPACITY_LABELS
LAYOUT_WORDS = _words(_VOCAB["layouts"])
ABBREVIATIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {k: tuple(v) for k, v in _table(_VOCAB["abbreviations"]).items()}
)
NUMBER_WORDS: Mapping[str, str] = MappingProxyType(
    {k: str(v) for k, v in _table(_VOCAB["number_words"]).items()}
)
NUMBER_PARTICLES = _words(_VOCAB["number_particles"])
TRAILING_NUMBER_WORDS: Mapping[str, str] = MappingProxyType(dict(_VOCAB["trailing_number_words"]))
ORDINAL_WORDS: Mapping[str, int] = MappingProxyType(
    {k: int(v) for k, v in _table(_VOCAB["ordinal_words"]).items()}
)
STREET_WORDS = _words(_VOCAB["street_words"])
NON_ROOM = _words(_VOCAB["non_room"])
DEPRECATED_MARKS = _words(_VOCAB["deprecated_marks"])
DEPRECATED_PHRASES: tuple[str, ...] = tuple(_VOCAB["deprecated_phrases"])
QUALIFIERS = _words(_VOCAB["qualifiers"])
BUILDING_WORDS = _words(_VOCAB["building_words"])
BUILDING_CODE_LETTERS = frozenset(_VOCAB["building_code_letters"])
COMPOUND_SUFFIXES: tuple[str, ...] = tuple(_VOCAB["compound_suffixes"])
SUFFIX_CANONICAL: Mapping[str, str] = MappingProxyType(dict(_VOCAB["suffix_canonical"]))
LINKING_S_STEMS: tuple[str, ...] = tuple(_VOCAB["linking_s_stems"])
FLOOR_WORDS = _words(_VOCAB["floor_words"])
GROUND_FLOOR_WORDS: tuple[str, ...] = tuple(_VOCAB["ground_floor_words"])
BASEMENT_WORDS: tuple[str, ...] = tuple(_VOCAB["basement_words"])
BUILDING_BEFORE_LETTER = frozenset(_VOCAB["building_letter_words"]["before"])
BUILDING_AFTER_LETTER = frozenset(_VOCAB["building_letter_words"]["after"])
FLOOR_WORDS_FULL: tuple[str, ...] = tuple(_VOCAB["floor_words_full"])
FLOOR_WORDS_AFTER_NUMBER = frozenset(_VOCAB["floor_words_after_number"])
INFLECTIONS = frozenset(_VOCAB["inflections"])
DEFINITE_ENDINGS: tuple[str, ...] = tuple(sorted(_VOCAB["definite_endings"], key=len, reverse=True))
SPELLING_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b) for a, b in _VOCAB["spelling_folds"]
)
ROMAJI_FOLDS: tuple[tuple[str, str], ...] = tuple((a, b) for a, b in _VOCAB["romaji_folds"])
ROMAJI_VOICING: tuple[tuple[str, str], ...] = tuple((a, b) for a, b in _VOCAB["romaji_voicing"])
KOREAN_FOLDS: tuple[tuple[str, str], ...] = tuple((a, b) for a, b in _VOCAB["korean_folds"])
MANDARIN_FOLDS: tuple[tuple[str, str], ...] = tuple((a, b) for a, b in _VOCAB["mandarin_folds"])
GEO_SUFFIXES: Mapping[str, str] = MappingProxyType(dict(_VOCAB["geo_suffixes"]))
CASE_ENDINGS: tuple[tuple[str, str], ...] = tuple((a, b) for a, b in _VOCAB["case_endings"])
# Places in two languages ("Brugge" / "Bruges") compare as synonyms; the concept is the first name.
_EXONYMS = {
    word: "place:" + group[0]
    for groups in load_data("exonyms.json").values()
    for group in groups
    for word in group
}
SYNONYMS: Mapping[str, str] = MappingProxyType(
    {**_EXONYMS, **{word: concept for concept, words in _VOCAB["synonyms"].items() for word in words}}
)
RELATED_CONCEPTS: frozenset[frozenset[str]] = frozenset(
    frozenset(group) for group in _VOCAB["related_concepts"]
)
COMPASS_INITIALS: Mapping[str, str] = MappingProxyType(dict(_VOCAB["compass_initials"]))
SPECIAL_LETTERS = str.maketrans(dict(_VOCAB["special_letters"]))

DEFAULT_THRESHOLD: float = float(_RULES["default_threshold"])
IDENT_CONFLICT: float = float(_RULES["ident_conflict"])
IDENT_ONE_SIDED: float = float(_RULES["ident_one_sided"])
ROOM_NUMBER_ONE_SIDED: float = float(_RULES["room_number_one_sided"])
LOCATION_CONFLICT: float = float(_RULES["location_conflict"])
ALIAS_FACTOR: float = float(_RULES["alias_factor"])
FOREIGN_SITE_FACTOR: float = float(_RULES["foreign_site_factor"])
GENERIC_WEIGHT: float = float(_RULES["generic_weight"])
GENERIC_MISS_CAP: float = float(_RULES["generic_miss_cap"])
AMBIGUITY_MARGIN: float = float(_RULES["ambiguity_margin"])
PREFILTER_CUTOFF: float = float(_RULES["prefilter_cutoff"])
PARTIAL_SCORE: float = float(_RULES["partial_score"])
QUALIFIER_CAP: float = float(_RULES["qualifier_cap"])
BUILDING_ONE_SIDED: float = float(_RULES["building_one_sided"])
PARTIAL_EXTRA_WORDS: int = int(_RULES["partial_extra_words"])
CANDIDATE_MIN_SCORE: float = float(_RULES["candidate_min_score"])
DEPRECATED_FACTOR: float = float(_RULES["deprecated_factor"])
TWIN_SCORE_GAP: float = float(_RULES["twin_score_gap"])
ROOM_CODE_SCORE: float = float(_RULES["room_code_score"])
FLOOR_AS_NUMBER_FACTOR: float = float(_RULES["floor_as_number_factor"])
SITE_GENERIC_MIN_NAMES: int = int(_RULES["site_generic_min_names"])
SITE_GENERIC_MIN_SHARE: float = float(_RULES["site_generic_min_share"])


_KNOWN_WORDS = (
    GENERIC
    | EQUIPMENT
    | CAPACITY_WORDS
    | NON_ROOM
    | QUALIFIERS
    | BUILDING_WORDS
    | FLOOR_WORDS
    | STOPWORDS
    | STREET_WORDS
    | DEPRECATED_MARKS
    | frozenset(ABBREVIATIONS)
    | frozenset(NUMBER_WORDS)
    | frozenset(TRAILING_NUMBER_WORDS)
    | frozenset(ORDINAL_WORDS)
    | frozenset(SYNONYMS)
    | frozenset(SYNONYMS.values())
)


def is_known_word(word: str) -> bool:
    """The vocabulary gives the (folded) word a meaning of its own."""
    return word in _KNOWN_WORDS


# The hand-written vocabulary's room words (generic and concepts), each checked against the
# rules that read a name's structure from them: a dotted abbreviation ("Kokoush." is
# "kokoushuone") and a number word glued by a hyphen ("Sala-uno" is room one, "Halla-san" a
# mountain). The lexicon's longer lists would make most prefixes ambiguous ("Neuv." would be
# "neuvottelu" or "neuvonta") and some names room words ("halla").
HANDWRITTEN_ROOM_WORDS: frozenset[str] = _words(_HANDWRITTEN["generic"]) | {
    w for words in _HANDWRITTEN["synonyms"].values() for w in words
}
ABBREVIABLE_ROOM_WORDS: tuple[str, ...] = tuple(sorted(HANDWRITTEN_ROOM_WORDS))
