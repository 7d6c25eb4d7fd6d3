"""`setup` and `manage`: the guide's steps 3–7 as one conversation.

A small state machine on botbuilder-dialogs: the dialog's state (persisted in
the database with every turn) holds only JSON — the current step, the client,
the chosen calendar and location, and what the current card offered — so a
restart or a day's pause resumes at the same step. Each step sends a card
whose `Action.Submit` comes back to `continue_dialog`; a card from another
step is recognised and the current step shown again.

Step 3 completes outside the chat: the sign-in callback continues this
conversation proactively (`bot.admin_runtime.SignInContinuation`), which
delivers a `{"setup_event": "signed_in"}` value here.

`mode` "setup" walks every step; "manage" reopens one step and ends after it.
Each step's result is applied at once through `IntegrationConfigService`, so
a cancelled setup keeps what was done.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult
from botbuilder.schema import Activity, ActivityTypes

from cards.attachment import card_attachment
from cards.setup import (
    STEP_KEY,
    STEPS,
    calendar_card,
    mapping_card,
    mapping_saved_card,
    parse_mapping,
    parse_profile,
    parse_suggestion,
    profile_card,
    retry_card,
    scheduling_card,
    secrets_card,
    sign_in_card,
    summary_card,
)
from dialogs.activity_facts import reference_to_json
from services import texts
from services.container import Services
from services.domain.time_format import utc_clock
from services.errors import FieldProblem
from services.integration.health import integration_health
from services.m365.graph_errors import GraphError, ReconnectNeeded

log = logging.getLogger(__name__)

SETUP_DIALOG = "setup"
SIGNED_IN_EVENT = "signed_in"


def problem_lines(problems: list[FieldProblem]) -> list[str]:
    """Validation problems in words an admin can act on (the field's last part, then the message)."""
    out = []
    for problem in problems:
        name = problem.field.rsplit(".", 1)[-1]
        label = texts.SETUP_FIELD_LABELS.get(name, name)
        out.append(texts.SETUP_PROBLEM.format(field=label, message=problem.message))
    return out


def escalation_summary(steps: dict[str, int | None]) -> str:
    """ "remind the provider after 60 min, tell the admins never" (DESIGN 3.12)."""

    def after(minutes: int | None) -> str:
        return texts.ESCALATION_AFTER.format(minutes=minutes) if minutes else texts.ESCALATION_OFF

    return texts.ESCALATION_SUMMARY.format(
        remind=after(steps.get("remind_after_minutes")), client=after(steps.get("client_after_minutes"))
    )


def sign_in_context(turn_context: TurnContext, source: str) -> dict[str, Any]:
    """What the sign-in callback needs to come back to this conversation."""
    reference = TurnContext.get_conversation_reference(turn_context.activity)
    return {"source": source, "reference": reference_to_json(reference)}


def expiry_text(moment: datetime) -> str:
    return utc_clock(moment)


class SetupDialog(Dialog):
    def __init__(self, services: Services) -> None:
        super().__init__(SETUP_DIALOG)
        self._services = services
        self._setup = services.setup

    # ---- dialog protocol -----------------------------------------------------------------------

    async def begin_dialog(self, dialog_context: DialogContext, options: object = None) -> DialogTurnResult:
        opts = dict(options) if isinstance(options, dict) else {}
        state = dialog_context.active_dialog.state
        state.update(
            {
                "mode": opts.get("mode", "setup"),
                "client_id": opts["client_id"],
                "client_name": opts.get("client_name") or opts["client_id"],
                "tenant_id": opts.get("tenant_id"),
                "location_id": opts.get("location_id"),
                "calendar": None,
                "step": None,
                "data": {},
            }
        )
        return await self._enter(dialog_context, opts.get("step") or "signin")

    async def continue_dialog(self, dialog_context: DialogContext) -> DialogTurnResult:
        dc = dialog_context
        state = dc.active_dialog.state
        value = dc.context.activity.value if isinstance(dc.context.activity.value, dict) else None
        step = state["step"]
        if value is not None and value.get("setup_event") == SIGNED_IN_EVENT:
            if step != "signin":
                return Dialog.end_of_turn
            await self._say(dc, texts.SETUP_SIGNED_IN_AS.format(upn=value.get("upn") or "?"))
            return await self._advance(dc)
        if value is None or STEP_KEY not in value:
            return await self._typed(dc, (dc.context.activity.text or "").strip())
        if value.get(STEP_KEY) != step:
            await self._say(dc, texts.SETUP_STALE_CARD)
            return await self._enter(dc, step)
        if value.get("retry"):
            return await self._enter(dc, step)
        handler = {
            "signin": self._on_signin,
            "calendar": self._on_calendar,
            "mapping": self._on_mapping,
            "scheduling": self._on_scheduling,
            "profile": self._on_profile,
            "summary": self._on_summary,
        }[step]
        try:
            return await handler(dc, value)
        except ReconnectNeeded:
            await self._say(dc, texts.SETUP_SIGNIN_LOST)
            return await self._enter(dc, "signin")
        except GraphError as exc:
            log.warning("setup step failed step=%s error=%s", step, exc.code)
            await self._card(dc, retry_card(step))
            return Dialog.end_of_turn

    # ---- helpers ----------------------------------------------------------------------------------

    @staticmethod
    async def _say(dc: DialogContext, text: str) -> None:
        await dc.context.send_activity(MessageFactory.text(text))

    @staticmethod
    async def _card(dc: DialogContext, card: dict[str, Any]) -> None:
        await dc.context.send_activity(
            Activity(type=ActivityTypes.message, attachments=[card_attachment(card)])
        )

    async def _typed(self, dc: DialogContext, text: str) -> DialogTurnResult:
        state = dc.active_dialog.state
        if state["step"] == "signin":
            status = await self._services.identity.status(state["client_id"])
            since = state["data"].get("shown_at")
            if (
                status.connected
                and status.connected_at
                and since
                and status.connected_at > datetime.fromisoformat(since)
            ):
                await self._say(dc, texts.SETUP_SIGNED_IN_AS.format(upn=status.signed_in_upn or "?"))
                return await self._advance(dc)
        if text.lower() in ("setup", "manage"):
            return await self._enter(dc, state["step"])
        await self._say(dc, texts.SETUP_USE_CARD)
        return Dialog.end_of_turn

    async def _advance(self, dc: DialogContext) -> DialogTurnResult:
        state = dc.active_dialog.state
        if state["mode"] == "manage":
            await self._say(dc, texts.MANAGE_SAVED)
            return await dc.end_dialog()
        following = STEPS[STEPS.index(state["step"]) + 1]
        return await self._enter(dc, following)

    async def _enter(self, dc: DialogContext, step: str) -> DialogTurnResult:
        state = dc.active_dialog.state
        state["step"] = step
        shows = {
            "signin": self._show_signin,
            "calendar": self._show_calendar,
            "mapping": self._show_mapping,
            "scheduling": self._show_scheduling,
            "profile": self._show_profile,
            "summary": self._show_summary,
        }
        try:
            return await shows[step](dc)
        except ReconnectNeeded:
            if step == "signin":
                raise
            await self._say(dc, texts.SETUP_SIGNIN_LOST)
            return await self._enter(dc, "signin")
        except GraphError as exc:
            log.warning("setup could not prepare step=%s error=%s", step, exc.code)
            await self._card(dc, retry_card(step))
            return Dialog.end_of_turn

    def _location_name(self, state: dict[str, Any]) -> str:
        return str(state["data"].get("location_name") or state.get("location_id") or "")

    async def _need_location(self, dc: DialogContext) -> DialogTurnResult | None:
        """Steps 5–7 are per location: without one, step 4 comes first."""
        state = dc.active_dialog.state
        if state.get("location_id"):
            if not state["data"].get("location_name"):
                names = {loc["id"]: loc["name"] for loc in await self._setup.locations(state["client_id"])}
                state["data"]["location_name"] = names.get(state["location_id"], state["location_id"])
            return None
        return await self._enter(dc, "calendar")

    # ---- step 3 -----------------------------------------------------------------------------------

    async def _show_signin(self, dc: DialogContext) -> DialogTurnResult:
        state = dc.active_dialog.state
        link = await self._services.identity.start_sign_in(
            state["client_id"], sign_in_context(dc.context, "setup")
        )
        status = await self._services.identity.status(state["client_id"])
        health = await integration_health(self._services.db, state["client_id"])
        booking = [loc.name for loc in health.locations if loc.book_room] if health else []
        state["data"]["shown_at"] = datetime.now(UTC).isoformat()
        await self._card(
            dc,
            sign_in_card(
                link.url,
                client_name=state["client_name"],
                expires=expiry_text(link.expires_at),
                signed_in_upn=status.signed_in_upn if status.connected else None,
                booking_locations=booking,
                booking_waiting=bool(health and health.booking_waits_for_sign_in),
            ),
        )
        return Dialog.end_of_turn

    async def _on_signin(self, dc: DialogContext, value: dict[str, Any]) -> DialogTurnResult:
        status = await self._services.identity.status(dc.active_dialog.state["client_id"])
        if value.get("choice") == "continue" and status.connected:
            return await self._advance(dc)
        await self._say(dc, texts.SETUP_SIGNIN_FIRST)
        return await self._enter(dc, "signin")

    # ---- step 4 -----------------------------------------------------------------------------------

    async def _show_calendar(self, dc: DialogContext, errors: list[str] | None = None) -> DialogTurnResult:
        state = dc.active_dialog.state
        client_id = state["client_id"]
        status = await self._services.identity.status(client_id)
        if not status.connected:
            await self._say(dc, texts.SETUP_SIGNIN_FIRST)
            return await self._enter(dc, "signin")
        calendars = await self._setup.calendars(client_id, status.signed_in_upn)
        locations = await self._setup.locations(client_id)
        state["data"]["calendars"] = calendars
        state["data"]["locations"] = locations
        current = state.get("calendar") or await self._setup.current_calendar(client_id)
        location_id = state.get("location_id") or (locations[0]["id"] if len(locations) == 1 else None)
        await self._card(
            dc,
            calendar_card(
                calendars,
                locations,
                calendar_id=current["id"] if current else None,
                location_id=location_id,
                errors=errors,
            ),
        )
        return Dialog.end_of_turn

    async def _on_calendar(self, dc: DialogContext, value: dict[str, Any]) -> DialogTurnResult:
        state = dc.active_dialog.state
        calendars = {c["id"]: c for c in state["data"].get("calendars") or []}
        locations = {loc["id"]: loc for loc in state["data"].get("locations") or []}
        calendar = calendars.get(str(value.get("calendar") or ""))
        location = locations.get(str(value.get("location") or ""))
        if calendar is None or location is None:
            return await self._show_calendar(dc, [texts.SETUP_PICK_BOTH])
        outcome = await self._setup.save_calendar(state["client_id"], calendar["owner"], calendar["id"])
        if not outcome.ok:
            return await self._show_calendar(dc, problem_lines(outcome.problems))
        state["calendar"] = {"owner": calendar["owner"], "id": calendar["id"], "name": calendar["name"]}
        state["location_id"] = location["id"]
        state["data"]["location_name"] = location["name"]
        return await self._advance(dc)

    # ---- step 5 -----------------------------------------------------------------------------------

    async def _show_mapping(self, dc: DialogContext) -> DialogTurnResult:
        if (redirect := await self._need_location(dc)) is not None:
            return redirect
        state = dc.active_dialog.state
        calendar = state.get("calendar") or await self._setup.current_calendar(state["client_id"])
        plan = await self._setup.mapping_plan(state["client_id"], state["location_id"], calendar)
        state["data"]["plan"] = plan
        state["data"]["map_mode"] = "edit" if state["mode"] == "manage" else "review"
        await self._send_mapping(dc)
        return Dialog.end_of_turn

    async def _send_mapping(
        self,
        dc: DialogContext,
        selected: dict[str, str | None] | None = None,
        errors: list[str] | None = None,
    ) -> None:
        state = dc.active_dialog.state
        await self._card(
            dc,
            mapping_card(
                state["data"]["plan"],
                location_name=self._location_name(state),
                mode=state["data"]["map_mode"],
                selected=selected,
                errors=errors,
            ),
        )

    async def _on_mapping(self, dc: DialogContext, value: dict[str, Any]) -> DialogTurnResult:
        state = dc.active_dialog.state
        plan = state["data"].get("plan")
        if not plan:
            return await self._enter(dc, "mapping")
        if value.get("decision") == "no":
            state["data"]["map_mode"] = "manual"
            await self._send_mapping(dc)
            return Dialog.end_of_turn
        rows = plan["rows"]
        selected = parse_mapping(value, len(rows))
        if value.get("decision") == "suggestion":
            return await self._accept_suggestion(dc, value, selected)
        twice = [email for email, n in Counter(e for e in selected.values() if e).items() if n > 1]
        if twice:
            names = {r["email"]: r["name"] for r in plan["rooms"]}
            errors = [texts.SETUP_MAP_TWICE.format(room=names.get(email, email)) for email in sorted(twice)]
            await self._send_mapping(dc, selected, errors)
            return Dialog.end_of_turn
        room_map = {row["room_id"]: selected[str(i)] for i, row in enumerate(rows)}
        outcome, access = await self._setup.save_mapping(state["client_id"], room_map)
        if not outcome.ok:
            await self._send_mapping(dc, selected, problem_lines(outcome.problems))
            return Dialog.end_of_turn
        status = await self._services.identity.status(state["client_id"])
        unreadable = [
            (row["room_name"], email)
            for row, email in ((row, selected[str(i)]) for i, row in enumerate(rows))
            if email and email in access and access[email].readable is False
        ]
        mapped = sum(1 for e in selected.values() if e)
        await self._card(
            dc,
            mapping_saved_card(
                mapped=mapped, total=len(rows), unreadable=unreadable, upn=status.signed_in_upn
            ),
        )
        state["data"].pop("plan", None)  # the database has it now; keep the stored state small
        return await self._advance(dc)

    async def _accept_suggestion(
        self, dc: DialogContext, value: dict[str, Any], selected: dict[str, str | None]
    ) -> DialogTurnResult:
        """One click on a suggestion: choose it in its row and show the card again (not saved yet)."""
        state = dc.active_dialog.state
        plan = state["data"]["plan"]
        for index, row in enumerate(plan["rows"]):
            if f"map_{index}" not in value:  # a client that sent no inputs: keep what the card showed
                selected[str(index)] = (
                    row["current"] if state["data"]["map_mode"] == "edit" else row["proposed"]
                )
        choice = parse_suggestion(value, len(plan["rows"]))
        known = {r["email"].lower() for r in plan["rooms"]}
        if choice is not None and choice[1] in known:
            selected[choice[0]] = choice[1]
        await self._send_mapping(dc, selected)
        return Dialog.end_of_turn

    # ---- step 6 -----------------------------------------------------------------------------------

    async def _show_scheduling(self, dc: DialogContext) -> DialogTurnResult:
        if (redirect := await self._need_location(dc)) is not None:
            return redirect
        state = dc.active_dialog.state
        current = await self._services.integration.location_settings(state["client_id"], state["location_id"])
        await self._card(dc, scheduling_card(self._location_name(state), bool(current.get("scheduling"))))
        return Dialog.end_of_turn

    async def _on_scheduling(self, dc: DialogContext, value: dict[str, Any]) -> DialogTurnResult:
        state = dc.active_dialog.state
        choice = value.get("scheduling")
        if choice not in ("on", "off"):
            return await self._enter(dc, "scheduling")
        on = choice == "on"
        outcome = await self._setup.save_scheduling(state["client_id"], state["location_id"], on)
        if not outcome.ok:
            await self._say(dc, "\n".join(problem_lines(outcome.problems)))
            return await self._enter(dc, "scheduling")
        await self._say(dc, texts.SETUP_SCHEDULING_SAVED[on].format(location=self._location_name(state)))
        return await self._advance(dc)

    # ---- step 7 -----------------------------------------------------------------------------------

    async def _show_profile(
        self, dc: DialogContext, values: dict[str, Any] | None = None, errors: list[str] | None = None
    ) -> DialogTurnResult:
        if (redirect := await self._need_location(dc)) is not None:
            return redirect
        state = dc.active_dialog.state
        client_id, location_id = state["client_id"], state["location_id"]
        shown = values or await self._setup.profile_defaults(client_id, location_id)
        await self._card(
            dc,
            profile_card(
                location_name=self._location_name(state),
                values=shown,
                providers=await self._setup.providers(client_id, location_id),
                channels=await self._setup.channels(state.get("tenant_id")),
                errors=errors,
            ),
        )
        return Dialog.end_of_turn

    async def _on_profile(self, dc: DialogContext, value: dict[str, Any]) -> DialogTurnResult:
        state = dc.active_dialog.state
        values, problems = parse_profile(value)
        if problems:
            return await self._show_profile(dc, values, problems)
        outcome = await self._setup.save_profile(state["client_id"], state["location_id"], values)
        if not outcome.ok:
            return await self._show_profile(dc, values, problem_lines(outcome.problems))
        await self._say(dc, texts.SETUP_PROFILE_SAVED.format(location=self._location_name(state)))
        health = await integration_health(self._services.db, state["client_id"])
        waiting = [loc.name for loc in health.booking_waits_for_sign_in] if health else []
        if values.get("book_room") and waiting:
            await self._say(dc, texts.BOOKING_NEEDS_SIGN_IN.format(locations=", ".join(waiting)))
        return await self._advance(dc)

    # ---- summary ----------------------------------------------------------------------------------

    async def _show_summary(self, dc: DialogContext) -> DialogTurnResult:
        if (redirect := await self._need_location(dc)) is not None:
            return redirect
        state = dc.active_dialog.state
        health = await integration_health(self._services.db, state["client_id"])
        assert health is not None
        location = next((loc for loc in health.locations if loc.location_id == state["location_id"]), None)
        if location is None:  # the directory dropped it meanwhile
            state["location_id"] = None
            return await self._enter(dc, "calendar")
        calendar = state.get("calendar") or {}
        settings = await self._services.integration.location_settings(
            state["client_id"], state["location_id"]
        )
        rows = [
            (texts.STATUS_ACCOUNT, health.signed_in_upn or texts.STATUS_NOT_SIGNED_IN),
            (
                texts.SETUP_CALENDAR_LABEL,
                texts.SETUP_CALENDAR_CHOICE.format(
                    name=calendar.get("name") or health.calendar_id or texts.STATUS_NONE,
                    owner=health.calendar_owner or "?",
                ),
            ),
            (texts.SETUP_LOCATION_LABEL, location.name),
            (
                texts.STATUS_MAPPED,
                texts.STATUS_COUNT.format(count=len(location.mapped), total=len(location.rooms)),
            ),
            (texts.STATUS_SCHEDULING, texts.ON_OFF[location.scheduling]),
            (texts.STATUS_PROVIDER, location.service_provider or texts.STATUS_NONE),
            (
                texts.SETUP_SLA_LABEL,
                texts.SETUP_HOURS_VALUE.format(hours=settings["sla_hours"])
                if settings.get("sla_hours")
                else texts.STATUS_NONE,
            ),
            (texts.SETUP_HOURS_LABEL, hours_summary(settings.get("business_hours"))),
            (
                texts.SETUP_SLOTS_SUMMARY_LABEL,
                texts.SETUP_SLOTS_SUMMARY.format(
                    horizon=settings["horizon_hours"],
                    window=settings["min_window_minutes"],
                    slot=settings["slot_minutes"],
                ),
            ),
            (texts.STATUS_CHANNEL, location.teams_channel or texts.STATUS_NONE),
            (texts.ESCALATION_SUMMARY_LABEL, escalation_summary(settings.get("escalation") or {})),
            (texts.STATUS_BOOK_ROOM, texts.STATUS_BOOK_ROOM_VALUES[health.booking_state(location)]),
        ]
        warnings = []
        if health.booking_state(location) == "waiting":
            warnings.append(texts.BOOKING_NEEDS_SIGN_IN.format(locations=location.name))
        if location.unmapped:
            warnings.append(texts.SETUP_SUMMARY_UNMAPPED.format(count=len(location.unmapped)))
        if location.unreadable:
            warnings.append(
                texts.SETUP_SUMMARY_UNREADABLE.format(rooms=", ".join(r.name for r in location.unreadable))
            )
        await self._card(dc, summary_card(rows, warnings))
        return Dialog.end_of_turn

    async def _on_summary(self, dc: DialogContext, value: dict[str, Any]) -> DialogTurnResult:
        state = dc.active_dialog.state
        if value.get("decision") != "finish":
            return await self._enter(dc, "summary")
        issued = await self._setup.issue_secrets(state["client_id"])
        if issued is None:
            await self._say(dc, texts.SETUP_SECRETS_KEPT)
        else:
            await self._card(
                dc,
                secrets_card(
                    client_name=state["client_name"],
                    webhook_secret=issued.webhook_secret,
                    api_key=issued.api_key,
                ),
            )
        await self._say(dc, texts.SETUP_DONE)
        return await dc.end_dialog()


def hours_summary(hours: dict[str, Any] | None) -> str:
    """ "Mon 08:00–17:00, Tue …" (closed days left out)."""
    if not hours:
        return texts.SETUP_HOURS_DEFAULT
    parts = [
        f"{texts.DAY_NAMES[day][:3]} {span[0]}–{span[1]}"
        for day, span in hours.items()
        if isinstance(span, list | tuple) and len(span) == 2
    ]
    return ", ".join(parts) or texts.SETUP_HOURS_CLOSED


def setup_dialogs(services: Services) -> list[Dialog]:
    return [SetupDialog(services)]
