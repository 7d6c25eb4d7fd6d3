"""The automapper's data files (services/domain/automap/data/*.json) are well formed."""

from __future__ import annotations

import json
import unicodedata

import pytest

from services.domain.automap import vocabulary as v
from services.domain.automap.names import normalize
from services.domain.automap.scoring import spelling_key


def _folded(word: str) -> bool:
    plain = unicodedata.normalize("NFKD", word)
    return word == word.lower() and not any(unicodedata.combining(ch) for ch in plain)


@pytest.mark.parametrize("name", ["vocabulary.json", "rules.json", "exonyms.json"])
def test_data_files_are_json_objects(name: str) -> None:
    raw = json.loads((v.DATA_DIR / name).read_text(encoding="utf-8"))
    assert isinstance(raw, dict) and raw


def test_word_lists_are_folded_lower_case() -> None:
    for words in (
        v.STOPWORDS,
        v.GENERIC,
        v.EQUIPMENT,
        v.CAPACITY_WORDS,
        v.STREET_WORDS,
        v.FLOOR_WORDS,
        frozenset(v.GROUND_FLOOR_WORDS),
        frozenset(v.BASEMENT_WORDS),
        v.BUILDING_BEFORE_LETTER,
        v.BUILDING_AFTER_LETTER,
    ):
        assert words and all(_folded(w) for w in words)
    assert all(_folded(k) and all(_folded(x) for x in vals) for k, vals in v.ABBREVIATIONS.items())
    assert all(_folded(k) for k in v.NUMBER_WORDS) and all(_folded(k) for k in v.ORDINAL_WORDS)


def test_numbers_are_numbers() -> None:
    assert all(value.isdigit() for value in v.NUMBER_WORDS.values())
    assert all(0 <= value <= 99 for value in v.ORDINAL_WORDS.values())


def test_generic_words_are_not_stopwords() -> None:
    assert not v.GENERIC & v.STOPWORDS


def test_rules_are_probabilities() -> None:
    for value in (
        v.DEFAULT_THRESHOLD,
        v.IDENT_CONFLICT,
        v.IDENT_ONE_SIDED,
        v.LOCATION_CONFLICT,
        v.ALIAS_FACTOR,
        v.FOREIGN_SITE_FACTOR,
        v.GENERIC_WEIGHT,
        v.GENERIC_MISS_CAP,
        v.AMBIGUITY_MARGIN,
    ):
        assert 0.0 <= value <= 1.0
    assert v.IDENT_ONE_SIDED < v.DEFAULT_THRESHOLD  # one-sided room numbers never pair alone


@pytest.mark.parametrize("abbreviation", sorted(v.ABBREVIATIONS))
def test_every_abbreviation_expands(abbreviation: str) -> None:
    expanded = normalize(f"Alpha {abbreviation}").words
    assert abbreviation not in expanded or abbreviation in v.ABBREVIATIONS[abbreviation]


@pytest.mark.parametrize("word", sorted(v.NUMBER_WORDS))
def test_every_number_word_is_a_number(word: str) -> None:
    key = normalize(f"Studio {word}")
    assert v.NUMBER_WORDS[word].lstrip("0") in key.idents or v.NUMBER_WORDS[word] in key.idents


def test_synonyms_give_each_word_one_concept() -> None:
    raw = json.loads((v.DATA_DIR / "vocabulary.json").read_text(encoding="utf-8"))["synonyms"]
    words = [w for concept_words in raw.values() for w in concept_words]
    assert len(words) == len(set(words)), "a word listed under two concepts"
    assert all(_folded(w) and " " not in w for w in words)
    assert not set(raw) & set(words), "a concept is also a word of another concept"


def test_exonyms_are_single_folded_words_of_one_place_each() -> None:
    raw = v.load_data("exonyms.json")
    words = [w for groups in raw.values() for group in groups for w in group]
    assert all(len(group) >= 2 for groups in raw.values() for group in groups)
    assert len(words) == len(set(words)), "a name listed for two places"
    assert all(_folded(w) and w.isalpha() for w in words)
    synonyms = json.loads((v.DATA_DIR / "vocabulary.json").read_text(encoding="utf-8"))["synonyms"]
    assert not set(words) & {w for ws in synonyms.values() for w in ws}
    assert not set(words) & (v.GENERIC | v.STOPWORDS | v.EQUIPMENT | v.NON_ROOM)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("stephansdom", "stefansdom", True),
        ("lalbagh", "lalbag", True),
        ("thames", "tames", True),
        ("tschaikowski", "tchaikovsky", True),
        ("karolina", "carolina", True),
        ("noorah", "nurah", True),
        ("hall", "all", False),
        ("verde", "verdi", False),
        ("martin", "marina", False),
    ],
)
def test_spelling_folds(a: str, b: str, same: bool) -> None:
    assert (spelling_key(a) == spelling_key(b)) is same


def test_word_lists_of_the_languages_do_not_contradict() -> None:
    assert not v.QUALIFIERS & v.GENERIC
    assert not v.NON_ROOM & v.GENERIC
    assert not set(v.NUMBER_WORDS) & v.STOPWORDS
