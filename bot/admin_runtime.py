"""The admin features' moving parts that need the Bot Framework edge.

- `SignInContinuation`: after an Office 365 sign-in completes (the browser hit
  `/auth/callback`), continue the admin's conversation proactively: the setup
  dialog waiting at step 3 moves on to step 4; otherwise the admin is told
  who is signed in.
- `AdminNotices`: the `admin.notice` job, posting what sync found (room
  changes, a lost sign-in with a fresh one-time link) into an admin's chat.
- `AdminRuntime`: builds these (the sync service comes from `Services`), and lists their jobs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter

from bot.proactive import RouteInactive, TeamsMessenger, TeamsPermanent, TeamsTransient
from cards.admin import reconnect_card, sync_report_card
from cards.common import card, heading, paragraph
from dialogs.activity_facts import reference_from_json
from dialogs.runner import DialogRunner
from dialogs.setup import SETUP_DIALOG, SIGNED_IN_EVENT, expiry_text
from services import texts
from services.container import Services
from services.integration.health import integration_health
from services.integration.sync import NOTICE_JOB, SyncService
from services.jobs import JobInfo, PermanentFailure, RetryLater
from services.m365.signin import SignInResult

log = logging.getLogger(__name__)


class SignInContinuation:
    """`IdentityService.on_signed_in` callback: carry on in the conversation the link came from."""

    def __init__(self, adapter: CloudAdapter, app_id: str, dialogs: DialogRunner) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._dialogs = dialogs

    async def __call__(self, result: SignInResult) -> None:
        data = result.context.get("reference")
        if not isinstance(data, dict):
            return  # e.g. `app.py connect`: nobody to tell in Teams
        reference = reference_from_json(data)

        async def turn(turn_context: TurnContext) -> None:
            dc = await self._dialogs.context(turn_context)
            active = dc.active_dialog
            if active is not None and active.id == SETUP_DIALOG and active.state.get("step") == "signin":
                turn_context.activity.value = {"setup_event": SIGNED_IN_EVENT, "upn": result.upn}
                await dc.continue_dialog()
            else:
                done = (
                    texts.RECONNECTED
                    if result.context.get("source") == "reconnect"
                    else texts.SETUP_SIGNED_IN_AS
                )
                await turn_context.send_activity(MessageFactory.text(done.format(upn=result.upn)))
            await self._dialogs.save(turn_context)

        await self._adapter.continue_conversation(reference, turn, self._app_id)
        log.info(
            "sign-in continued in Teams client=%s source=%s", result.client_id, result.context.get("source")
        )


class AdminNotices:
    """Posts sync findings to one admin conversation (one job per conversation)."""

    def __init__(self, services: Services, messenger: TeamsMessenger) -> None:
        self._services = services
        self._messenger = messenger

    async def handle(self, job: JobInfo) -> None:
        payload = job.payload
        client_id = str(payload["client_id"])
        reference: dict[str, Any] = payload["reference"]
        health = await integration_health(self._services.db, client_id)
        if health is None:
            raise PermanentFailure("client vanished")
        if payload["kind"] == "reconnect":
            notice = await self._reconnect_card(client_id, health.client_name, health.signed_in_upn, payload)
        else:
            notice = sync_report_card(
                payload["report"], client_name=health.client_name, upn=health.signed_in_upn
            )
        try:
            await self._messenger.post_card(reference, notice)
        except RouteInactive:
            await self._services.conversations.mark_inactive(str(payload["conversation_id"]))
            log.warning("admin notice undeliverable: conversation gone client=%s", client_id)
        except TeamsTransient as exc:
            delay = exc.retry_after if exc.retry_after is not None else min(300.0, 2.0**job.attempts)
            raise RetryLater(delay, "teams_transient") from None
        except TeamsPermanent as exc:
            raise PermanentFailure(str(exc)) from None

    async def _reconnect_card(
        self, client_id: str, client_name: str, upn: str | None, payload: dict[str, Any]
    ) -> dict[str, Any]:
        if payload.get("route") != "personal":
            # A sign-in link in a channel could be used by anyone there: ask for a 1:1 chat instead.
            return card(
                [
                    heading(texts.SETUP_RECONNECT_TITLE),
                    paragraph(
                        texts.RECONNECT_CHANNEL.format(client=client_name, upn=upn or texts.SETUP_THE_ACCOUNT)
                    ),
                ]
            )
        link = await self._services.identity.start_sign_in(
            client_id, {"source": "reconnect", "reference": payload["reference"]}
        )
        return reconnect_card(
            link.url, client_name=client_name, upn=upn, expires=expiry_text(link.expires_at)
        )


@dataclass
class AdminRuntime:
    sync: SyncService
    notices: AdminNotices
    continuation: SignInContinuation

    @classmethod
    def create(
        cls, services: Services, adapter: CloudAdapter, dialogs: DialogRunner, messenger: TeamsMessenger
    ) -> AdminRuntime:
        continuation = SignInContinuation(adapter, services.settings.MICROSOFT_APP_ID, dialogs)
        services.identity.on_signed_in(continuation)
        return cls(sync=services.sync, notices=AdminNotices(services, messenger), continuation=continuation)

    def job_handlers(self) -> dict[str, Any]:
        return {NOTICE_JOB: self.notices.handle}
