"""Who is calling and what they may read: bearer tokens, delegated scopes and the
calendar sharing rules."""

from __future__ import annotations

import jwt

from emulator.graph.core import GraphContext, GraphError, GraphRequest, Principal, access_denied
from emulator.model import Calendar, Mailbox, Tenant, TenantSet
from emulator.scopes import READ_OWN_CALENDARS, READ_SHARED_CALENDARS, allows, canonical
from emulator.state import EmulatorState
from emulator.tokens import TokenIssuer

EXPIRED = "Lifetime validation failed, the token is expired."


def _unauthorized(message: str, request: GraphRequest, tenant: Tenant) -> GraphError:
    challenge = (
        f'Bearer realm="", authorization_uri="{request.base_url}/{tenant.tenant_id}'
        '/oauth2/v2.0/authorize", client_id="00000003-0000-0000-c000-000000000000"'
    )
    return GraphError(401, "InvalidAuthenticationToken", message, headers={"WWW-Authenticate": challenge})


def authenticate(
    request: GraphRequest, tenants: TenantSet, state: EmulatorState, issuer: TokenIssuer
) -> Principal:
    """The principal behind the Authorization header, or a 401 like Graph's.

    The token's `tid` picks the tenant; everything the request reads is that
    tenant's (the 401 challenge names the primary tenant until the token is known).
    """
    tenant = tenants.primary
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise _unauthorized("Access token is empty.", request, tenant)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("Access token validation failure. Invalid scheme.", request, tenant)
    try:
        claims = issuer.decode_access_token(token.strip())
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorized(EXPIRED, request, tenant) from exc
    except jwt.InvalidAudienceError as exc:
        raise _unauthorized("Access token validation failure. Invalid audience.", request, tenant) from exc
    except jwt.PyJWTError as exc:
        raise _unauthorized(
            "Access token validation failure. Invalid signature or malformed token.", request, tenant
        ) from exc
    found_tenant = tenants.resolve(str(claims.get("tid") or "")) if claims.get("tid") else None
    if found_tenant is None or found_tenant.tenant_id != claims.get("tid"):
        raise _unauthorized("Access token validation failure. Invalid issuer or tenant.", request, tenant)
    tenant = found_tenant
    user = tenant.find(str(claims["oid"]))
    if user is None:
        raise _unauthorized("Access token validation failure. The user no longer exists.", request, tenant)
    if state.access_token_expired(user.upn, int(claims.get("emu_iat_ms", 0))):
        raise _unauthorized(EXPIRED, request, tenant)
    scopes = frozenset(canonical(s) for s in str(claims.get("scp", "")).split())
    return Principal(user=user, scopes=scopes, client_id=str(claims.get("appid", "")), tenant=tenant)


def require(ctx: GraphContext, needed: frozenset[str]) -> None:
    """403 ErrorAccessDenied unless a granted scope is one of `needed`."""
    if not allows(ctx.principal.scopes, needed):
        raise access_denied()


def mailbox(ctx: GraphContext, ref: str | None) -> Mailbox:
    """The mailbox a /users/{ref} or /me path names, or 404 ErrorInvalidUser."""
    if ref is None or ref.lower() == "me":
        return ctx.principal.user
    found = ctx.tenant.find(ref)
    if found is None:
        raise GraphError(404, "ErrorInvalidUser", f"The requested user '{ref}' is invalid.")
    return found


def is_self(ctx: GraphContext, box: Mailbox) -> bool:
    """True when `box` is the signed-in user's own mailbox."""
    return box.key == ctx.principal.user.key


def calendar_of(ctx: GraphContext, owner: Mailbox, calendar_id: str | None) -> Calendar:
    """The default or a named calendar reachable through `owner`'s path, or 404."""
    if calendar_id is None:
        return ctx.tenant.calendars[owner.default_calendar_id]
    calendar = ctx.tenant.calendars.get(calendar_id)
    reachable = calendar is not None and (
        calendar.owner == owner.key or (is_self(ctx, owner) and owner.key in calendar.shared_to)
    )
    if not reachable:
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    assert calendar is not None
    return calendar


def check_calendar_read(ctx: GraphContext, calendar: Calendar) -> None:
    """Scopes and sharing for reading a calendar's events."""
    if calendar.owner == ctx.principal.user.key:
        require(ctx, READ_OWN_CALENDARS)
        return
    require(ctx, READ_SHARED_CALENDARS)
    if not ctx.tenant.calendar_readable_by(calendar, ctx.principal.user):
        raise access_denied()


def can_see_mailbox(ctx: GraphContext, box: Mailbox) -> bool:
    """Sharing rule for another mailbox as a whole (its settings, its free/busy)."""
    reader = ctx.principal.user
    if box.key == reader.key:
        return True
    if box.kind == "room":
        return ctx.tenant.room_readable_by(box, reader)
    return any(c.owner == box.key for c in ctx.tenant.calendars_shared_to(reader))
