"""/users/{id}/calendars, /calendar, /calendars/{cid} and calendarView."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator.calendar_view import calendar_view
from emulator.graph.access import (
    calendar_of,
    check_calendar_read,
    is_self,
    mailbox,
    require,
)
from emulator.graph.core import (
    GraphContext,
    GraphError,
    GraphResponse,
    access_denied,
    apply_select,
    page,
    preferred_zone,
    reject_unsupported_options,
    select_param,
)
from emulator.render import CALENDAR_PROPERTIES, EVENT_PROPERTIES, calendar_json, event_json
from emulator.scopes import READ_OWN_CALENDARS, READ_SHARED_CALENDARS
from emulator.timezones import parse_query_instant

DEFAULT_PAGE = 10
ORDERABLE = {
    "start/datetime": ("start", "dateTime"),
    "end/datetime": ("end", "dateTime"),
    "subject": ("subject", None),
}


def _segment(user: str | None) -> str:
    return "me" if user is None else user


async def list_calendars(ctx: GraphContext, user: str | None = None) -> GraphResponse:
    """Own calendars plus those shared with us (own path), or another mailbox's
    calendars we can read (needs Calendars.Read.Shared)."""
    reject_unsupported_options(ctx.request)
    box = mailbox(ctx, user)
    me = ctx.principal.user
    if is_self(ctx, box):
        require(ctx, READ_OWN_CALENDARS)
        calendars = ctx.tenant.owned_calendars(box) + ctx.tenant.calendars_shared_to(box)
    else:
        require(ctx, READ_SHARED_CALENDARS)
        calendars = [c for c in ctx.tenant.owned_calendars(box) if ctx.tenant.calendar_readable_by(c, me)]
        if not calendars:
            raise access_denied()
    items = [calendar_json(c, ctx.tenant.mailboxes[c.owner], reader=me) for c in calendars]
    fields = select_param(ctx.request, "calendar", CALENDAR_PROPERTIES)
    items = [apply_select(i, fields, always=("id",)) for i in items]
    return page(
        ctx, items, context=ctx.metadata(f"users('{_segment(user)}')/calendars"), default_size=DEFAULT_PAGE
    )


async def get_calendar(
    ctx: GraphContext, user: str | None = None, calendar: str | None = None
) -> GraphResponse:
    """One calendar resource (default when no id)."""
    reject_unsupported_options(ctx.request)
    box = mailbox(ctx, user)
    found = calendar_of(ctx, box, calendar)
    check_calendar_read(ctx, found)
    item = calendar_json(found, ctx.tenant.mailboxes[found.owner], reader=ctx.principal.user)
    fields = select_param(ctx.request, "calendar", CALENDAR_PROPERTIES)
    return GraphResponse(
        200,
        {
            "@odata.context": ctx.metadata(f"users('{_segment(user)}')/calendars/$entity"),
            **apply_select(item, fields, always=("id",)),
        },
    )


def _window(ctx: GraphContext) -> tuple[datetime, datetime]:
    raw_start = ctx.request.param("startDateTime")
    raw_end = ctx.request.param("endDateTime")
    if not raw_start or not raw_end:
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "This request requires a time window "
            "specified by the query string parameters StartDateTime and "
            "EndDateTime.",
        )
    bounds = []
    for name, raw in (("StartDateTime", raw_start), ("EndDateTime", raw_end)):
        try:
            bounds.append(parse_query_instant(raw))
        except ValueError as exc:
            raise GraphError(
                400, "ErrorInvalidParameter", f"The value '{raw}' of parameter '{name}' is invalid."
            ) from exc
    return bounds[0], bounds[1]


def _order(items: list[dict[str, Any]], ctx: GraphContext) -> list[dict[str, Any]]:
    raw = ctx.request.param("$orderby")
    if raw is None:
        return items
    field, _, direction = raw.strip().partition(" ")
    key = ORDERABLE.get(field.lower())
    if key is None or direction.lower() not in ("", "asc", "desc"):
        raise GraphError(400, "BadRequest", f"The emulator cannot order events by '{raw}'.")
    outer, inner = key

    def value(item: dict[str, Any]) -> str:
        found = item.get(outer)
        return str(found.get(inner) if isinstance(found, dict) and inner else found or "")

    return sorted(items, key=value, reverse=direction.lower() == "desc")


async def get_calendar_view(
    ctx: GraphContext, user: str | None = None, calendar: str | None = None
) -> GraphResponse:
    """Events and expanded occurrences overlapping [startDateTime, endDateTime)."""
    reject_unsupported_options(ctx.request)
    start, end = _window(ctx)
    box = mailbox(ctx, user)
    found = calendar_of(ctx, box, calendar)
    check_calendar_read(ctx, found)
    fields = select_param(ctx.request, "event", EVENT_PROPERTIES)
    zone = preferred_zone(ctx)
    instances = calendar_view(ctx.tenant, found, start, end) if end > start else []
    where = "calendar" if calendar is None else f"calendars('{calendar}')"
    suffix = "" if fields is None else f"({','.join(fields)})"
    context = ctx.metadata(f"users('{_segment(user)}')/{where}/calendarView{suffix}")

    def render(item: Any) -> dict[str, Any]:
        rendered = item if isinstance(item, dict) else event_json(item, zone=zone)
        return apply_select(rendered, fields, always=("@odata.etag", "id"))

    if ctx.request.param("$orderby") is None:  # already sorted by start: render one page only
        return page(ctx, instances, context=context, default_size=DEFAULT_PAGE, render=render)
    items = _order([event_json(i, zone=zone) for i in instances], ctx)
    return page(ctx, items, context=context, default_size=DEFAULT_PAGE, render=render)
