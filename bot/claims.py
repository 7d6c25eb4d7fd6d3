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

from sqlalchemy import select

from bot.actions import ActionContext, ActionRegistry
from bot.proactive import RouteInactive, TeamsMessenger, TeamsPermanent, TeamsTransient
from cards.claim import MAX_REFRESH_USERS, REFRESH_ACTION, RELEASE_ACTION, live_card
from cards.common import card, paragraph
from cards.incident import CLAIM_ACTION
from services import texts
from services.claims import service as cl
from services.claims.effects import CARD_UPDATE_JOB
from services.directory.service import DirectoryUser
from services.domain.incident_view import IncidentView
from services.incidents.view_builder import load_incident_view
from services.jobs import Handler, JobInfo, RetryLater
from services.store.claim_models import Claim
from services.store.database import Database
from services.store.models import Client, ConversationRef, User
from services.store.notification_models import IdentityLink, Notification

log = logging.getLogger(__name__)


def register_claims(actions: ActionRegistry) -> None:
    @actions.action(CLAIM_ACTION)
    async def claim_slot(ctx: ActionContext) -> dict[str, Any] | None:
        target = _target(ctx.data, "slot_id")
        if target is None:
            return await _say(ctx, texts.CLAIM_BAD_BUTTON)
        client_id, incident_id, slot_id = target
        user = await _clicker(ctx, client_id)
        if user is None:
            return await _answer(ctx, client_id, incident_id, None, texts.CLAIM_NOT_LINKED)
        result = await ctx.services.claims.claim_as_user(
            client_id, incident_id, slot_id, user.id, teams_user_id=ctx.message.user.teams_id or None
        )
        view = await load_incident_view(ctx.services.db, client_id, incident_id)
        notice = claim_notice(result, view) if view is not None else texts.CLAIM_NO_INCIDENT
        return await _answer(ctx, client_id, incident_id, user, notice, good=result.ok, view=view)

    @actions.action(RELEASE_ACTION)
    async def release_slot(ctx: ActionContext) -> dict[str, Any] | None:
        target = _target(ctx.data)
        if target is None:
            return await _say(ctx, texts.CLAIM_BAD_BUTTON)
        client_id, incident_id, _ = target
        user = await _clicker(ctx, client_id)
        if user is None:
            return await _answer(ctx, client_id, incident_id, None, texts.NOT_LINKED)
        result = await ctx.services.claims.release_as_user(client_id, incident_id, user.id)
        if result.outcome == cl.RELEASE_OK:
            notice = texts.RELEASE_DONE
        elif result.outcome == cl.RELEASE_NOT_ALLOWED and result.claim is not None:
            notice = texts.RELEASE_NOT_ALLOWED.format(who=result.claim.who)
        else:
            notice = texts.RELEASE_NOT_CLAIMED
        return await _answer(ctx, client_id, incident_id, user, notice, good=result.ok)

    @actions.action(REFRESH_ACTION)
    async def refresh_incident(ctx: ActionContext) -> dict[str, Any] | None:
        """A viewer opened the card: show them its current state (Universal Actions refresh)."""
        target = _target(ctx.data)
        if target is None:
            return None
        client_id, incident_id, _ = target
        return await _answer(ctx, client_id, incident_id, await _clicker(ctx, client_id), None)


def claim_notice(result: cl.ClaimResult, view: IncidentView) -> str:
    """What the clicker is told, in one line."""
    claim = result.claim
    if result.ok:
        return texts.CLAIM_DONE
    if result.outcome == cl.CLAIM_TAKEN and claim is not None:
        when = cl.slot_when(claim.slot_start, claim.slot_end, view.zone)
        if result.claimant is not None and result.claimant.same_person(claim.user_id, claim.claimer_email):
            return texts.CLAIM_YOURS_ALREADY.format(when=when)
        return texts.CLAIM_TAKEN.format(who=claim.who, when=when)
    return {
        cl.CLAIM_NOT_ALLOWED: texts.CLAIM_NOT_ALLOWED.format(site=view.site_name or view.room_name),
        cl.CLAIM_SLOT_GONE: texts.CLAIM_SLOT_GONE,
        cl.CLAIM_NOT_OPEN: texts.CLAIM_NOT_OPEN,
        cl.CLAIM_STARTED: texts.CLAIM_STARTED,
        cl.CLAIM_JUST_BOOKED: texts.CLAIM_JUST_BOOKED,
        cl.CLAIM_UNVERIFIED: texts.CLAIM_UNVERIFIED,
        cl.CLAIM_NO_INCIDENT: texts.CLAIM_NO_INCIDENT,
    }.get(result.outcome, texts.CLAIM_NOT_OPEN)


def _target(data: dict[str, Any] | None, *extra: str) -> tuple[str, str, str] | None:
    values = data or {}
    keys = ("client_id", "incident_id", *extra)
    if not all(isinstance(values.get(k), str) and values.get(k) for k in keys):
        return None
    return values["client_id"], values["incident_id"], (values[extra[0]] if extra else "")


async def _clicker(ctx: ActionContext, client_id: str) -> DirectoryUser | None:
    users, _ = await ctx.replies.identify()
    return next((u for u in users if u.client_id == client_id), None)


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
    view = view or await load_incident_view(ctx.services.db, client_id, incident_id)
    if view is None:
        return await _say(ctx, texts.CLAIM_NO_INCIDENT)
    teams_id = ctx.message.user.teams_id
    answer = live_card(
        view,
        user_ids=[teams_id] if teams_id else [],
        can_release=user is not None and await may_release_now(ctx.services.db, view, user.id),
        notice=notice,
        good_news=good,
    )
    if not ctx.via_invoke:
        await ctx.replies.send_card(answer)
    return answer


async def may_release_now(db: Database, view: IncidentView, user_id: str | None) -> bool:
    """Whether this user would be allowed to release the incident's claim (to show the button)."""
    if user_id is None or view.claim is None:
        return False
    async with db.session() as session:
        user = await session.get(User, (view.client_id, user_id))
        claimer = await session.scalar(
            select(Claim.user_id).where(
                Claim.client_id == view.client_id,
                Claim.incident_id == view.incident_id,
                Claim.released_at.is_(None),
            )
        )
    return user is not None and (user.role == "client_admin" or claimer == user_id)


async def conversation_card(
    db: Database,
    view: IncidentView,
    reference: dict[str, Any],
    viewer_user_id: str | None,
    *,
    notice: str | None = None,
) -> dict[str, Any]:
    """The card for one posted copy: a user's 1:1 chat (`viewer_user_id`) or a channel (None).

    `refresh.userIds` lists who sees that copy, so Teams refreshes it for them automatically."""
    ids: list[str] = []
    async with db.session() as session:
        if viewer_user_id is not None:
            user_id = (reference.get("user") or {}).get("id")
            if isinstance(user_id, str) and user_id and not user_id.startswith("28:"):
                ids.append(user_id)
            query = select(IdentityLink.teams_user_id).where(
                IdentityLink.client_id == view.client_id, IdentityLink.user_id == viewer_user_id
            )
        else:
            query = (
                select(IdentityLink.teams_user_id)
                .where(IdentityLink.client_id == view.client_id)
                .order_by(IdentityLink.linked_at, IdentityLink.teams_user_id)
                .limit(MAX_REFRESH_USERS)
            )
        ids.extend(await session.scalars(query))
    return live_card(
        view, user_ids=ids, can_release=await may_release_now(db, view, viewer_user_id), notice=notice
    )


class ClaimCards:
    """`claims.card`: bring one posted copy of an incident card up to date, in place."""

    def __init__(self, db: Database, messenger: TeamsMessenger) -> None:
        self._db = db
        self._messenger = messenger

    def job_handlers(self) -> dict[str, Handler]:
        return {CARD_UPDATE_JOB: self.handle_update}

    async def handle_update(self, job: JobInfo) -> None:
        notification_id = int(job.payload["notification_id"])
        async with self._db.session() as session:
            row = await session.get(Notification, notification_id)
        if row is None or not row.activity_id or not row.conversation_id:
            return
        view = await load_incident_view(self._db, row.client_id, row.incident_id)
        if view is None:
            return
        reference = await self._reference(row)
        if reference is None:
            log.info("card not updated, no route notification=%s", notification_id)
            return
        card_now = await conversation_card(self._db, view, reference, row.recipient_user_id)
        try:
            await self._messenger.update_card(reference, row.activity_id, card_now)
        except TeamsTransient as exc:
            delay = exc.retry_after if exc.retry_after is not None else min(300.0, 2.0**job.attempts)
            raise RetryLater(delay, "teams_transient") from None
        except (RouteInactive, TeamsPermanent) as exc:
            # The message or the bot is gone there: nothing left to update.
            log.info("card not updated notification=%s reason=%s", notification_id, exc)
            return
        log.info("card updated notification=%s incident=%s", notification_id, row.incident_id)

    async def _reference(self, row: Notification) -> dict[str, Any] | None:
        """The stored reference of the card's conversation; for a 1:1 chat the bot opened
        itself (never stored), one built from any conversation of the client's tenant."""
        async with self._db.session() as session:
            stored = await session.get(ConversationRef, row.conversation_id)
            if stored is not None:
                return dict(stored.reference)
            client = await session.get(Client, row.client_id)
            tenant = client.tenant_id if client is not None else None
            other = await session.scalar(
                select(ConversationRef)
                .where(ConversationRef.tenant_id == tenant)
                .order_by(ConversationRef.updated_at.desc())
                .limit(1)
            )
        if other is None:
            return None
        reference = dict(other.reference)
        reference.pop("user", None)
        reference["conversation"] = {"id": row.conversation_id, "tenantId": tenant}
        return reference
