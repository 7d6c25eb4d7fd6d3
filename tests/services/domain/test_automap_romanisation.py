"""Romanisations of one name across systems and languages (real place names, invented
rooms; none from the corpus): Cyrillic in English, German and scholarly spellings, Arabic,
Hebrew and Thai romanisations."""

from __future__ import annotations

import pytest

from services.domain.automap import propose
from tests.services.domain.automap_support import beside_fillers


@pytest.mark.parametrize(
    ("calendar", "pivot"),
    [
        ("Kharkiv", "Charkiw"),
        ("Khreshchatyk", "Kreschtschatyk"),
        ("Khreshchatyk", "Khreschatyk"),
        ("Zhytomyr", "Schytomyr"),
        ("Zhukovsky", "Schukowski"),
        ("Chernihiv", "Tschernihiw"),
        ("Odesa", "Odessa"),
        ("Andriivskyi", "Andriyivskyy"),
        ("Tverskaya", "Twerskaja"),
        ("Sokolniki", "Sokol'niki"),
        ("Poltava", "Poltawa"),
        ("Vinnytsia", "Vinnitsa"),
        ("Al Masmak", "Masmak"),
        ("Qasr al-Hukm", "Kasr Al Hokm"),
        ("Diriyah", "Dir'iyah"),
        ("Diriyah", "Al-Diriyah"),
        ("Jeddah", "Jiddah"),
        ("Hijaz", "Hejaz"),
        ("Tabuk", "Tabouk"),
        ("Khalid", "Khaled"),
        ("Kinneret", "Kineret"),
        ("Tsfat", "Tzfat"),
        ("Herzliya", "Herzliyya"),
        ("Eilat", "Elat"),
        ("Yarkon", "Yarqon"),
        ("Phuket", "Puket"),
        ("Mae Khong", "Maekhong"),
        ("Sukhothai", "Sukhotai"),
        ("Ayutthaya", "Ayuthaya"),
        ("Chiang Mai", "Chiengmai"),
    ],
)
def test_one_name_in_two_romanisations_pairs(calendar: str, pivot: str) -> None:
    rows = beside_fillers(calendar, pivot, filler="Phone Booth 2", others=("Boardroom", "Orion"))
    assert rows[0]["pivot_room"] == "1" and rows[1]["pivot_room"] is None


@pytest.mark.parametrize(("calendar", "pivot"), [("Ravel", "Revel"), ("Sokol", "Sakal"), ("Marta", "Moira")])
def test_different_names_stay_apart(calendar: str, pivot: str) -> None:
    rows = propose([{"name": calendar, "email": "a@example.com"}], [{"id": "1", "name": pivot}])
    assert rows[0]["pivot_room"] is None
