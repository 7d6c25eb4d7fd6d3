"""What a posted incident card needs from the store, so the Teams edge never runs a query.

A card is built for one copy: a user's 1:1 chat or a channel. It needs the incident as it
now stands, who Teams should refresh that copy for (`refresh.userIds`), the reader's role
(their actions) and whether the reader may release the claim (the Release button follows
the same rule as the release itself, `claim_rules.may_release`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from services.domain.claim_rules import may_release
from services.domain.incident_view import MAX_REFRESH_USERS, IncidentView
from services.incidents.view_builder import load_incident_view
from services.store.claim_models import Claim
from services.store.database import Database
from services.store.models import User
from services.store.notification_models import IdentityLink

# Bot and app ids in Teams start with "28:": never a person to refresh for.
BOT_ID_PREFIX = "28:"


@dataclass(frozen=True)
class CardReaders:
    """Who reads one posted copy: the reader's role (None for a channel or an unknown user)
    and the Teams user ids the copy refreshes for."""

    role: str | None
    refresh_ids: list[str]


class CardFacts:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def view(self, client_id: str, incident_id: str, *, fresh: bool = False) -> IncidentView | None:
        """The incident as every card and page shows it now; None when there is none. `fresh`
        for answers to a change (see `load_incident_view`)."""
        return await load_incident_view(self._db, client_id, incident_id, fresh=fresh)

    async def may_release(self, view: IncidentView, user_id: str | None) -> bool:
        """Whether this user may release the incident's current claim (to show the button)."""
        if user_id is None or view.claim is None:
            return False
        async with self._db.session() as session:
            user = await session.get(User, (view.client_id, user_id))
            claim = await session.scalar(
                select(Claim).where(
                    Claim.client_id == view.client_id,
                    Claim.incident_id == view.incident_id,
                    Claim.released_at.is_(None),
                )
            )
        if user is None or claim is None:
            return False
        return may_release(
            actor_user_id=user.id,
            actor_role=user.role,
            actor_email=user.email,
            claim_user_id=claim.user_id,
            claim_email=claim.claimer_email,
        )

    async def readers(
        self, client_id: str, reference: Mapping[str, Any], viewer_user_id: str | None
    ) -> CardReaders:
        """A 1:1 copy (`viewer_user_id`) refreshes for its reader (the chat's user and their
        linked Teams accounts); a channel copy for the client's linked users, oldest first."""
        ids: list[str] = []
        role: str | None = None
        async with self._db.session() as session:
            if viewer_user_id is not None:
                viewer = await session.get(User, (client_id, viewer_user_id))
                role = viewer.role if viewer is not None else None
                user_id = (reference.get("user") or {}).get("id")
                if isinstance(user_id, str) and user_id and not user_id.startswith(BOT_ID_PREFIX):
                    ids.append(user_id)
                query = select(IdentityLink.teams_user_id).where(
                    IdentityLink.client_id == client_id, IdentityLink.user_id == viewer_user_id
                )
            else:
                query = (
                    select(IdentityLink.teams_user_id)
                    .where(IdentityLink.client_id == client_id)
                    .order_by(IdentityLink.linked_at, IdentityLink.teams_user_id)
                    .limit(MAX_REFRESH_USERS)
                )
            ids.extend(await session.scalars(query))
        return CardReaders(role=role, refresh_ids=ids)
