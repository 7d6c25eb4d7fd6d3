"""Teams side of claiming: the slot, release and refresh buttons, and card updates.

A slot button (`claim_slot`, Action.Execute or its Action.Submit fallback)
claims for the clicker, identified like every command (AAD id, e-mail, or a
linked account). The answer — the invoke response, so within Teams' budget —
is the incident card as it now stands for that person, with one line saying
what happened. Everything slow (the other copies of the card, e-mail) is a
durable job: `claims.card` updates one posted card in place, paced and
retried like every proactive call.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.actions import ActionContext, ActionRegistry, not_for_you
from bot.proactive import RouteInactive, TeamsMessenger, TeamsPermanent, TeamsTransient
from cards.claim import REFRESH_ACTION, RELEASE_ACTION, live_card
from cards.common import card, paragraph, plain
from cards.incident import CLAIM_ACTION
from services import texts
from services.claims import service as cl
from services.claims.effects import CARD_UPDATE_JOB
from services.directory.service import DirectoryUser
from services.domain.incident_view import AUDIENCE_CHANNEL, IncidentView, audience_for_role
from services.domain.time_format import style_for
from services.jobs import Handler, JobInfo, RetryLater
from services.notify.card_facts import CardFacts
from services.notify.teams_routes import TeamsRoutes

log = logging.getLogger(__name__)


def register_claims(actions: ActionRegistry) -> None:
    @actions.action(CLAIM_ACTION)
    async def claim_slot(ctx: ActionContext) -> dict[str, Any] | None:
        target = _target(ctx.data, "slot_id")
        if target is None:
            return await _say(ctx, texts.CLAIM_BAD_BUTTON)
        client_id, incident_id, slot_id = target
        user = await _viewer(ctx, client_id, incident_id)
        if user is None:
            return await not_for_you(ctx)
        result = await ctx.services.claims.claim_as_user(
            client_id, incident_id, slot_id, user.id, teams_user_id=ctx.message.user.teams_id or None
        )
        view = await ctx.services.cards.view(client_id, incident_id, fresh=True)
        notice = claim_notice(result, view) if view is not None else texts.CLAIM_NO_INCIDENT
        return await _answer(ctx, client_id, incident_id, user, notice, good=result.ok, view=view)

    @actions.action(RELEASE_ACTION)
    async def release_slot(ctx: ActionContext) -> dict[str, Any] | None:
        target = _target(ctx.data)
        if target is None:
            return await _say(ctx, texts.CLAIM_BAD_BUTTON)
        client_id, incident_id, _ = target
        user = await _viewer(ctx, client_id, incident_id)
        if user is None:
            return await not_for_you(ctx)
        result = await ctx.services.claims.release_as_user(client_id, incident_id, user.id)
        if result.outcome == cl.RELEASE_OK:
            notice = texts.RELEASE_DONE
        elif result.outcome == cl.RELEASE_NOT_ALLOWED and result.claim is not None:
            notice = texts.RELEASE_NOT_ALLOWED.format(who=plain(result.claim.who))
        else:
            notice = texts.RELEASE_NOT_CLAIMED
        return await _answer(ctx, client_id, incident_id, user, notice, good=result.ok)

    @actions.action(REFRESH_ACTION)
    async def refresh_incident(ctx: ActionContext) -> dict[str, Any] | None:
        """A viewer opened the card: show them its current state (Universal Actions refresh)."""
        target = _target(ctx.data)
        if target is None:
            return await not_for_you(ctx)
        client_id, incident_id, _ = target
        user = await _viewer(ctx, client_id, incident_id)
        if user is None:
            return await not_for_you(ctx)
        return await _answer(ctx, client_id, incident_id, user, None)


def claim_notice(result: cl.ClaimResult, view: IncidentView) -> str:
    """What the clicker is told, in one line."""
    claim = result.claim
    if result.ok:
        return texts.CLAIM_DONE
    if result.outcome == cl.CLAIM_TAKEN and claim is not None:
        when = cl.slot_when(claim.slot_start, claim.slot_end, view.zone)
        if result.claimant is not None and result.claimant.same_person(claim.user_id, claim.claimer_email):
            return texts.CLAIM_YOURS_ALREADY.format(when=when)
        return texts.CLAIM_TAKEN.format(who=plain(claim.who), when=when)
    return {
        cl.CLAIM_NOT_ALLOWED: texts.CLAIM_NOT_ALLOWED.format(site=plain(view.site_name or view.room_name)),
        cl.CLAIM_SLOT_GONE: texts.CLAIM_SLOT_GONE,
        cl.CLAIM_NOT_OPEN: texts.CLAIM_NOT_OPEN,
        cl.CLAIM_STARTED: texts.CLAIM_STARTED,
        cl.CLAIM_JUST_BOOKED: texts.CLAIM_JUST_BOOKED,
        cl.CLAIM_UNVERIFIED: texts.CLAIM_UNVERIFIED,
        cl.CLAIM_CHECKING: texts.CLAIM_CHECKING,
        cl.CLAIM_NO_INCIDENT: texts.CLAIM_NO_INCIDENT,
        cl.CLAIM_RESOLVED: texts.CLAIM_RESOLVED,
    }.get(result.outcome, texts.CLAIM_NOT_OPEN)


def _target(data: dict[str, Any] | None, *extra: str) -> tuple[str, str, str] | None:
    values = data or {}
    keys = ("client_id", "incident_id", *extra)
    if not all(isinstance(values.get(k), str) and values.get(k) for k in keys):
        return None
    return values["client_id"], values["incident_id"], (values[extra[0]] if extra else "")


async def _viewer(ctx: ActionContext, client_id: str, incident_id: str) -> DirectoryUser | None:
    """The clicker, when an identified user of the client who may see the incident; checked
    before anything of the incident is read (DESIGN 3.4)."""
    users, _ = await ctx.replies.identify()
    user = next((u for u in users if u.client_id == client_id), None)
    if user is None:
        return None
    allowed = await ctx.services.claims.may_view(
        client_id, incident_id, role=user.role, service_provider_id=user.service_provider_id
    )
    return user if allowed else None


async def _say(ctx: ActionContext, text: str) -> dict[str, Any] | None:
    if ctx.via_invoke:
        return card([paragraph(text)])
    await ctx.replies.say(text)
    return None


async def _answer(
    ctx: ActionContext,
    client_id: str,
    incident_id: str,
    user: DirectoryUser | None,
    notice: str | None,
    *,
    good: bool = False,
    view: IncidentView | None = None,
) -> dict[str, Any] | None:
    """The current card for this clicker (the invoke's answer; a new message for Action.Submit)."""
    view = view or await ctx.services.cards.view(client_id, incident_id, fresh=True)
    if view is None:
        return await _say(ctx, texts.CLAIM_NO_INCIDENT)
    teams_id = ctx.message.user.teams_id
    answer = live_card(
        view,
        user_ids=[teams_id] if teams_id else [],
        can_release=user is not None and await ctx.services.cards.may_release(view, user.id),
        notice=notice,
        good_news=good,
        # the clicker's own view: their role's actions, their locale's times
        audience=audience_for_role(user.role) if user is not None else AUDIENCE_CHANNEL,
        style=style_for(ctx.message.locale),
    )
    if not ctx.via_invoke:
        await ctx.replies.send_card(answer)
    return answer


async def conversation_card(
    facts: CardFacts,
    view: IncidentView,
    reference: dict[str, Any],
    viewer_user_id: str | None,
    *,
    notice: str | None = None,
) -> dict[str, Any]:
    """The card for one posted copy: a user's 1:1 chat (`viewer_user_id`) or a channel (None).

    `refresh.userIds` lists who sees that copy, so Teams refreshes it for them automatically.
    A 1:1 copy is built for its reader's role; a channel copy offers the buttons to all
    (each viewer's refresh gets their own view back). A 1:1 copy's times follow the
    locale Teams reported for that chat, when it did."""
    readers = await facts.readers(view.client_id, reference, viewer_user_id)
    # A 1:1 chat's locale is its reader's; a channel's (whoever installed the bot) is not
    # everyone's: there the house style, and each viewer's refresh brings their own.
    locale = reference.get("locale") if viewer_user_id is not None else None
    return live_card(
        view,
        user_ids=readers.refresh_ids,
        can_release=await facts.may_release(view, viewer_user_id),
        audience=audience_for_role(readers.role or "unknown")
        if viewer_user_id is not None
        else AUDIENCE_CHANNEL,
        style=style_for(locale if isinstance(locale, str) else None),
        notice=notice,
    )


class ClaimCards:
    """`claims.card`: bring one posted copy of an incident card up to date, in place."""

    def __init__(self, facts: CardFacts, routes: TeamsRoutes, messenger: TeamsMessenger) -> None:
        self._facts = facts
        self._routes = routes
        self._messenger = messenger

    def job_handlers(self) -> dict[str, Handler]:
        return {CARD_UPDATE_JOB: self.handle_update}

    async def handle_update(self, job: JobInfo) -> None:
        notification_id = int(job.payload["notification_id"])
        row = await self._routes.notification(notification_id)
        if row is None or not row.activity_id or not row.conversation_id:
            return
        view = await self._facts.view(row.client_id, row.incident_id, fresh=True)
        if view is None:
            return
        reference = await self._routes.card_reference(row)
        if reference is None:
            log.info("card not updated, no route notification=%s", notification_id)
            await self._routes.mark_card_notices(row, "failed", reason="no Teams route to the card")
            return
        card_now = await conversation_card(self._facts, view, reference, row.recipient_user_id)
        try:
            await self._messenger.update_card(reference, row.activity_id, card_now)
        except TeamsTransient as exc:
            delay = exc.retry_after if exc.retry_after is not None else min(300.0, 2.0**job.attempts)
            raise RetryLater(delay, "teams_transient") from None
        except (RouteInactive, TeamsPermanent) as exc:
            # The message or the bot is gone there: nothing left to update.
            log.info("card not updated notification=%s reason=%s", notification_id, type(exc).__name__)
            await self._routes.mark_card_notices(row, "failed", reason="the card could not be updated")
            return
        await self._routes.mark_card_notices(row, "sent")
        log.info("card updated notification=%s incident=%s", notification_id, row.incident_id)
