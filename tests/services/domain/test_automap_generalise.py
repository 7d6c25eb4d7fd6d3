"""Automapper rules written for names of sites nobody tuned on (issue 14), each on invented
names: floor notations, building words, sub-site codes, romanisation, partial names."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from services.domain.automap import propose
from services.domain.automap.buildings import floor_of
from services.domain.automap.name_lists import expand_floor_abbreviations, expand_initialisms
from services.domain.automap.names import normalize, site_codes


def _pairs(calendar: Sequence[str], pivot: Sequence[str]) -> dict[str, str | None]:
    rooms = [{"email": f"cal{i}@example.com", "name": c} for i, c in enumerate(calendar)]
    rows = propose(rooms, [{"id": n, "name": n} for n in pivot])
    return {room["name"]: row["pivot_room"] for room, row in zip(rooms, rows, strict=True)}


@pytest.mark.parametrize(
    ("label", "floor"),
    [
        ("R+12", 12),
        ("R + 3", 3),
        ("R14", 14),
        ("Niv.7", 7),
        ("Niveau 7", 7),
        ("4. patro", 4),
        ("4. p.", 4),
        ("6 p.", 6),
        ("3. kerros", 3),
        ("2. sal", 2),
        ("Kat 5", 5),
        ("Piso 9", 9),
        ("9F", 9),
        ("11cheung", 11),
        ("11-cheung", 11),
        ("Décimo Quinto Piso", 15),
        ("Decimo Segundo Piso", 12),
        ("Grd Flr", 0),
        ("stueetagen", 0),
        ("13층", 13),
        ("3階", 3),
        ("3楼", 3),
        ("3. poschodie", 3),
        ("3. nadstropje", 3),
        ("3 этаж", 3),
        ("3.NP", 3),
        ("Kat-3", 3),
        ("Lantai 3", 3),
        ("Vigesimo Piso", 20),
        ("Vigésimo Primer Piso", 21),
        ("Décimo Primer Piso", 11),
        ("Rez-de-chaussée", 0),
        ("Parterre", 0),
        ("Sous-sol", -1),
        ("Souterrain", -1),
        ("Kellari", -1),
        ("Første sal", 1),
        ("Anden sal", 2),
        ("Birinci Kat", 1),
        ("Üçüncü Kat", 3),
        ("Második emelet", 2),
        ("Etajul 2", 2),
        ("Treizième étage", 13),
        ("Tredicesimo piano", 13),
        ("Dritter Stock", 3),
    ],
)
def test_floor_notations_of_many_languages(label: str, floor: int) -> None:
    assert floor_of(label) == floor


def test_r_code_is_a_room_number_when_dotted() -> None:
    assert floor_of("R2.14") is None


def test_sal_after_a_name_is_a_hall_not_a_floor() -> None:
    assert floor_of("Sal Andersen") is None
    assert floor_of("Sal 3") is None


@pytest.mark.parametrize(
    ("name", "building"),
    [
        ("Budova C – Zasedačka", "c"),
        ("Bygning 2 Mødelokale", "2"),
        ("Rakennus B Neuvotteluhuone", "b"),
        ("Blok D Toplantı Odası", "d"),
        ("Edificio E Sala 3", "e"),
        ("Torre 2 Sala Azul", "2"),
        ("C-dong Hoeuisil", "c"),
        ("B-talo Kokoushuone", "b"),
        ("A동 회의실", "a"),
        ("B棟 会議室", "b"),
        ("Corpo A Sala", "a"),
        ("Padiglione 3 Sala", "3"),
        ("Pabellón B Sala", "b"),
        ("Módulo C Sala", "c"),
        ("Halle 3 Raum", "3"),
        ("Flügel A Raum", "a"),
        ("Vleugel B Zaal", "b"),
        ("Byggnad A Rum", "a"),
        ("Siipi A Huone", "a"),
        ("Épület A terem", "a"),
        ("A Kanat Oda", "a"),
    ],
)
def test_building_words_of_many_languages(name: str, building: str) -> None:
    assert normalize(name).building == building


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        (["VIE-WST Donau", "VIE-WST Salle 4.02", "VIE-WST Inn"], ["Donau", "Salle 4.02", "Inn"]),
        (["OSL-HQ Fjord", "OSL-HQ Bre"], ["Fjord", "Bre"]),
    ],
)
def test_a_second_code_after_the_site_code_is_part_of_the_site(calendar: list[str], pivot: list[str]) -> None:
    assert _pairs(calendar, pivot) == dict(zip(calendar, pivot, strict=True))


def test_a_second_code_that_is_a_pivot_building_stays_a_building() -> None:
    codes = site_codes(["LIS-NW Sala 1", "LIS-NW Sala 2"], ["North Wing Sala 1", "North Wing Sala 2"])
    assert "nw" not in codes


def test_a_single_letter_after_the_site_code_is_no_sub_site() -> None:
    codes = site_codes(["BRQ-A Sala 1", "BRQ-A Sala 2", "BRQ-B Sala 1"], ["Sala 1", "Sala 2"])
    assert "a" not in codes and "b" not in codes


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        (
            ["XYZ-A Sala 3 (4. patro)", "XYZ-A Sala 5 (4. patro)"],
            ["Budova A – Sala 4.03", "Budova A – Sala 4.05"],
        ),
        (["MAD R+12 Sala 01", "MAD R+12 Sala 02"], ["Sala 12.01", "Sala 12.02"]),
        (["LYS 12e - Salle 01", "LYS Niv.12 Salle 02"], ["Salle 12.01", "Salle 12.02"]),
    ],
)
def test_floor_notation_and_room_number_make_the_dotted_number(calendar: list[str], pivot: list[str]) -> None:
    assert _pairs(calendar, pivot) == dict(zip(calendar, pivot, strict=True))


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Pusan", "Busan"),  # McCune-Reischauer p / Revised Romanisation b
        ("Kwangju Hall", "Gwangju Hall"),  # k / g
        ("Chongro", "Jongro"),  # ch / j
        ("Taegu", "Daegu"),  # t / d
        ("Songnisan", "Seongnisan"),  # o with a breve / eo
        ("Unjin", "Eunjin"),  # u with a breve / eu
        ("Pulguksa", "Bulguksa"),
    ],
)
def test_korean_romanisation_families(calendar: str, pivot: str) -> None:
    # The folds apply where the names are romanised Korean (eo and eu in three words).
    context = ["Seoraksan", "Geumgangsan", "Hoeuisil 7"]
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Kitchen", *context])[calendar] == pivot


def test_korean_folds_need_a_korean_site() -> None:
    assert _pairs(["Tokto", "Phone Booth 9"], ["Dokdo", "Kitchen"])["Tokto"] is None


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Geum River", "Geumgang"),  # Korean -gang is a river
        ("Seomjingang", "Seomjin River"),
        ("Oulu", "Oulujoki"),  # Finnish -joki is a river, -järvi a lake
        ("Pielinen", "Pielinenjärvi"),
        ("Sumida", "Sumidagawa"),  # Japanese -gawa is a river
        ("Aarhus Sal", "Århus Sal"),  # Danish aa is å
    ],
)
def test_place_kind_suffixes_and_nordic_aa(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Kitchen"])[calendar] == pivot


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Daehoeuisil 9F", "9F Large Conference Room"),  # Korean dae + hoeuisil
        ("Gyoyuksil B", "Training Room B"),
        ("Gangdang", "Auditorium"),
        ("Hallituksen kokoushuone", "Hallitushuone"),  # Finnish genitive of hallitus
        ("Neukkari 3.10", "Neuvotteluhuone 3.10"),  # Finnish clipped slang
    ],
)
def test_generic_room_words_of_more_languages(calendar: str, pivot: str) -> None:
    pivots = [pivot, "Kitchen", "Lobby Screen"]
    assert _pairs([calendar, "Phone Booth 9"], pivots)[calendar] == pivot


def test_korean_folds_need_korean_syllables() -> None:
    # "Bondi" and "Ponti" read alike under the Korean folds, but "Garda" / "Karta" are no
    # Korean words; "Berg" is not either.
    assert _pairs(["Garda", "Phone Booth 9"], ["Karta", "Kitchen"])["Garda"] is None


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("SEL - Namhan-san", "Namhansan"),  # "san" after a hyphen is no Japanese three
        ("SEL - Odae-san", "Odaesan"),
        ("LIS - Huddle B.04", "Huddle Room B04"),  # a letter, a dot and a number are one code
        ("TMP - Tapiola", "Tapiolan sali"),  # Finnish genitive plus the generic "sali"
    ],
)
def test_glued_suffixes_and_codes(calendar: str, pivot: str) -> None:
    pivots = [pivot, "Kitchen", "Lobby Screen"]
    assert _pairs([calendar, "Phone Booth 9"], pivots)[calendar] == pivot


def test_an_abbreviation_after_the_site_code_is_no_location_prefix() -> None:
    calendar = ["MAD SJ P3-1", "MAD SJ P3-2", "MAD Sala Goya"]
    pivot = ["Sala de Juntas 3-1", "Sala de Juntas 3-2", "Sala Goya"]
    assert _pairs(calendar, pivot) == dict(zip(calendar, pivot, strict=True))


def test_a_deprecated_mailbox_does_not_make_a_partial_name_common() -> None:
    calendar = ["IZM - Efes", "OLD - IZM - Efes", "IZM - Phone Booth", "IZM - Truva"]
    pivot = ["Efes Antik Kenti", "Truva", "Kitchen"]
    assert _pairs(calendar, pivot)["IZM - Efes"] == "Efes Antik Kenti"


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Ruang Rapat 3", "Meeting Room 3"),  # Indonesian
        ("Bilik Mesyuarat 3", "Meeting Room 3"),  # Malay
        ("Phòng họp 3", "Meeting Room 3"),  # Vietnamese
        ("Peregovornaya 3", "Meeting Room 3"),  # Russian, romanised
        ("Переговорная 3", "Meeting Room 3"),  # and in Cyrillic
        ("Hong Prachum 3", "Meeting Room 3"),  # Thai, romanised
        ("Aithousa Synedriaseon 3", "Meeting Room 3"),  # Greek, romanised
        ("Bilera Gela 3", "Meeting Room 3"),  # Basque
        ("Fundarherbergi 3", "Meeting Room 3"),  # Icelandic
        ("Nõupidamisruum 3", "Meeting Room 3"),  # Estonian
        ("Sanāksmju telpa 3", "Meeting Room 3"),  # Latvian
        ("Posėdžių salė 3", "Meeting Room 3"),  # Lithuanian
        ("Sala za sastanke 3", "Meeting Room 3"),  # Croatian, Serbian
        ("Zasadačka 3", "Meeting Room 3"),  # Slovak
        ("Sejna soba 3", "Meeting Room 3"),  # Slovenian
        ("Eğitim Salonu 2", "Training Room 2"),  # Turkish
        ("Ruang Pelatihan 2", "Training Room 2"),
        ("Ruang Direksi", "Boardroom"),
        ("Yemekhane", "Canteen"),
        ("Kütüphane", "Library"),
        ("Resepsiyon", "Reception"),
        ("Mutfak", "Kitchen"),
        ("Kuchyně", "Kitchen"),
        ("Keittiö", "Kitchen"),
        ("Teras", "Terrace"),
        ("Salle Polyvalente", "Multipurpose Room"),
        ("Sala Multiusos", "Multipurpose Room"),
        ("Mehrzweckraum", "Multipurpose Room"),
    ],
)
def test_room_words_of_more_languages(calendar: str, pivot: str) -> None:
    pivots = [pivot, "Parking P2", "Lobby Screen"]
    assert _pairs([calendar, "Phone Booth 9"], pivots)[calendar] == pivot


def test_generic_names_with_different_numbers_stay_apart() -> None:
    assert (
        _pairs(["Ruang Rapat 4", "Phone Booth 9"], ["Meeting Room 3", "Lobby Screen"])["Ruang Rapat 4"]
        is None
    )


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("T'ai-shan", "Taishan"),  # Wade-Giles aspiration apostrophe and hyphen
        ("Hsi-hu", "Xihu"),  # hs / x
        ("Kuang-chou", "Guangzhou"),  # k / g, ch / zh
        ("Chung-shan", "Zhongshan"),  # ung / ong
        ("Ch'ung-ch'ing", "Chongqing"),  # ch' / q
        ("Hsia-men", "Xiamen"),
        ("Kuangchou Room", "Guangzhou Room"),
        ("Tientan", "Tiantan"),  # ien / ian
    ],
)
def test_mandarin_pinyin_and_wade_giles(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Parking P2"])[calendar] == pivot


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Xena", "Jena"),  # x is not j
        ("Bondi", "Ponti"),  # no Mandarin or Korean spelling mark: voicing is kept
        ("Costa", "Gosta"),
    ],
)
def test_romanisation_folds_keep_other_names_apart(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Parking P2"])[calendar] is None


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Yamazaki", "Yamasaki"),  # rendaku: z / s
        ("Ishibashi", "Ishihashi"),  # b / h
        ("Nakagawa", "Nakakawa"),  # g / k
    ],
)
def test_japanese_rendaku_voicing(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Parking P2"])[calendar] == pivot


@pytest.mark.parametrize(
    ("calendar", "pivot", "expected"),
    [
        (["MEX - Izta", "MEX - Popo"], ["Iztaccíhuatl", "Popocatépetl"], ["Iztaccíhuatl", "Popocatépetl"]),
        (["NBO - Kili (8)", "NBO - Phone Booth"], ["Kilimanjaro", "Terrace"], ["Kilimanjaro", None]),
        # Two long words start alike: the short one names neither.
        (["BER - Charlo"], ["Charlottenburg", "Charlottenhof"], [None]),
        # The long word is not long enough to be cut short: "Rose" is not "Rosemary".
        (["LON - Rose"], ["Rosemary"], [None]),
    ],
)
def test_long_names_cut_short(calendar: list[str], pivot: list[str], expected: list[str | None]) -> None:
    assert _pairs(calendar, pivot) == dict(zip(calendar, expected, strict=True))


@pytest.mark.parametrize(
    ("calendar", "pivot", "expected"),
    [
        (
            ["ROM - Rosa", "ROM - Bianco", "ROM - Cervino", "ROM - Phone Booth"],
            ["Monte Rosa", "Monte Bianco", "Monte Cervino", "Terrazza"],
            ["Monte Rosa", "Monte Bianco", "Monte Cervino", None],
        ),
        (
            ["BCN - Tibidabo", "BCN - Montjuic", "BCN - Sagrada"],
            ["Mirador del Tibidabo", "Castell de Montjuïc", "Sagrada Família"],
            ["Mirador del Tibidabo", "Castell de Montjuïc", "Sagrada Família"],
        ),
        (
            ["SEA - Rainier", "SEA - Baker"],
            ["Mount Rainier", "Mount Baker"],
            ["Mount Rainier", "Mount Baker"],
        ),
        (
            # "River" is a kind of place a name may drop ("Lago Llanquihue" / "Llanquihue"),
            # and the annex pairs with the annex: "Hudson" is the Hudson River Room.
            ["NYC - Hudson", "NYC - Hudson Annex"],
            ["Hudson River Room", "Hudson Annex"],
            ["Hudson River Room", "Hudson Annex"],
        ),
    ],
)
def test_partial_names_both_ways(calendar: list[str], pivot: list[str], expected: list[str | None]) -> None:
    assert _pairs(calendar, pivot) == dict(zip(calendar, expected, strict=True))


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("L14-03", "Room 14.03"),  # floor code and short number against the dotted number
        ("Floor 5 Room 1", "5.01"),
        ("Dritter Stock Raum 4", "Raum 3.04"),  # German ordinal, strong inflection
        ("12층 회의실 3", "Meeting Room 12.03"),  # Hangul kept as syllables
        ("회의실 3", "Meeting Room 3"),
        ("교육실 2", "Training Room 2"),
        ("Quinto Piso Sala 2", "Sala 5-2"),
        ("Kat 4 Toplantı Odası 2", "Toplantı Odası 4.02"),
        ("R+5 Salle 2", "Salle 5.02"),
        ("Niv. 5 - Salle 2", "Salle 502"),
    ],
)
def test_codes_and_floors_against_dotted_numbers(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Parking P2", "Lobby Screen"])[calendar] == pivot


def _pairs_with_fillers(calendar: list[str], pivot: list[str]) -> dict[str, str | None]:
    """The list's site code leads several names, as it does in a real tenant."""
    code = calendar[0].split()[0]
    fillers = [f"{code} Phone Booth {i}" for i in range(1, 4)]
    return {k: v for k, v in _pairs([*calendar, *fillers], [*pivot, "Parking P2"]).items() if k in calendar}


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        (
            ["HEL T1 Kokoushuone 3", "HEL T2 Kokoushuone 3"],
            ["Torni 1 Kokoushuone 3", "Torni 2 Kokoushuone 3"],
        ),
        (["OSL Hus A Møterom 1", "OSL Hus B Møterom 1"], ["A-huset Møterom 1", "B-huset Møterom 1"]),
        (
            ["STO Hus 1 Konferensrum 2", "STO Hus 2 Konferensrum 2"],
            ["Byggnad 1 Konferensrum 2", "Byggnad 2 Konferensrum 2"],
        ),
        (["MAD TN Sala 5", "MAD TS Sala 5"], ["Torre Norte Sala 5", "Torre Sur Sala 5"]),
        (
            ["IST A Blok Toplantı 1", "IST B Blok Toplantı 1"],
            ["A Blok - Toplantı Odası 1", "B Blok - Toplantı Odası 1"],
        ),
        (
            ["SEL A동 회의실 1", "SEL B동 회의실 1"],
            ["Building A Meeting Room 1", "Building B Meeting Room 1"],
        ),
        (["XYZ-A Sala 1.01", "XYZ-B Sala 1.01"], ["Budova A – Sala 1.01", "Budova B – Sala 1.01"]),
    ],
)
def test_twins_in_two_buildings_written_in_many_ways(calendar: list[str], pivot: list[str]) -> None:
    assert _pairs_with_fillers(calendar, pivot) == dict(zip(calendar, pivot, strict=True))


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Kokoush. 3", "Kokoushuone 3"),  # a room word cut short with a dot
        ("Neuv. 3", "Neuvotteluhuone 3"),
        ("Zased. místnost 2", "Zasedací místnost 2"),
        ("Bibl.", "Library"),
        ("Sala Szkol. 2", "Sala Szkoleniowa 2"),
        ("Toplantı Od. 2", "Toplantı Odası 2"),
        ("Amfi", "Amphithéâtre"),
    ],
)
def test_dotted_abbreviations_of_room_words(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Parking P2", "Lobby Screen"])[calendar] == pivot


def test_a_dotted_name_is_not_read_as_a_room_word() -> None:
    # "Bib." could be the start of several concepts' words; "St." is no room word at all.
    assert normalize("St. Gallen").words == normalize("St Gallen").words


def test_a_dotted_capacity_label_stays_a_capacity() -> None:
    assert normalize("Room 7 - cap. 10").words == ("room",)


@pytest.mark.parametrize(
    ("name", "idents"),
    [
        ("Undervisning To", {"2"}),  # Danish "to" is two when it ends the name
        ("Mødelokale En", {"1"}),
        ("Salle Un", {"1"}),
        ("Room to Think", set()),  # inside the name it is the little word
        ("Sala de Juntas", set()),
    ],
)
def test_little_words_that_are_numbers_at_the_end(name: str, idents: set[str]) -> None:
    assert set(normalize(name).idents) == idents


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Qian Men", "Jian Men"),  # two pinyin names: q is not j
        ("Salle Marc", "Salle Marche"),  # no two-letter place suffix
        ("Zhang Hall", "Jiang Hall"),
    ],
)
def test_romanisation_and_suffix_rules_keep_distinct_names_apart(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Parking P2"])[calendar] is None


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Rakhmaninov", "Rachmaninoff"),  # Russian: kh/ch, -ov/-off
        ("Prokofiev", "Prokofjew"),  # German transliteration j, w
        ("Mussorgsky", "Musorgskij"),
        ("Olympos", "Olympus"),  # Greek -os, Latin -us
        ("Delfoi", "Delphi"),
        ("Jumeirah", "Jumeira"),  # Arabic final h
        ("Burj Khalifa", "Burj Khalifah"),
    ],
)
def test_transliteration_families(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Parking P2"])[calendar] == pivot


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        (["SHA 15楼 会议室 3", "SHA Hsi-hu Room"], ["15F Meeting Room 3", "Xihu"]),  # Chinese room word
        (["TYO 会議室 2", "TYO Sumida"], ["Meeting Room 2", "Sumidagawa"]),
        (["UTR - Domtoren", "UTR - Stiltekamer"], ["Dom", "Receptie scherm"]),  # Dutch -toren
    ],
)
def test_more_scripts_and_compounds(calendar: list[str], pivot: list[str]) -> None:
    got = _pairs_with_fillers(calendar, pivot)
    assert got[calendar[0]] == pivot[0]


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        (["DXB - Majlis (Large)", "DXB - Majlis Small"], ["Majlis Kabir", "Majlis Saghir"]),  # Arabic
        (["IST - Büyük Salon", "IST - Küçük Salon"], ["Large Salon", "Small Salon"]),
        (["JKT - Ruang Besar", "JKT - Ruang Kecil"], ["Large Room", "Small Room"]),  # Indonesian
        (["ATH - Parthenonas", "ATH - Akropoli"], ["Parthenon", "Acropolis"]),  # Greek endings
    ],
)
def test_large_and_small_in_more_languages_and_greek_endings(calendar: list[str], pivot: list[str]) -> None:
    assert _pairs_with_fillers(calendar, pivot) == dict(zip(calendar, pivot, strict=True))


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        (
            ["B2-3.05", "B1-3.05", "B2-3.06"],
            ["Building 2 Room 3.05", "Building 1 Room 3.05", "Building 2 Room 3.06"],
        ),
        (
            ["MUC-A-2-01", "MUC-B-2-01", "MUC-A-3-01"],
            ["Gebäude A, 2. OG, Raum 01", "Gebäude B, 2. OG, Raum 01", "Gebäude A, 3. OG, Raum 01"],
        ),
        (
            ["PRG A201", "PRG B201", "PRG A301"],
            ["Budova A – místnost 2.01", "Budova B – místnost 2.01", "Budova A – místnost 3.01"],
        ),
        (
            ["IST-K12-T3", "IST-K12-T4", "IST-K14-T3"],
            ["12. Kat Toplantı Odası 3", "12. Kat Toplantı Odası 4", "14. Kat Toplantı Odası 3"],
        ),
        (
            ["SEL-12F-MR01", "SEL-12F-MR02", "SEL-13F-MR01"],
            ["12층 회의실 1", "12층 회의실 2", "13층 회의실 1"],
        ),
        (["PAR-R25-S01", "PAR-R25-S02", "PAR-R26-S01"], ["Salle 25.01", "Salle 25.02", "Salle 26.01"]),
    ],
)
def test_code_only_mailboxes_against_spelled_out_names(calendar: list[str], pivot: list[str]) -> None:
    assert _pairs(calendar, pivot) == dict(zip(calendar, pivot, strict=True))


def test_a_glued_letter_of_another_building_stays_apart() -> None:
    calendar = ["PRG B201", "PRG A301", "PRG A302"]
    pivot = ["Budova A – místnost 2.01", "Budova A – místnost 3.01", "Budova A – místnost 3.02"]
    got = _pairs(calendar, pivot)
    assert got["PRG B201"] is None
    assert got["PRG A301"] == "Budova A – místnost 3.01"


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        (
            ["LIS-P3-SR1", "LIS-P3-SR2", "LIS-P4-SR1"],
            ["Piso 3 - Sala de Reunião 1", "Piso 3 - Sala de Reunião 2", "Piso 4 - Sala de Reunião 1"],
        ),
        (["PAR SR 4", "PAR SR 5", "PAR Cabine 1"], ["Salle de Réunion 4", "Salle de Réunion 5", "Accueil"]),
    ],
)
def test_an_initialism_is_also_the_initials_of_the_other_language(
    calendar: list[str], pivot: list[str]
) -> None:
    got = _pairs(calendar, pivot)
    assert [got[c] for c in calendar[:2]] == pivot[:2]


def test_board_and_direction_are_related_but_never_pair_alone() -> None:
    # "Yakuin" (board) with "Executive" on the other side: related words complete the pair.
    got = _pairs(["OSA - Yakuin Kaigishitsu", "OSA - Booth"], ["Executive Board Room", "Kitchen"])
    assert got["OSA - Yakuin Kaigishitsu"] == "Executive Board Room"
    # An executive room is not the boardroom on that word alone (it may be another room).
    got = _pairs(["LON - Executive Room", "LON - Phone Booth"], ["Boardroom", "Kitchen"])
    assert got["LON - Executive Room"] is None


@pytest.mark.parametrize(
    ("name", "words", "idents"),
    [
        ("Halla-san", ("hallasan",), set()),
        ("SEL HALLA-SAN", ("sel", "hallasan"), set()),  # capitals too
        ("Sala-uno", ("sala",), {"1"}),  # a room word before the number: room one
        ("SALA-UNO", ("sala",), {"1"}),
        ("Formation-deux", ("formation",), {"2"}),
    ],
)
def test_a_hyphen_glued_number_word(name: str, words: tuple[str, ...], idents: set[str]) -> None:
    key = normalize(name)
    assert (key.words, set(key.idents)) == (words, idents)


def test_a_list_typed_in_lower_case_gets_its_codes_back() -> None:
    from services.domain.automap.name_lists import recase_codes

    names = ["par-def pont marie", "par-def salle 25.03", "par-def pont neuf", "nte salle 1", "cabine 2"]
    assert recase_codes(names)[:3] == ["PAR-DEF pont marie", "PAR-DEF salle 25.03", "PAR-DEF pont neuf"]
    assert recase_codes(names)[3:] == ["nte salle 1", "cabine 2"]  # leads fewer than three names
    # A list with capitals is left alone; so is a leading room word ("sala", "room").
    assert recase_codes(["PAR Salle 1", "par salle 2"]) == ["PAR Salle 1", "par salle 2"]
    assert recase_codes(["sala 1", "sala 2", "sala 3"]) == ["sala 1", "sala 2", "sala 3"]


def test_lower_case_mailboxes_pair_as_their_capitalised_names() -> None:
    calendar = ["kel 2.10 pc lab", "kel boardroom", "kel 1.05", "bru 1.12 seminar room", "kel phone booth"]
    pivot = ["Kelvin Building 2.10 Computer Lab", "Kelvin Building Boardroom", "Kelvin Building 1.05"]
    got = _pairs(calendar, pivot)
    assert [got[c] for c in calendar[:3]] == pivot
    assert got["bru 1.12 seminar room"] is None


@pytest.mark.parametrize(
    ("name", "idents"),
    [
        ("Místnost Dva", {"2"}),  # Czech
        ("Ruang Tiga", {"3"}),  # Indonesian
        ("Aithousa Dyo", {"2"}),  # Greek, romanised
        ("Hoeuisil Sam", {"3"}),  # Sino-Korean, at the end only
        ("Huiyishi Er", {"2"}),  # Mandarin, at the end only
        ("Sala Lima", set()),  # Lima is a city name, not five
        ("Sam Houston", set()),
    ],
)
def test_number_words_of_more_languages(name: str, idents: set[str]) -> None:
    assert set(normalize(name).idents) == idents


@pytest.mark.parametrize("name", ["SEL - Gangnam-gu", "SEL - Bulguk-sa"])
def test_korean_district_and_temple_suffixes_are_no_numbers(name: str) -> None:
    assert not normalize(name).idents


@pytest.mark.parametrize(
    ("calendar", "pivot", "want"),
    [
        ("Sun Moon Lake Small", "Sun Moon Lake", None),  # a size word makes a sibling room
        ("Orion Annex", "Orion", None),
        ("Fjord Lille", "Fjord", None),  # Norwegian "little"
        ("Salle Rhone Petite", "Salle Rhone", None),
        ("Ballsaal Teil A", "Grand Ballroom Section A", "Grand Ballroom Section A"),  # both qualify
    ],
)
def test_a_qualifier_on_one_side_only_makes_another_room(calendar: str, pivot: str, want: str | None) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Kitchen"])[calendar] == want


@pytest.mark.parametrize(
    ("home", "other", "pivot"),
    [
        ("OSL Geirangerfjorden", "BGO Geirangerfjord", "Geirangerfjord"),  # home spelling differs
        ("LIS Sala Tejo", "OPO Sala Tejo", "Sala Tejo"),
    ],
)
def test_the_home_code_wins_a_pivot_room_contested_by_another_office(
    home: str, other: str, pivot: str
) -> None:
    calendar = [home, other, "OSL Kantine", "OSL Styrerom", "OSL Lofoten", "LIS Kantine", "LIS Styrerom"]
    calendar = [c for c in calendar if c.split()[0] == home.split()[0]] + [other]
    got = _pairs(calendar, [pivot, "Kantine", "Styrerom", "Lofoten"])
    assert got[home] == pivot
    assert got[other] is None


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Lan-yu (Orchid Island)", "Lanyu"),  # a bracketed gloss in another language
        ("Kerkyra (Corfu Island)", "Kerkyra"),
        ("Lanyu", "Lan-yu (Orchid Island)"),
        ("Orchid Island", "Lanyu (Orchid Island)"),
    ],
)
def test_a_bracketed_gloss_is_an_alias_of_the_name(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Kitchen"])[calendar] == pivot


def test_a_bracketed_gloss_keeps_numbered_siblings_apart() -> None:
    assert normalize("Sala 3 (Orchid Island)").aliases == ()  # after a number: no gloss


@pytest.mark.parametrize(
    ("name", "floor", "idents"),
    [
        ("Duna 3.em", 3, set()),  # Hungarian "3. emelet": the ordinal dot, the word cut short
        ("Ceahlau et.3", 3, set()),  # Romanian "etaj 3" cut short with a dot
        ("Meeting Room 2 - 12 Lou", 12, {"2"}),  # Mandarin lou (floor)
        ("Meeting Room 1 - 3os orofos", 3, {"1"}),  # Greek ordinal and orofos
        ("Chumba 4 - ghorofa 2", 2, {"4"}),  # Swahili ghorofa
        ("Sala 3 et 4", None, {"3", "4"}),  # French "and": no floor without the dot
        ("Salle Rhin et Danube", None, set()),
        ("Salle Lou 3", None, {"3"}),  # Mandarin lou follows the number only; before one, a name
    ],
)
def test_short_floor_words_of_more_languages(name: str, floor: int | None, idents: set[str]) -> None:
    key = normalize(name)
    assert (key.floor, set(key.idents)) == (floor, idents)


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Dioikitiko Symvoulio", "Boardroom"),  # Greek, romanised
        ("Ekpaideusi A", "Training Room A"),
        ("Aithousa Syskepseon 1.02", "Meeting Room 1.02"),
        ("Amfitheatro", "Amphitheatre"),
        ("Boardroom", "Igazgatósági tárgyaló"),  # Hungarian
        ("Canteen", "Étterem"),
        ("Boardroom", "Sala Consiliului"),  # Romanian genitive
        ("Chumba cha Mikutano 4.1", "Meeting Room 4.1"),  # Swahili
        ("Ukumbi wa Baraza", "Baraza Hall"),
    ],
)
def test_translated_generic_words_of_more_languages(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Kitchen", "Lobby Screen"])[calendar] == pivot


def test_a_building_on_one_side_only_loses_to_a_twin_without_one() -> None:
    calendar = ["ATH Ktirio B Aithousa 1.02", "ATH Aithousa Syskepseon 1.02", "ATH Kitchen"]
    pivot = ["Building B - Meeting Room 1.02", "Meeting Room 1.02", "Kitchen"]
    got = _pairs(calendar, pivot)
    assert got["ATH Ktirio B Aithousa 1.02"] == "Building B - Meeting Room 1.02"
    assert got["ATH Aithousa Syskepseon 1.02"] == "Meeting Room 1.02"


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Kerkyra", "Corfu"),  # Greek names and their English exonyms
        ("Rodos", "Rhodes"),
        ("Zakynthos", "Zante"),
        ("Danshui", "Tamsui"),  # Taiwanese postal/Hokkien spellings against pinyin
        ("Jilong", "Keelung"),
    ],
)
def test_exonyms_of_greece_and_taiwan(calendar: str, pivot: str) -> None:
    assert _pairs([calendar, "Phone Booth 9"], [pivot, "Kitchen"])[calendar] == pivot


@pytest.mark.parametrize(
    ("calendar", "pivot", "want"),
    [
        ("45W Conference Center", "45 West Conference Center", True),  # floor 45, west side
        ("45E Conf Ctr", "45 East Conference Center", True),
        ("Conf 38N", "Conference 38 North", True),
        ("45W Conference Center", "45 East Conference Center", False),
    ],
)
def test_a_number_glued_to_a_compass_initial_is_that_side_of_the_tower(
    calendar: str, pivot: str, want: bool
) -> None:
    assert (_pairs([calendar, "Phone Booth 9"], [pivot, "Kitchen"])[calendar] == pivot) is want


@pytest.mark.parametrize(
    ("calendar", "pivot", "want"),
    [
        ("HOU-T1-4303", "Conference Room 43.03", True),  # T1 is the tower, 4303 floor 43 room 03
        ("B2-1204", "Room 12.04", True),
        ("B41-3021 Conf Rm", "Room 3021", False),  # with words: no codes-only mailbox
        ("HOU-T1-4303", "Conference Room 43.04", False),
        ("HOU-T1-43", "Conference Room 43", False),  # a short number may be anything
    ],
)
def test_a_tower_code_beside_a_full_room_number_is_the_building(
    calendar: str, pivot: str, want: bool
) -> None:
    calendar_rooms = [calendar, "HOU Phone Booth 9", "HOU Kitchen", "HOU Library"]
    assert (_pairs(calendar_rooms, [pivot, "Kitchen", "Library"])[calendar] == pivot) is want


@pytest.mark.parametrize(
    ("name", "words", "idents", "building"),
    [
        ("S.F. Austin", ("austin",), set(), None),  # a person's initials: no room letters
        ("Stephen F. Austin Room", ("stephen", "austin", "room"), set(), None),
        ("J.R.R. Tolkien", ("tolkien",), set(), None),
        ("Building A. Room 3", ("room",), {"3"}, "a"),  # a building letter stays
        ("Room B. Smith", ("room", "smith"), {"b"}, None),  # after a room word: kept, to be safe
    ],
)
def test_dotted_initials_before_a_name_are_dropped(
    name: str, words: tuple[str, ...], idents: set[str], building: str | None
) -> None:
    key = normalize(name)
    assert (key.words, set(key.idents), key.building) == (words, idents, building)


def test_initials_and_a_surname_pair_with_the_full_name() -> None:
    calendar = ["HOU S.F. Austin", "HOU Kitchen", "HOU Library"]
    assert (
        _pairs(calendar, ["Stephen F. Austin Room", "Kitchen"])["HOU S.F. Austin"] == "Stephen F. Austin Room"
    )


@pytest.mark.parametrize(
    ("calendar", "pivot", "want"),
    [
        ("A-li-shan", "Alishan", True),  # hyphenated syllables after a one-letter syllable
        ("Chiufen", "Jiufen", True),  # Wade-Giles ch before i and a vowel is pinyin j
        ("Chian", "Jian", True),
        ("Chi", "Ji", False),  # pinyin has chi: no mark, no fold
        ("Auditorium", "Auditoriet", True),  # Norwegian definite of a Latin -um noun
        ("Auditoriet", "Auditorium", True),
    ],
)
def test_syllables_wade_giles_ch_and_latin_um_definites(calendar: str, pivot: str, want: bool) -> None:
    assert (_pairs([calendar, "Phone Booth 9"], [pivot, "Kitchen"])[calendar] == pivot) is want


def test_a_one_letter_code_before_a_hyphen_and_one_word_stays_a_letter() -> None:
    assert normalize("B-side Room").idents == frozenset({"b"})
    assert normalize("A-li-shan").words == ("alishan",)


@pytest.mark.parametrize("bracket", ["Small Room", "North Wing", "Phone Booth", "Old Wing"])
def test_a_bracket_that_makes_another_room_is_no_gloss(bracket: str) -> None:
    calendar = f"Orion ({bracket})"
    assert normalize(calendar).aliases == ()
    assert _pairs([calendar, "Phone Booth 9"], ["Orion", "Kitchen"])[calendar] is None


@pytest.mark.parametrize(
    ("calendar", "want"),
    [
        ("HQ-12W-03-210", "West Tower 3-210 Conference Room"),
        ("HQ - 12W Conference Room 3-210", "West Tower 3-210 Conference Room"),
        ("HQ - 12E Conference Room 3-210", "3-210 Conference Room"),
        ("HQ-12E-03-210", "3-210 Conference Room"),
    ],
)
def test_a_number_glued_to_a_compass_initial_names_the_tower_on_that_side(calendar: str, want: str) -> None:
    """ "12W" beside "West Tower" (and its twin "12E", whose tower the pivot leaves unnamed)."""
    pivot = ["3-210 Conference Room", "West Tower 3-210 Conference Room", "3-118 Meeting Room"]
    twin = calendar.replace("W", "E") if "W" in calendar else calendar.replace("E", "W")
    assert _pairs([calendar, twin], pivot)[calendar] == want


def test_a_lone_compass_code_stays_a_side_of_the_tower() -> None:
    """Without a twin code, "45W" is number 45 on the west side, as before."""
    key = normalize("45W Conference Center", buildings=None)
    assert "west" in key.words


@pytest.mark.parametrize(
    ("calendar", "pivot", "want"),
    [
        ("JKT - Toba", "Danau Toba", "Danau Toba"),
        ("JKT - Nahuel Huapi", "Lago Nahuel Huapi", "Lago Nahuel Huapi"),
    ],
)
def test_another_offices_namesake_does_not_make_a_partial_name_common(
    calendar: str, pivot: str, want: str
) -> None:
    """ "KNO - Toba" is the Medan office's room: "Toba" still names one room of the home site."""
    foreign = calendar.replace("JKT", "KNO")
    home = ["JKT - Rinjani", "JKT - Mahakam", "JKT - Aula"]
    pairs = _pairs([calendar, foreign, *home], [pivot, "Rinjani", "Mahakam", "Aula"])
    assert pairs[calendar] == want
    assert pairs[foreign] is None


@pytest.mark.parametrize(
    ("calendar", "pivot", "want"),
    [
        ("XYZ - Qasr Al Husn", "Qasr al Hosn", True),
        ("XYZ - The Majles", "Majlis", True),
        ("XYZ - Krakatoa", "Krakatau", True),
        ("XYZ - Tjiliwoeng", "Ciliwung", True),
        ("XYZ - Djawa", "Jawa", True),
        ("XYZ - Cheung Chau", "Cheung Chow", True),
        ("XYZ - Ras Al Khor", "Ras Al Khoor", True),
        ("XYZ - Monet", "Manet", False),  # a/e: two names
        ("XYZ - Ravel", "Revel", False),
        ("XYZ - Biokovo", "Biokova", True),  # a case ending of a long name
        ("XYZ - Maria", "Mario", False),  # a short name's last vowel is another name
        ("XYZ - Mersy", "Mersey", True),
    ],
)
def test_words_only_their_vowels_tell_apart_pair_when_unique(calendar: str, pivot: str, want: bool) -> None:
    home = ["XYZ - Rinjani", "XYZ - Mahakam", "XYZ - Aula"]
    pairs = _pairs([calendar, *home], [pivot, "Rinjani", "Mahakam", "Aula"])
    assert (pairs[calendar] == pivot) is want


def test_a_vowel_twin_is_no_pair_when_the_other_list_has_both_spellings() -> None:
    """ "Hosn" beside "Husn" and "Hasn" ... : "Hosn" and "Husn" in one pivot list are two rooms."""
    home = ["XYZ - Rinjani", "XYZ - Mahakam", "XYZ - Aula"]
    pairs = _pairs(["XYZ - Qasr Husen", *home], ["Qasr Hosin", "Qasr Husin", "Rinjani", "Mahakam", "Aula"])
    assert pairs["XYZ - Qasr Husen"] is None


@pytest.mark.parametrize(
    ("calendar", "want"),
    [
        ("XYZ - Ha Long (Tang 5)", "Vịnh Hạ Long - Tầng 5"),
        ("XYZ - Ha Long (Tang 6)", "Vịnh Hạ Long - Tầng 6"),
    ],
)
def test_a_partial_name_repeated_on_distinct_floors_of_both_lists_pairs_per_floor(
    calendar: str, want: str
) -> None:
    cal = ["XYZ - Ha Long (Tang 5)", "XYZ - Ha Long (Tang 6)", "XYZ - Mekong", "XYZ - Sapa"]
    piv = ["Vịnh Hạ Long - Tầng 5", "Vịnh Hạ Long - Tầng 6", "Mekong", "Sapa"]
    assert _pairs(cal, piv)[calendar] == want


def test_a_partial_name_on_a_floor_only_one_list_has_stays_unpaired() -> None:
    """Floors 5 and 6 beside floors 5 and 7: "Ha Long" is no longer one room per floor."""
    cal = ["XYZ - Ha Long (Tang 5)", "XYZ - Ha Long (Tang 6)", "XYZ - Mekong", "XYZ - Sapa"]
    piv = ["Vịnh Hạ Long - Tầng 5", "Vịnh Hạ Long - Tầng 7", "Mekong", "Sapa"]
    assert _pairs(cal, piv)["XYZ - Ha Long (Tang 6)"] is None


@pytest.mark.parametrize(
    ("name", "building", "floor"),
    [
        ("KUL - Bilik Mesyuarat 22-02 (Menara 1)", "1", None),
        ("JKT - Gedung B Ruang Rapat 3", "b", None),
        ("KUL - Auditorium Aras 23", None, 23),
    ],
)
def test_malay_and_indonesian_tower_building_and_level_words(
    name: str, building: str | None, floor: int | None
) -> None:
    key = normalize(name)
    assert (key.building, key.floor) == (building, floor)


@pytest.mark.parametrize(
    ("calendar", "pivot", "want"),
    [
        ("XYZ - Gatineau Room", "5-502 Gatineau", True),  # a full room number on one side only
        ("XYZ - Gatineau", "Gatineau 2", False),  # a short number may be a sibling
    ],
)
def test_a_full_room_number_on_one_side_costs_little_beside_a_rare_shared_word(
    calendar: str, pivot: str, want: bool
) -> None:
    home = ["XYZ - Rideau", "XYZ - Mahakam", "XYZ - Aula"]
    pairs = _pairs([calendar, *home], [pivot, "Rideau", "Mahakam", "Aula"])
    assert (pairs[calendar] == pivot) is want


@pytest.mark.parametrize(
    ("label", "floor"),
    [("Soba 1 - treci kat", 3), ("drugi kat", 2), ("Phong hop 2 - Lau 5", 5), ("Lầu 3", 3)],
)
def test_croatian_ordinal_floors_and_vietnamese_lau(label: str, floor: int) -> None:
    assert floor_of(label) == floor


@pytest.mark.parametrize(
    ("calendar", "pivot", "want"),
    [
        ("XYZ - Nahuel Huapi", "Lago Nahuel Huapi", "Lago Nahuel Huapi"),
        ("XYZ - Nahuel Huapi Chica", "Lago Nahuel Huapi", None),
        ("XYZ - Bromo", "Gunung Bromo", "Gunung Bromo"),
        ("XYZ - Bromo Kecil", "Gunung Bromo", None),
    ],
)
def test_a_small_sibling_does_not_make_a_partial_name_common(
    calendar: str, pivot: str, want: str | None
) -> None:
    """ "Nahuel Huapi Chica" beside "Nahuel Huapi": the plain name still names one room."""
    base = calendar.removesuffix(" Chica").removesuffix(" Kecil")
    cal = [base, base + (" Chica" if "Nahuel" in base else " Kecil"), "XYZ - Rinjani", "XYZ - Aula"]
    pairs = _pairs(cal, [pivot, "Rinjani", "Aula"])
    assert pairs[calendar] == want


@pytest.mark.parametrize(
    ("calendar", "pivot", "want"),
    [
        (["Komodo Lt.19"], ["Komodo (Lantai 19)"], ["Komodo Lantai 19"]),
        (["Ruang Rapat 3 Lt. 18"], ["Ruang Rapat 18-03", "Aula Lantai 20"], ["Ruang Rapat 3 Lantai 18"]),
        (["LT 3"], ["Lecture Theatre 3"], ["LT 3"]),  # nobody writes a floor word in full here
        (["Tg 4 Boardroom"], ["Tingkat 4 Boardroom", "Lantai 5 Aula"], ["Tingkat 4 Boardroom"]),
    ],
)
def test_a_floor_word_abbreviated_where_the_site_writes_it_in_full_is_that_floor_word(
    calendar: list[str], pivot: list[str], want: list[str]
) -> None:
    assert expand_floor_abbreviations(calendar, pivot)[0] == want


def test_an_abbreviated_floor_word_pairs_twins_by_floor() -> None:
    cal = ["JKT - Komodo Lt.18", "JKT - Komodo Lt.19", "JKT - Rinjani", "JKT - Aula"]
    piv = ["Komodo (Lantai 18)", "Komodo (Lantai 19)", "Rinjani", "Aula"]
    pairs = _pairs(cal, piv)
    assert pairs["JKT - Komodo Lt.19"] == "Komodo (Lantai 19)"
    assert pairs["JKT - Komodo Lt.18"] == "Komodo (Lantai 18)"


@pytest.mark.parametrize(
    ("calendar", "want"),
    [
        ("BUE SR 2 - Piso 11", "BUE sala de reuniones 2 - Piso 11"),
        ("KUL - BM 22-03", "KUL - bilik mesyuarat 22-03"),
        ("SBMC HR Conf Rm 1-210", "SBMC HR Conf Rm 1-210"),  # a department before a room word
        ("SR 2", "SR 2"),  # the first word may be a site code
        ("XYZ - SR 4", "XYZ - SR 4"),  # only one name of the other list writes it out
    ],
)
def test_an_initialism_of_a_phrase_the_other_list_repeats_is_that_phrase(calendar: str, want: str) -> None:
    pivot = [
        "Sala de Reuniones 11.2",
        "Sala de Reuniones 13.1",
        "Bilik Mesyuarat 1",
        "Bilik Mesyuarat 2",
        "Huddle Room 1",
        "Huddle Room 2",
    ]
    if calendar.startswith("XYZ"):
        pivot = ["Sala de Reuniones 4", "Bilik Mesyuarat 1"]
    assert expand_initialisms([calendar], pivot)[0] == [want]


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("KUL - Bilik Latihan 1", "Training Room 1"),
        ("JKT - Ruang Komisaris", "Boardroom"),
        ("KUL - Bilik Pengarah", "Boardroom"),
    ],
)
def test_malay_and_indonesian_training_and_board_words(calendar: str, pivot: str) -> None:
    home = ["KUL - Rinjani", "KUL - Aula"] if calendar.startswith("KUL") else ["JKT - Rinjani", "JKT - Aula"]
    assert _pairs([calendar, *home], [pivot, "Rinjani", "Aula"])[calendar] == pivot
