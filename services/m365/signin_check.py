"""Is a client's Office 365 sign-in still alive? (sync asks every run)

Graph keeps accepting an access token until it expires, up to an hour after
the sign-in was revoked; only the token endpoint knows at once. Asking
`IdentityService` to treat the current token as rejected forces one refresh
with the stored refresh token, which fails (and flags the integration for
reconnect) when the sign-in was revoked or has expired.
"""

from __future__ import annotations

from services.m365.signin import IdentityService


async def verify_sign_in(identity: IdentityService, client_id: str) -> None:
    """Raise `ReconnectNeeded` (or `NotConnected`) when only a new sign-in can help."""
    token = await identity.access_token(client_id)
    await identity.access_token(client_id, rejected=token)
