"""/me, /users/{id|upn} and /users/{id}/mailboxSettings."""

from __future__ import annotations

from emulator.graph.access import can_see_mailbox, is_self, mailbox, require
from emulator.graph.core import (
    GraphContext,
    GraphError,
    GraphResponse,
    access_denied,
    apply_select,
    reject_unsupported_options,
    select_param,
)
from emulator.render import mailbox_settings_json, user_json
from emulator.scopes import (
    READ_OTHER_MAILBOX_SETTINGS,
    READ_OTHER_USERS,
    READ_OWN_MAILBOX_SETTINGS,
    READ_SELF,
)


async def get_user(ctx: GraphContext, user: str | None = None) -> GraphResponse:
    """A user (or room mailbox) resource; others need User.ReadBasic.All or broader."""
    reject_unsupported_options(ctx.request)
    if user is None or user.lower() == "me":
        target = ctx.principal.user
    else:
        found = ctx.tenant.find(user)
        if found is None:
            raise GraphError(
                404,
                "Request_ResourceNotFound",
                f"Resource '{user}' does not exist or one of its queried "
                "reference-property objects are not present.",
            )
        target = found
    require(ctx, READ_SELF if is_self(ctx, target) else READ_OTHER_USERS)
    item = user_json(target)
    fields = select_param(ctx.request, "user", item)
    context = "users/$entity" if fields is None else f"users({','.join(fields)})/$entity"
    return GraphResponse(200, {"@odata.context": ctx.metadata(context), **apply_select(item, fields)})


async def get_mailbox_settings(ctx: GraphContext, user: str | None = None) -> GraphResponse:
    """Mailbox settings: own with MailboxSettings.Read or a calendar scope; a room's
    (or a sharer's) with a calendar read scope, when its calendar is shared with us."""
    reject_unsupported_options(ctx.request)
    box = mailbox(ctx, user)
    if is_self(ctx, box):
        require(ctx, READ_OWN_MAILBOX_SETTINGS)
    else:
        require(ctx, READ_OTHER_MAILBOX_SETTINGS)
        if not can_see_mailbox(ctx, box):
            raise access_denied()
    item = mailbox_settings_json(box)
    fields = select_param(ctx.request, "mailboxSettings", item)
    segment = "me" if user is None or user.lower() == "me" else user
    return GraphResponse(
        200,
        {
            "@odata.context": ctx.metadata(f"users('{segment}')/mailboxSettings"),
            **apply_select(item, fields),
        },
    )
