"""Table-driven checks of the vocabulary across languages (data/vocabulary.json).

Each row is a room typed in one language on the calendar and another in the pivot
list; the automapper must pair them against an unrelated distractor, and never pair
two rooms whose numbers differ.
"""

from __future__ import annotations

import pytest

from services.domain.automap import propose
from services.domain.automap.names import normalize, site_codes


def _pair(calendar_name: str, pivot_name: str) -> object:
    rows = propose(
        [{"email": "a@example.com", "name": calendar_name}],
        [{"id": 1, "name": pivot_name}, {"id": 2, "name": "Zeppelin"}],
    )
    return rows[0]["pivot_room"]


@pytest.mark.parametrize(
    ("calendar_name", "pivot_name"),
    [
        ("Mötesrum 3", "Meeting Room 3"),  # Swedish
        ("Møterom Fire", "Meeting Room 4"),  # Norwegian, number word
        ("Sala konferencyjna 2", "Conference Room 2"),  # Polish
        ("Sala Szkoleniowa 1", "Training Room 1"),
        ("Stołówka", "Canteen"),
        ("Knihovna", "Library"),  # Czech
        ("Kokoushuone Kaksi", "Meeting Room 2"),  # Finnish
        ("Seomra Cruinnithe 1", "Meeting Room 1"),  # Irish
        ("Utbildningsrum 2", "Training Room 2"),
        ("Styrelserum", "Boardroom"),
        ("Bibliotek", "Library"),
        ("Werkstatt", "Workshop"),
        ("Stilteruimte", "Quiet Room"),  # Dutch
        ("Besucherraum", "Visitor Room"),  # German
        ("Executive Room", "Sala de Dirección"),
        ("Salle Quatorze", "Room 14"),
        ("Boardroom I", "Boardroom 1"),  # Roman numeral
        ("St-Laurent", "Saint-Laurent"),
        ("Ystafell Gyfarfod 1", "Meeting Room 1"),  # Welsh, mutated
        ("Receção", "Reception"),  # European Portuguese
        ("Sala de Visitas", "Visitor Room"),
        ("Bestuurskamer", "Boardroom"),
        ("Vorstandszimmer", "Boardroom"),
        ("Hörsaal 1", "Auditorium 1"),
        ("R2.14", "Room 2.14"),
        ("Dai Kaigishitsu", "Large Meeting Room"),  # Japanese size words
        ("Sala Konferencyjna Duża", "Duża Sala Konferencyjna"),
        ("Biblioteket", "Library"),  # Swedish definite form
        ("Utbildningssal 2", "Training Room 2"),
        ("Koulutustila 2", "Training Room 2"),  # Finnish "-tila" (space)
        ("Zasedačka 2", "Meeting Room 2"),
        ("Oosetsushitsu", "Reception Room"),
        ("Sala de Reuniões 2.01", "Sala 2.01"),  # generic words in Portuguese
        ("Bedrijfsrest.", "Bedrijfsrestaurant"),  # a long word cut short with a dot
        ("Sala Videoconf.", "Sala de Videoconferência"),  # a room named after its equipment
        ("Boardroom", "Bestyrelseslokale"),  # Danish
        ("Training Room 1", "Undervisningslokale 1"),
        ("Toplantı Odası 3", "Meeting Room 3"),  # Turkish
        ("Tárgyaló Kettő", "Meeting Room 2"),  # Hungarian, number word
        ("Sala de Ședințe 4", "Meeting Room 4"),  # Romanian
        ("Hoeuisil 5", "Meeting Room 5"),  # Korean romanised
        ("Huiyishi 6", "Meeting Room 6"),  # Chinese pinyin
    ],
)
def test_the_same_room_in_two_languages_pairs(calendar_name: str, pivot_name: str) -> None:
    assert _pair(calendar_name, pivot_name) == 1


@pytest.mark.parametrize(
    ("calendar_name", "pivot_name"),
    [
        ("Mötesrum 3", "Meeting Room 2"),
        ("Sala konferencyjna 2", "Conference Room 12"),
        ("Lilla Mötesrummet", "Stora Mötesrummet"),  # small / large are two rooms
        ("DR3", "Discussion Room 4"),
    ],
)
def test_other_numbers_stay_apart(calendar_name: str, pivot_name: str) -> None:
    assert _pair(calendar_name, pivot_name) is None


@pytest.mark.parametrize(
    ("name", "floor"),
    [
        ("Orion 3/F", 3),
        ("Salle Meuse (Niveau +1)", 1),
        ("Vega 3 våningen", 3),
        ("Sala 2 piętro", 2),
        ("Orion 2nd storey", 2),
        ("Orion 3-kai", 3),
        ("Orion 3.OG", 3),
        ("Kelder Studio", -1),
        ("Lachine 22e", 22),
        ("Stilteruimte 2e", 2),
        ("Pantry 4de verdieping", 4),  # Dutch ordinal "-de"
        ("Lounge 8ste verdieping", 8),
        ("Cistin 2ú hUrlár", 2),  # Irish ordinal and h-prefixed "urlár"
        ("Cistin Urlár 3", 3),
        ("Copa 2.º piso", 2),
        ("Keittiö 3 krs", 3),  # Finnish "kerros", abbreviated
        ("Mutfak 3. kat", 3),  # Turkish
        ("Kuchnia (II p.)", 2),  # a Roman numeral before the floor word
        ("Konyha III. emelet", 3),
        ("Sala 1 Piso 2", 2),  # the bare number before the floor word is the room's
        ("Konyha (2. em.)", 2),  # a dotted abbreviation after a dotted number
        ("Kantine 3. sal", 3),  # Danish
        ("Mutfak Zemin Kat", 0),  # ground floors: Turkish, Hungarian, Danish
        ("Konyha (földszint)", 0),
        ("Kantine stuen", 0),
        ("Arşiv Bodrum", -1),  # basements: Turkish, Romanian
        ("Arhivă subsol", -1),
        ("Bucătărie etaj 2", 2),  # Romanian
    ],
)
def test_floor_shapes_of_many_languages(name: str, floor: int) -> None:
    assert normalize(name).floor == floor


def test_a_hall_numbered_after_sal_is_no_floor() -> None:
    assert normalize("Sal 3").floor is None and normalize("Sal 3").idents == frozenset({"3"})


def test_a_room_number_in_a_known_building_pairs_despite_other_descriptions() -> None:
    calendar = [
        {"email": "a@example.com", "name": "KEL 2.10 PC Lab"},
        {"email": "b@example.com", "name": "BRU 2.10 Seminar"},
        {"email": "c@example.com", "name": "KEL 2.11 Screen"},
    ]
    pivot = [
        {"id": 1, "name": "Kelvin Building 2.10 Computer Cluster"},
        {"id": 2, "name": "Brunel Building 2.10 Design Studio"},
        {"id": 3, "name": "Kelvin Building 2.11 Viva Room"},
        {"id": 4, "name": "Brunel Building Workshop"},
    ]
    got = {r["calendar_room"]: r["pivot_room"] for r in propose(calendar, pivot)}
    assert got == {"a@example.com": 1, "b@example.com": 2, "c@example.com": None}


def test_a_stray_office_prefix_beside_the_home_prefix_stays_unmapped() -> None:
    calendar = [{"email": f"m{n}@example.com", "name": f"AMS VR 1.0{n}"} for n in range(1, 5)]
    calendar.append({"email": "x@example.com", "name": "RTM Vergaderruimte 1.01"})
    pivot = [{"id": n, "name": f"Vergaderruimte 1.0{n}"} for n in range(1, 5)]
    got = {r["calendar_room"]: r["pivot_room"] for r in propose(calendar, pivot)}
    assert got == {**{f"m{n}@example.com": n for n in range(1, 5)}, "x@example.com": None}


def test_opening_hours_and_a_floor_after_the_site_code_are_not_room_numbers() -> None:
    assert normalize("Dispatch Ctr - 24/7").idents == frozenset()
    key = normalize("CHI 10 - Navy Pier - 8p", codes={"chi": "chi"})
    assert (key.words, key.idents, key.floor) == (("navy", "pier"), frozenset(), 10)


def test_a_letter_beside_a_floor_is_a_building_and_a_bare_equipment_name_is_kept() -> None:
    key = normalize("Isar (B 2.OG)")
    assert (key.words, key.idents, key.floor, key.building) == (("isar",), frozenset(), 2, "b")
    assert normalize("Visio 4ème étage").words == ("visio",)


@pytest.mark.parametrize(
    ("name", "floor", "words"),
    [
        ("KRK 3p Wawel", 3, ("wawel",)),  # Polish "3 piętro" after the site code
        ("KRK-4p. Wawel", 4, ("wawel",)),
        ("KRK Huddle 8p", None, ("huddle",)),  # a capacity elsewhere
    ],
)
def test_a_p_floor_after_the_site_code(name: str, floor: int | None, words: tuple[str, ...]) -> None:
    key = normalize(name, codes={"krk": "krk"})
    assert (key.floor, key.words) == (floor, words)


@pytest.mark.parametrize(
    ("name", "building", "floor"),
    [
        ("NOI-TWR-B-L5-Pantry", "b", 5),  # "TWR" is a tower
        ("Haus 2 Besprechung", "2", None),
        ("Blk C Seminar 3", "c", None),
        ("Pav. A Huddle", "a", None),
        ("Budynek B Sala 4", "b", None),
    ],
)
def test_building_words_of_many_languages(name: str, building: str, floor: int | None) -> None:
    key = normalize(name, codes={"noi": "noi"})
    assert (key.building, key.floor) == (building, floor)


@pytest.mark.parametrize(
    ("calendar_name", "pivot_name"),
    [
        ("VR2.01", "Vergaderruimte 2.01"),  # an abbreviation glued to a dotted room number
        ("Seomra Cruinnithe a Trí", "Seomra Cruinnithe 3"),  # Irish counting particle "a"
        ("Seomra Oiliúna a hAon", "Seomra Oiliúna 1"),  # h-prefixed "aon"
        ("Sala 1.02 - 8 os.", "Sala 1.02"),  # Polish capacity "osób"
        ("Boardroom", "Seomra an Bhoird"),  # Irish, lenited "bord"
        ("Sala Firenze", "Sala Florence"),  # a place in two languages (data/exonyms.json)
        ("Salle Anvers", "Zaal Antwerpen"),
        ("Kaveri (8)", "Cauvery"),
        ("Sta Lucía", "Santa Lucía"),
        ("Sm Conf Rm", "Small Conference Room"),  # English abbreviations
        ("DR3 (6)", "Discussion Room 3"),  # a glued consonant initialism
        ("Brkout 3", "Breakout 3"),
        ("MPR", "Multi-Purpose Room"),
        ("Sim Lab", "Simulation Lab"),  # hospital department abbreviations
        ("PEDS Huddle 3-220", "Pediatrics Huddle Room 3-220"),
        ("Ortho Huddle 4-401", "Orthopedics Huddle Room 4-401"),
        ("Boardroom", "Sala do Conselho de Administração"),  # "administração" qualifies the board
        ("Consejo de Administración", "Sala del Consejo"),
        ("Training Room", "Sala de Formação"),  # words compared as concepts, also on the surface
        ("Adolfsberg", "Adolphsberg"),  # spelling folds: ph / f
        ("Jodhpur", "Jodpur"),  # an h after a consonant
        ("Salle Tchaikovsky", "Saal Tschaikowski"),  # French and German transliterations
    ],
)
def test_more_shapes_of_the_same_room(calendar_name: str, pivot_name: str) -> None:
    assert _pair(calendar_name, pivot_name) == 1


@pytest.mark.parametrize(
    ("names", "other", "codes"),
    [
        (  # the home code before a space too ("OSL Fjord"): so are other offices' codes
            [
                "OSL Fjord",
                "OSL Vidde (8)",
                "OSL Lounge",
                "OSL - Atrium",
                "BGO Kaffebar (6)",
                "TRD Møterom 2.01",
            ],
            ["Fjord", "Kaffebar"],
            {"osl", "bgo", "trd"},
        ),
        (  # "HSC" is a building's initials and "ENGR" shortens a word on the other side
            ["OSL Fjord", "OSL Vidde", "OSL Lounge", "OSL - Atrium", "HSC 212", "ENGR Makerspace"],
            ["Hadley Science Center 212", "Engineering Makerspace"],
            {"osl"},
        ),
    ],
)
def test_other_office_codes_written_like_the_home_code(
    names: list[str], other: list[str], codes: set[str]
) -> None:
    assert set(site_codes(names, other)) == codes
