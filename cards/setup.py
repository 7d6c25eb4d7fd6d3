"""The setup wizard's cards (guide steps 3–7), and parsing what they submit.

Step cards submit with `Action.Submit` and data `{"setup_step": step, ...}`:
the active setup dialog receives them (a stale card from an earlier step is
recognised by its step). Buttons that must work with no dialog running carry
an `"action"` for the action registry instead.
"""

from __future__ import annotations

from typing import Any

from cards.common import card, facts, heading, paragraph, plain
from services import texts
from services.directory.schema import WEEKDAYS

STEP_KEY = "setup_step"
NEW_LINK_ACTION = "setup_new_link"
NONE = "none"
MAX_SUGGESTIONS = 3
STEPS = ("signin", "calendar", "mapping", "scheduling", "profile", "summary")
PROFILE_NUMBERS = ("sla_hours", "horizon_hours", "min_window_minutes", "slot_minutes")
ESCALATION_NUMBERS = ("remind_after_minutes", "client_after_minutes")  # empty = the step is off
MAX_LISTED = 25


def submit(title: str, data: dict[str, Any], *, style: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Submit", "title": title, "data": data}
    if style:
        action["style"] = style
    return action


def open_url(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url, "style": "positive"}


def note(text: str, color: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, "color": color}


def choice_set(
    input_id: str,
    label: str,
    choices: list[tuple[str, str]],
    value: str | None,
    *,
    required: bool = False,
    error: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "compact",
        "choices": [{"title": title, "value": val} for title, val in choices],
    }
    if value is not None:
        block["value"] = value
    if required:
        block["isRequired"] = True
        block["errorMessage"] = error or texts.SETUP_REQUIRED
    return block


def number_input(
    input_id: str, label: str, value: float | int | None, low: float, high: float
) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "Input.Number", "id": input_id, "label": label, "min": low, "max": high}
    if value is not None:
        block["value"] = value
    return block


def listing(names: list[str]) -> str:
    shown = names[:MAX_LISTED]
    more = len(names) - len(shown)
    return ", ".join(shown) + (texts.SETUP_AND_MORE.format(count=more) if more > 0 else "")


def _errors(lines: list[str] | None) -> list[dict[str, Any]]:
    return [note(line, "Attention") for line in lines or []]


# ---- step 3: sign in -----------------------------------------------------------------------------


def sign_in_card(
    url: str,
    *,
    client_name: str,
    expires: str,
    signed_in_upn: str | None = None,
    booking_locations: list[str] | None = None,
    booking_waiting: bool = False,
) -> dict[str, Any]:
    """A one-time sign-in link; a button for a fresh link; "continue" when already signed in.
    `booking_locations`: the locations that book rooms (the sign-in then asks for more)."""
    body = [
        heading(texts.SETUP_STEP_TITLES["signin"]),
        paragraph(texts.SETUP_SIGNIN_BODY.format(client=plain(client_name))),
    ]
    if booking_locations:
        body.append(paragraph(texts.SETUP_SIGNIN_BOOKING.format(locations=listing(booking_locations))))
    body += [
        paragraph(texts.SETUP_SIGNIN_LINK_NOTE.format(expires=expires), subtle=True),
    ]
    if signed_in_upn:
        body.append(paragraph(texts.SETUP_SIGNIN_ALREADY.format(upn=plain(signed_in_upn))))
        if booking_waiting and booking_locations:
            body.append(
                note(texts.BOOKING_NEEDS_SIGN_IN.format(locations=listing(booking_locations)), "Warning")
            )
    actions = [
        open_url(texts.SETUP_SIGNIN_BUTTON, url),
        submit(texts.SETUP_NEW_LINK_BUTTON, {"action": NEW_LINK_ACTION}),
    ]
    if signed_in_upn:
        actions.append(
            submit(
                texts.SETUP_CONTINUE_AS.format(upn=signed_in_upn), {STEP_KEY: "signin", "choice": "continue"}
            )
        )
    return card(body, actions)


def retry_card(step: str) -> dict[str, Any]:
    """Microsoft 365 did not answer while preparing a step."""
    return card(
        [paragraph(texts.SETUP_GRAPH_UNAVAILABLE)],
        [submit(texts.SETUP_TRY_AGAIN, {STEP_KEY: step, "retry": "1"})],
    )


# ---- step 4: calendar and location ---------------------------------------------------------------


def calendar_card(
    calendars: list[dict[str, str]],
    locations: list[dict[str, str]],
    *,
    calendar_id: str | None = None,
    location_id: str | None = None,
    errors: list[str] | None = None,
) -> dict[str, Any]:
    cal_choices = [
        (texts.SETUP_CALENDAR_CHOICE.format(name=c["name"], owner=c["owner"]), c["id"]) for c in calendars
    ]
    loc_choices = [(loc["name"], loc["id"]) for loc in locations]
    body = [
        heading(texts.SETUP_STEP_TITLES["calendar"]),
        paragraph(texts.SETUP_CALENDAR_BODY),
        *_errors(errors),
        choice_set("calendar", texts.SETUP_CALENDAR_LABEL, cal_choices, calendar_id, required=True),
        choice_set("location", texts.SETUP_LOCATION_LABEL, loc_choices, location_id, required=True),
    ]
    return card(body, [submit(texts.SETUP_NEXT, {STEP_KEY: "calendar"}, style="positive")])


# ---- step 5: room mapping ------------------------------------------------------------------------


def _room_title(room: dict[str, Any]) -> str:
    if room["name"] == room["email"]:
        return room["email"]
    return texts.SETUP_ROOM_CHOICE.format(name=room["name"], email=room["email"])


def _row_note(row: dict[str, Any], rooms: dict[str, dict[str, Any]], manual: bool) -> str:
    if manual:
        return texts.SETUP_MAP_ROW_MANUAL
    if row["current"]:
        room = rooms.get(row["current"])
        return texts.SETUP_MAP_ROW_CURRENT.format(room=plain(room["name"] if room else row["current"]))
    if row["proposed"]:
        room = rooms.get(row["proposed"])
        percent = round(100 * float(row["score"] or 0))
        return texts.SETUP_MAP_ROW_PROPOSED.format(
            room=plain(room["name"] if room else row["proposed"]), percent=percent
        )
    return texts.SETUP_MAP_ROW_NONE


def _suggestions(
    index: int, row: dict[str, Any], rooms: dict[str, dict[str, Any]], taken: set[str]
) -> list[dict[str, Any]]:
    """Up to three of automap's ranked guesses for an unmapped row, each one click to choose.

    Calendar rooms chosen in another row are not offered (one calendar room, one pivot room).
    """
    offered = [s for s in row.get("suggestions", []) if s["email"] in rooms and s["email"] not in taken]
    buttons = [
        submit(
            texts.SETUP_MAP_SUGGESTION.format(
                room=rooms[s["email"]]["name"], percent=round(100 * float(s["score"]))
            ),
            {STEP_KEY: "mapping", "decision": "suggestion", "row": index, "email": s["email"]},
        )
        for s in offered[:MAX_SUGGESTIONS]
    ]
    if not buttons:
        return []
    return [paragraph(texts.SETUP_MAP_SUGGESTIONS, subtle=True), {"type": "ActionSet", "actions": buttons}]


def parse_suggestion(data: dict[str, Any], rows: int) -> tuple[str, str] | None:
    """The row index (as text) and e-mail of a clicked suggestion, or None if malformed."""
    row, email = data.get("row"), data.get("email")
    if isinstance(row, bool) or not isinstance(row, int) or not 0 <= row < rows:
        return None
    if not isinstance(email, str) or not email.strip():
        return None
    return str(row), email.strip().lower()


def mapping_card(
    plan: dict[str, Any],
    *,
    location_name: str,
    mode: str,
    selected: dict[str, str | None] | None = None,
    errors: list[str] | None = None,
) -> dict[str, Any]:
    """One row per pivot room with a choice of calendar room.

    `mode` is "review" (automap's pairs preselected; Yes / No), "manual"
    (nothing preselected; Save) or "edit" (the current mapping; Save).
    `selected` (row index → e-mail) re-shows what the admin submitted.
    """
    rooms = {r["email"]: r for r in plan["rooms"]}
    choices = [(texts.SETUP_NOT_MAPPED, NONE)] + [(_room_title(r), r["email"]) for r in plan["rooms"]]
    intro = {
        "review": texts.SETUP_MAP_REVIEW_BODY,
        "manual": texts.SETUP_MAP_MANUAL_BODY,
        "edit": texts.SETUP_MAP_EDIT_BODY,
    }[mode]
    body: list[dict[str, Any]] = [
        heading(texts.SETUP_STEP_TITLES["mapping"]),
        paragraph(intro.format(location=plain(location_name))),
        *_errors(errors),
    ]
    if not plan["rows"]:
        body.append(paragraph(texts.SETUP_MAP_NO_PIVOT_ROOMS.format(location=plain(location_name))))
    values: list[str | None] = []
    for index, row in enumerate(plan["rows"]):
        key = str(index)
        if selected is not None and key in selected:
            values.append(selected[key])
        elif mode == "manual":
            values.append(None)
        elif mode == "edit":
            values.append(row["current"])
        else:
            values.append(row["proposed"])
    used = {v for v in values if v}
    for index, (row, value) in enumerate(zip(plan["rows"], values, strict=True)):
        items = [
            {"type": "TextBlock", "text": plain(row["room_name"]), "weight": "Bolder", "wrap": True},
            paragraph(_row_note(row, rooms, mode == "manual"), subtle=True),
            choice_set(f"map_{index}", texts.SETUP_MAP_ROW_LABEL, choices, value or NONE),
        ]
        if mode == "review" and not value:
            items += _suggestions(index, row, rooms, used)
        body.append({"type": "Container", "separator": True, "items": items})
    if mode == "review":
        unpaired_rooms = [plain(r["name"]) for r in plan["rooms"] if r["email"] not in used]
        unpaired_pivot = [plain(r["room_name"]) for r in plan["rows"] if not r["proposed"]]
        if unpaired_pivot:
            body.append(paragraph(texts.SETUP_MAP_UNMATCHED_PIVOT.format(rooms=listing(unpaired_pivot))))
        if unpaired_rooms:
            body.append(
                paragraph(
                    texts.SETUP_MAP_UNMATCHED_CALENDAR.format(rooms=listing(unpaired_rooms)), subtle=True
                )
            )
        actions = [
            submit(texts.SETUP_MAP_YES, {STEP_KEY: "mapping", "decision": "yes"}, style="positive"),
            submit(texts.SETUP_MAP_NO, {STEP_KEY: "mapping", "decision": "no"}),
        ]
    else:
        actions = [submit(texts.SETUP_MAP_SAVE, {STEP_KEY: "mapping", "decision": "save"}, style="positive")]
    return card(body, actions)


def parse_mapping(data: dict[str, Any], rows: int) -> dict[str, str | None]:
    """Row index (as text) → chosen calendar e-mail or None; rows left out count as not mapped."""
    out: dict[str, str | None] = {}
    for index in range(rows):
        value = data.get(f"map_{index}")
        out[str(index)] = (
            value.strip().lower() if isinstance(value, str) and value.strip() not in ("", NONE) else None
        )
    return out


def mapping_saved_card(
    *, mapped: int, total: int, unreadable: list[tuple[str, str]], upn: str | None
) -> dict[str, Any]:
    """What was saved, and each mapped room the service account cannot read, with what to do."""
    body = [paragraph(texts.SETUP_MAP_SAVED.format(mapped=mapped, total=total))]
    for room_name, email in unreadable:
        body.append(
            note(
                texts.SETUP_ROOM_UNREADABLE.format(
                    room=plain(room_name), email=plain(email), upn=plain(upn) or texts.SETUP_THE_ACCOUNT
                ),
                "Warning",
            )
        )
    return card(body)


# ---- step 6: automated scheduling ----------------------------------------------------------------


def scheduling_card(location_name: str, current: bool | None) -> dict[str, Any]:
    body = [
        heading(texts.SETUP_STEP_TITLES["scheduling"]),
        paragraph(texts.SETUP_SCHEDULING_BODY.format(location=plain(location_name))),
        paragraph(texts.SETUP_SCHEDULING_OFF_NOTE, subtle=True),
    ]
    if current is not None:
        body.append(paragraph(texts.SETUP_SCHEDULING_NOW.format(state=texts.ON_OFF[current]), subtle=True))
    return card(
        body,
        [
            submit(
                texts.SETUP_SCHEDULING_YES, {STEP_KEY: "scheduling", "scheduling": "on"}, style="positive"
            ),
            submit(texts.SETUP_SCHEDULING_NO, {STEP_KEY: "scheduling", "scheduling": "off"}),
        ],
    )


# ---- step 7: service provider profile -------------------------------------------------------------


def _time(input_id: str, label: str, value: str | None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "Input.Time", "id": input_id, "label": label}
    if value and value != "24:00":
        block["value"] = value
    elif value == "24:00":
        block["value"] = "23:59"
    return block


def profile_card(
    *,
    location_name: str,
    values: dict[str, Any],
    providers: list[dict[str, str]],
    channels: list[dict[str, str]],
    errors: list[str] | None = None,
) -> dict[str, Any]:
    hours = values.get("business_hours") or {}
    escalation = values.get("escalation") or {}
    day_rows = []
    for day in WEEKDAYS:
        span = hours.get(day)
        opens, closes = (
            (span[0], span[1]) if isinstance(span, list | tuple) and len(span) == 2 else (None, None)
        )
        day_rows.append(
            {
                "type": "ColumnSet",
                "columns": [
                    {
                        "type": "Column",
                        "width": "auto",
                        "verticalContentAlignment": "Bottom",
                        "items": [{"type": "TextBlock", "text": texts.DAY_NAMES[day], "weight": "Bolder"}],
                    },
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [_time(f"open_{day}", texts.SETUP_OPENS, opens)],
                    },
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [_time(f"close_{day}", texts.SETUP_CLOSES, closes)],
                    },
                ],
            }
        )
    provider_choices = [(texts.SETUP_NO_PROVIDER, NONE)] + [(p["name"], p["id"]) for p in providers]
    channel_choices = [(texts.SETUP_NO_CHANNEL, NONE)] + [(c["name"], c["id"]) for c in channels]
    body: list[dict[str, Any]] = [
        heading(texts.SETUP_STEP_TITLES["profile"]),
        paragraph(texts.SETUP_PROFILE_BODY.format(location=plain(location_name))),
        *_errors(errors),
        choice_set(
            "service_provider_id",
            texts.SETUP_PROVIDER_LABEL,
            provider_choices,
            values.get("service_provider_id") or NONE,
        ),
        number_input("sla_hours", texts.SETUP_SLA_LABEL, values.get("sla_hours"), 0.25, 720),
        paragraph(texts.SETUP_HOURS_LABEL, subtle=False),
        paragraph(texts.SETUP_HOURS_NOTE, subtle=True),
        *day_rows,
        number_input("horizon_hours", texts.SETUP_HORIZON_LABEL, values.get("horizon_hours"), 1, 336),
        number_input(
            "min_window_minutes", texts.SETUP_MIN_WINDOW_LABEL, values.get("min_window_minutes"), 5, 1440
        ),
        number_input("slot_minutes", texts.SETUP_SLOT_LABEL, values.get("slot_minutes"), 15, 480),
        choice_set(
            "teams_channel", texts.SETUP_CHANNEL_LABEL, channel_choices, values.get("teams_channel") or NONE
        ),
        paragraph(texts.SETUP_ESCALATION_NOTE, subtle=True),
        *(
            number_input(key, texts.ESCALATION_FIELD_LABELS[key], escalation.get(key), 1, 10080)
            for key in ESCALATION_NUMBERS
        ),
        {
            "type": "Input.Toggle",
            "id": "book_room",
            "title": texts.SETUP_BOOK_ROOM_LABEL,
            "value": "true" if values.get("book_room") else "false",
            "valueOn": "true",
            "valueOff": "false",
        },
    ]
    if not channels:
        body.append(paragraph(texts.SETUP_NO_CHANNELS_NOTE, subtle=True))
    return card(body, [submit(texts.SETUP_PROFILE_SAVE, {STEP_KEY: "profile"}, style="positive")])


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str) and raw.strip():
        try:
            return float(raw.strip())
        except ValueError:
            return None
    return None


def _hhmm(raw: Any) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()[:5]
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(raw)
    if not (0 <= int(parts[0]) <= 23 and 0 <= int(parts[1]) <= 59):
        raise ValueError(raw)
    return text


def parse_profile(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The submitted profile as a `configure` location document, and problems to show."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    provider = data.get("service_provider_id")
    values["service_provider_id"] = (
        provider if isinstance(provider, str) and provider not in ("", NONE) else None
    )
    channel = data.get("teams_channel")
    values["teams_channel"] = channel if isinstance(channel, str) and channel not in ("", NONE) else None
    book = data.get("book_room")
    values["book_room"] = book is True or (isinstance(book, str) and book.strip().lower() == "true")
    for key in PROFILE_NUMBERS:
        raw = data.get(key)
        number = _number(raw)
        if number is None:
            if key == "sla_hours" and (raw is None or raw == ""):
                values[key] = None
                continue
            problems.append(texts.SETUP_BAD_NUMBER.format(field=texts.SETUP_FIELD_LABELS[key]))
            continue
        if key != "sla_hours":
            if number != int(number):
                problems.append(texts.SETUP_WHOLE_NUMBER.format(field=texts.SETUP_FIELD_LABELS[key]))
                continue
            values[key] = int(number)
        else:
            values[key] = int(number) if number == int(number) else number
    escalation: dict[str, int | None] = {}
    for key in ESCALATION_NUMBERS:
        raw = data.get(key)
        number = _number(raw)
        if number is None and (raw is None or raw == ""):
            escalation[key] = None  # left empty: the step is off
        elif number is None or number != int(number) or number < 1:
            problems.append(texts.SETUP_WHOLE_NUMBER.format(field=texts.ESCALATION_FIELD_LABELS[key]))
        else:
            escalation[key] = int(number)
    values["escalation"] = escalation
    hours: dict[str, list[str] | None] = {}
    for day in WEEKDAYS:
        try:
            opens, closes = _hhmm(data.get(f"open_{day}")), _hhmm(data.get(f"close_{day}"))
        except ValueError:
            problems.append(texts.SETUP_BAD_TIME.format(day=texts.DAY_NAMES[day]))
            continue
        if opens is None and closes is None:
            hours[day] = None
        elif opens is None or closes is None:
            problems.append(texts.SETUP_HALF_DAY.format(day=texts.DAY_NAMES[day]))
        elif closes <= opens:
            problems.append(texts.SETUP_CLOSE_BEFORE_OPEN.format(day=texts.DAY_NAMES[day]))
        else:
            hours[day] = [opens, "24:00" if closes == "23:59" else closes]
    values["business_hours"] = hours
    return values, problems


# ---- summary and keys ----------------------------------------------------------------------------


def summary_card(rows: list[tuple[str, str]], warnings: list[str]) -> dict[str, Any]:
    body = [heading(texts.SETUP_STEP_TITLES["summary"]), facts(rows)]
    body.extend(note(w, "Warning") for w in warnings)
    body.append(paragraph(texts.SETUP_SUMMARY_KEYS_NOTE, subtle=True))
    return card(
        body, [submit(texts.SETUP_FINISH, {STEP_KEY: "summary", "decision": "finish"}, style="positive")]
    )


def secrets_card(*, client_name: str, webhook_secret: str, api_key: str) -> dict[str, Any]:
    """Shown once: the values are never stored in plain text, nor shown again."""
    mono = {"fontType": "Monospace", "wrap": True}
    return card(
        [
            heading(texts.SECRETS_TITLE.format(client=client_name)),
            paragraph(texts.SECRETS_BODY),
            {"type": "TextBlock", "text": texts.SECRETS_WEBHOOK_LABEL, "weight": "Bolder"},
            {"type": "TextBlock", "text": webhook_secret, **mono},
            {"type": "TextBlock", "text": texts.SECRETS_API_KEY_LABEL, "weight": "Bolder"},
            {"type": "TextBlock", "text": api_key, **mono},
            note(texts.SECRETS_ONCE, "Attention"),
        ]
    )
