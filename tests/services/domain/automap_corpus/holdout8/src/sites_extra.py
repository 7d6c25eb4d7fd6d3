# Second pass of hand-written rows (added after the first validate run to reach ~40 rooms and ~60% pairs).
# Each entry extends the site of that id: extra pivot rooms and extra calendar rows (same row format).
EXTRA = {
"it-torino-plant": {
 "pivot": [("TO-EC-0005", "Sala Riunioni 1 - Edificio Collaudo piano terra"), ("TO-PU-0105", "Sala Mirafiori")],
 "rows": [("TO-EC-PT-Meeting Room 1 (6)", "to-ec-pt-mr1", "TO-EC-0005", "twin_floor", "h"),
          ("Sala Mirafiori 1° p. (Teams)", "mirafiori", "TO-PU-0105", "capacity_suffix", "e")]},
"es-barcelona-cat": {
 "pivot": [("40214", "Sala Tibidabo"), ("40425", "Sala Montjuïc")],
 "rows": [("Tibidabo (2ª planta)", "bcn-tibidabo", "40214", "ordinal_floor", "e"),
          ("Sala Montjuic 4 - 10p", "bcn-montjuic", "40425", "accents", "e")]},
"fr-toulouse-aero": {
 "pivot": [("tls-c-c1-02", "Bât. C / 1er - Salle C1-02"), ("tls-b-b1-02", "Bât. B / 1er - Salle B1-02")],
 "rows": [("TLS-C1-02 (6)", "tls-c1-02", "tls-c-c1-02", "twin_building", "h"),
          ("Bât B - 1er étage - Salle 02", "tls-bat-b-salle02", "tls-b-b1-02", "twin_building", "h")]},
"jp-fukuoka": {
 "pivot": [("fuk_7e08a", "Meeting Room 13-2"), ("fuk_7e08b", "Momochi")],
 "rows": [("13-kai Kaigishitsu Ni", "fuk-13f-kaigi2", "fuk_7e08a", "number_word", "h"),
          ("FUK Momochihama (10)", "fuk-momochi", "fuk_7e08b", "partial_name", "h")]},
"ua-kyiv": {
 "pivot": [("kbp-r-025", "Lavra"), ("kbp-r-026", "Peregovorna 20.3")],
 "rows": [("Kyievo-Pecherska Lavra (10)", "lavra", "kbp-r-025", "partial_name", "h"),
          ("Переговорна 20.3", "peregovorna203", "kbp-r-026", "romanisation", "h")]},
"sa-riyadh-kafd": {
 "pivot": [("RUH/T2/06-03", "Meeting Room 06-03"), ("RUH/T2/07-EXL", "Executive Lounge")],
 "rows": [("RUH-KAFD-06-MR03 (4)", "ruh-kafd-06-mr03", "RUH/T2/06-03", "code_style", "h"),
          ("Exec Lounge 7F", "ruh-exec-lounge", "RUH/T2/07-EXL", "abbreviation", "e")]},
"us-atlanta-venue": {
 "pivot": [("atl-mg-full", "Magnolia Ballroom"), ("atl-hall-b", "Exhibit Hall B")],
 "rows": [("Magnolia Ballroom (I-III combined)", "atl-magnolia-full", "atl-mg-full", "style_mix", "h"),
          ("ATL Exhibit Hall B (M1)", "atl-exhibit-b", "atl-hall-b", "site_prefix", "e")]},
"be-antwerpen": {
 "pivot": [("ANR0103", "Vergaderzaal 1.03"), ("ANR0215", "MAS")],
 "rows": [("Vergaderzaal 1.03 - 1ste verdieping", "anr-vz103", "ANR0103", "ordinal_floor", "e"),
          ("Museum aan de Stroom (MAS)", "anr-mas", "ANR0215", "style_mix", "h")]},
}
