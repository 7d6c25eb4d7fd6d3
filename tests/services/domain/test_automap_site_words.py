"""Room numbers after a separator, floor-and-letter codes, and a list's own generic words
(invented names, none from the corpus)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from services.domain.automap import propose
from services.domain.automap.names import normalize
from services.domain.automap.site_words import generalise, site_generic_words


def _pairs(calendar: Sequence[str], pivot: Sequence[str]) -> dict[str, str | None]:
    rooms = [{"email": f"cal{i}@example.com", "name": c} for i, c in enumerate(calendar)]
    rows = propose(rooms, [{"id": n, "name": n} for n in pivot])
    return {room["name"]: row["pivot_room"] for room, row in zip(rooms, rows, strict=True)}


@pytest.mark.parametrize(
    ("name", "ident"),
    [
        ("Room 14-3", "1403"),
        ("Room 14-03", "1403"),
        ("Room 2.1", "201"),
        ("Room 2.10", "210"),
        ("Room 210", "210"),
        ("Room 04", "4"),
        ("Room 5.101", "5101"),
    ],
)
def test_a_number_after_a_separator_counts_two_digits(name: str, ident: str) -> None:
    assert normalize(name).idents == frozenset({ident})


def test_room_21_3_is_room_21_03_not_room_213() -> None:
    pivot = ["Studio 21-03", "Studio 213", "Studio 21-01"]
    assert _pairs(["Studio 21-3"], pivot) == {"Studio 21-3": "Studio 21-03"}


@pytest.mark.parametrize(
    ("calendar", "pivot", "twin"),
    [
        ("Conf Rm 31B", "31F Conference Room B", "30F Conference Room B"),
        ("Salle 4C", "4e étage - Salle C", "5e étage - Salle C"),
        ("12.OG Zimmer 104", "OG 12 - Zimmer 12.104", "OG 11 - Zimmer 11.104"),
    ],
)
def test_a_floor_and_a_room_letter_or_number_are_one_code(calendar: str, pivot: str, twin: str) -> None:
    assert _pairs([calendar], [pivot, twin]) == {calendar: pivot}


KEYS_CAL = [
    normalize(n)
    for n in ("Velkro Tamsa 1", "Velkro Tamsa 2", "Velkro Tamsa 3 kiu", "Velkro Dano", "Orava", "Tamsa Orava")
]
KEYS_PIV = [normalize(n) for n in ("Meeting Room 1", "Meeting Room 2", "Orava", "Dano")]


def test_a_word_many_names_of_one_list_carry_beside_numbers_is_generic() -> None:
    words = site_generic_words(KEYS_CAL, KEYS_PIV)
    assert "velkro" in words and "tamsa" in words
    # In the other list too (a room's name), in too few names, or without numbers: not generic.
    assert not words & {"orava", "dano", "kiu"}


def test_generic_words_read_as_one_generic_word() -> None:
    out = generalise(KEYS_CAL[:1], frozenset({"velkro", "tamsa"}))
    assert out[0].words == ("room",) and out[0].idents == frozenset({"1"})


def test_an_unknown_language_s_room_word_lets_the_numbers_decide() -> None:
    calendar = ["Velkro Tamsa 1", "Velkro Tamsa 2", "Velkro Tamsa 3", "Orava"]
    pivot = ["Meeting Room 1", "Meeting Room 2", "Meeting Room 3", "Orava", "Training Room 1"]
    pairs = _pairs(calendar, pivot)
    assert pairs["Velkro Tamsa 2"] == "Meeting Room 2" and pairs["Orava"] == "Orava"


def test_words_the_vocabulary_knows_and_short_codes_are_never_site_generic() -> None:
    cal = [normalize(n) for n in ("Seminar 1", "Seminar 2", "Seminar 3", "MEH 1", "MEH 2", "MEH 3")]
    assert site_generic_words(cal, [normalize("Room 1")]) == frozenset()


@pytest.mark.parametrize(
    ("calendar", "pivot"), [("Kowhai Iti", "Kōwhai"), ("Orion Mic", "Orion"), ("Lanna Lek", "Lanna")]
)
def test_a_three_letter_word_after_a_name_makes_a_sibling(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth"], [pivot, "Boardroom"])[calendar] is None


def test_a_longer_word_or_a_two_letter_code_after_a_name_is_part_of_it() -> None:
    pairs = _pairs(["Pangkor Laut", "Sala Verde PT"], ["Pangkor", "Sala Verde", "Boardroom"])
    assert pairs == {"Pangkor Laut": "Pangkor", "Sala Verde PT": "Sala Verde"}


def test_a_name_on_distinct_floors_of_one_list_and_none_of_the_other_does_not_break_scoring() -> None:
    # "Nile" on floors 2 and 3 of the calendar, on floor 3 and no floor in pivot (crashed once).
    pairs = _pairs(["Nile 2F", "Nile 3F", "Phone Booth"], ["Nile", "Nile (3F)", "Boardroom"])
    assert pairs["Nile 3F"] == "Nile (3F)"


def test_a_letter_and_number_code_is_the_other_name_s_word_and_number() -> None:
    calendar = ["T2 Room 204", "T3 Room 204", "T2 Room 110", "W4-101"]
    pivot = [
        "Terminal 2 Room 204",
        "Terminal 3 Room 204",
        "Terminal 2 Room 110",
        "Wing 4 Room 101",
        "Wing 5 Room 101",
    ]
    assert _pairs(calendar, pivot) == {
        "T2 Room 204": "Terminal 2 Room 204",
        "T3 Room 204": "Terminal 3 Room 204",
        "T2 Room 110": "Terminal 2 Room 110",
        "W4-101": "Wing 4 Room 101",
    }


def test_initials_of_a_name_the_other_list_spells_out() -> None:
    pairs = _pairs(
        ["MNL MPH", "MNL Boardroom", "MNL Palawan"], ["Multi-Purpose Hall", "Board Room", "Palawan"]
    )
    assert pairs == {"MNL MPH": "Multi-Purpose Hall", "MNL Boardroom": "Board Room", "MNL Palawan": "Palawan"}


def test_building_level_and_room_codes() -> None:
    calendar = ["B1 L2 R05", "B2 L2 R05", "Phone Booth"]
    pivot = ["Building 1 Room 2.05", "Building 2 Room 2.05", "Boardroom"]
    pairs = _pairs(calendar, pivot)
    assert pairs["B1 L2 R05"] == "Building 1 Room 2.05" and pairs["B2 L2 R05"] == "Building 2 Room 2.05"


@pytest.mark.parametrize("code", ["B{b}.2.05", "T{b}-205", "W{b} 2.05"])
def test_a_building_letter_glued_to_its_number(code: str) -> None:
    calendar = [code.format(b=1), code.format(b=2), "Phone Booth"]
    pivot = ["Building 1 Room 2.05", "Building 2 Room 2.05", "Boardroom"]
    pairs = _pairs(calendar, pivot)
    assert pairs[calendar[0]] == pivot[0] and pairs[calendar[1]] == pivot[1]


@pytest.mark.parametrize(
    ("code", "spelled"),
    [
        ("NYC-{f}-{f}{r}", "Conference Room {f}{r} ({f}th Floor)"),
        ("MUC_B_{f}_{f}{r}", "Gebäude B Raum {f}.{r}"),
        ("BER-OG{f}-R{f}{r}", "{f}. OG Raum {f}{r}"),
        ("ZRH-E{f}-{r}", "Etage {f} Raum {r}"),
        ("OSL-{f}-{f}{r}", "{f}. etasje Møterom {f}{r}"),
        ("SYD-L{f}-R{r}", "Level {f} Room {r}"),
    ],
)
def test_code_only_mailboxes_with_a_floor_code(code: str, spelled: str) -> None:
    rooms = [(f, r) for f in (12, 14) for r in ("01", "02", "03")]
    calendar = [code.format(f=f, r=r) for f, r in rooms]
    pivot = [spelled.format(f=f, r=r) for f, r in rooms]
    assert _pairs([*calendar, "Phone Booth 12"], [*pivot, "Boardroom"]) == {
        **dict(zip(calendar, pivot, strict=True)),
        "Phone Booth 12": None,
    }
