"""GET /places/microsoft.graph.room: the tenant's room list, paged."""

from __future__ import annotations

from emulator.graph.access import require
from emulator.graph.core import (
    GraphContext,
    GraphResponse,
    apply_select,
    page,
    reject_unsupported_options,
    select_param,
)
from emulator.render import room_json
from emulator.scopes import READ_PLACES

DEFAULT_PAGE = 100


async def list_rooms(ctx: GraphContext) -> GraphResponse:
    """Every room mailbox as a microsoft.graph.room (needs Place.Read.All)."""
    reject_unsupported_options(ctx.request)
    require(ctx, READ_PLACES)
    items = [room_json(r) for r in ctx.tenant.rooms()]
    known = items[0] if items else {"id": None, "emailAddress": None, "displayName": None}
    fields = select_param(ctx.request, "room", known)
    items = [apply_select(i, fields, always=("id",)) for i in items]
    return page(ctx, items, context=ctx.metadata("places/microsoft.graph.room"), default_size=DEFAULT_PAGE)
