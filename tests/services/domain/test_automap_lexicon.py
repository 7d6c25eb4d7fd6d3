"""The multilingual lexicon merged into the vocabulary (invented words and tables)."""

from __future__ import annotations

from typing import Any

import pytest

from services.domain.automap import propose
from services.domain.automap.lexicon import fold, merge_lexicon
from services.domain.automap.vocabulary import load_data
from tests.services.domain.automap_support import beside_fillers

SPECIAL = {"æ": "ae", "ð": "d", "þ": "th", "ø": "o", "ß": "ss"}


def _vocab() -> dict[str, Any]:
    return {
        "special_letters": SPECIAL,
        "stopwords": {"common": ["de", "del"]},
        "generic": {"common": ["sala", "room"]},
        "synonyms": {"board": ["vorstand"], "tree": ["tree"]},
        "number_words": {"common": {"two": "2"}},
        "trailing_number_words": {"en": "1"},
        "ordinal_words": {"common": {"second": 2}},
        "floor_words": {"en": ["floor"]},
        "building_words": {"en": ["building"]},
        "qualifiers": {"en": ["small"]},
        "non_room": {"en": ["desk"]},
        "deprecated_marks": {"en": ["old"]},
        "capacity_units": {"common": ["pax"]},
        "ground_floor_words": ["ground floor"],
        "basement_words": ["basement"],
        "abbreviations": {"common": {"rm": ["room"]}},
    }


def _lexicon(**languages: dict[str, Any]) -> dict[str, Any]:
    return {"languages": languages}


def test_fold_writes_words_as_the_vocabulary_does() -> None:
    assert fold("  Hæð ", SPECIAL) == "haed"
    assert fold("Þórsmörk", SPECIAL) == "thorsmork"
    assert fold("Pasitarimų  kambarys", SPECIAL) == "pasitarimu kambarys"


def test_words_are_added_by_kind() -> None:
    merged = merge_lexicon(
        _vocab(),
        _lexicon(
            xx={
                "concepts": {
                    "meeting_room": ["Fundarherbergi"],
                    "board_room": ["Stjórnarherbergi", "Sala Valdyba"],
                },
                "number_words": {"tveir": 2, "tvöö": 2, "sex": 6},
                "ordinal_words": {"þriðja": 3},
                "floor_words": ["hæð", "h."],
                "qualifiers": ["litla", "a"],
                "ground_floor_words": ["jarðhæð"],
                "abbreviations": {"FHB": "fundarherbergi", "FH": "fundarherbergi", "STS": "stórt / stutt"},
            }
        ),
    )
    assert "fundarherbergi" in merged["generic"]["lexicon"]
    assert {"stjornarherbergi", "valdyba"} <= set(merged["synonyms"]["board"])
    assert merged["number_words"]["lexicon"] == {"tveir": "2"}
    # A four-letter number word counts only at a name's end; three letters never.
    assert merged["trailing_number_words"] == {"en": "1", "tvoo": "2"}
    assert merged["ordinal_words"]["lexicon"] == {"thridja": 3}
    assert merged["floor_words"]["lexicon"] == ["haed"]  # "h." is too short to be a floor word alone
    assert merged["qualifiers"]["lexicon"] == ["litla"]
    assert "jardhaed" in merged["ground_floor_words"]
    # Two letters are left to the list's own initialisms (see expand_initialisms).
    assert merged["abbreviations"]["lexicon"] == {"fhb": ["fundarherbergi"]}


def test_a_known_word_keeps_its_meaning_and_a_word_of_two_meanings_is_left_out() -> None:
    lexicon = _lexicon(
        xx={"qualifiers": ["del", "desk", "parte", "lilla"], "number_words": {"desk": 4}},
        yy={"building_words": ["parte"]},
    )
    lexicon["ambiguous"] = {"lilla": "a size in Swedish, a colour in Spanish"}
    merged = merge_lexicon(_vocab(), lexicon)
    # "del" a stopword, "desk" a non-room, "parte" two roles, "lilla" marked ambiguous
    assert merged["qualifiers"]["lexicon"] == []
    assert merged["building_words"]["lexicon"] == []
    assert merged["number_words"]["lexicon"] == {}


def test_names_of_one_language_never_become_one_room() -> None:
    concepts = {"tree": ["árbol", "pino", "roble"], "training_room": ["aula", "kurs"]}
    merged = merge_lexicon(_vocab(), _lexicon(xx={"concepts": concepts}))
    assert "arbol" in merged["synonyms"]["tree"] and "pino" not in merged["synonyms"]["tree"]
    assert {"aula", "kurs"} <= set(merged["synonyms"]["training"])  # kinds of room: every word


def test_english_gives_numbers_ordinals_and_non_rooms_only() -> None:
    merged = merge_lexicon(
        _vocab(),
        _lexicon(
            en={
                "concepts": {"tree": ["maple"]},
                "building_words": ["court"],
                "number_words": {"thirty": 30},
                "non_room": ["webcam"],
            }
        ),
    )
    assert merged["building_words"]["lexicon"] == [] and "maple" not in merged["synonyms"]["tree"]
    assert merged["number_words"]["lexicon"] == {"thirty": "30"}
    assert merged["non_room"]["lexicon"] == ["webcam"]


def test_the_shipped_lexicon_merges_and_keeps_the_vocabulary() -> None:
    vocab = load_data("vocabulary.json")
    merged = merge_lexicon(vocab, load_data("lexicon.json"))
    assert len(load_data("lexicon.json")["languages"]) >= 10
    for concept, words in vocab["synonyms"].items():
        assert merged["synonyms"][concept][: len(words)] == words
    assert merged["number_words"]["common"] == vocab["number_words"]["common"]


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Lago Titicaca", "Titicaca"),
        ("Mount Kenya", "Kenya"),
        ("Isla Mujeres", "Mujeres"),
        ("Tahoe", "Lake Tahoe"),
    ],
)
def test_a_kind_of_place_a_name_drops_costs_little(calendar: str, pivot: str) -> None:
    assert beside_fillers(calendar, pivot)[0]["pivot_room"] == "1"


def test_a_kind_of_place_does_not_pair_two_names() -> None:
    rows = propose([{"name": "Lago Titicaca", "email": "a@example.com"}], [{"id": "1", "name": "Lago Poopo"}])
    assert rows[0]["pivot_room"] is None


def test_a_floor_word_with_a_second_meaning_still_names_a_floor() -> None:
    lexicon = _lexicon(xx={"floor_words": ["chon"], "concepts": {"moon": ["chon"]}})
    lexicon["ambiguous"] = {"chon": "a floor, and the moon"}
    merged = merge_lexicon(_vocab(), lexicon)
    assert merged["floor_words"]["lexicon"] == ["chon"] and "chon" not in merged["synonyms"].get("moon", [])
