"""The small set of domain errors Microsoft Graph failures become.

Callers decide on these, never on HTTP codes: access denied and not found are
facts about the tenant; throttled and unavailable are transient; reconnect
needed means the service account's sign-in is gone and an admin must act.
"""

from __future__ import annotations

from services.errors import PivotError


class GraphError(PivotError):
    """Base of every Graph failure the product handles."""

    code = "graph_error"


class AccessDenied(GraphError):
    user_message = "The service account cannot read that calendar. Share it with the service account."
    code = "access_denied"


class MailboxNotFound(GraphError):
    """A mailbox or calendar Microsoft 365 does not know (not the product's `services.errors.NotFound`)."""

    user_message = "Microsoft 365 does not know that mailbox or calendar."
    code = "not_found"


class Throttled(GraphError):
    user_message = "Microsoft 365 is throttling requests; I will try again shortly."
    transient = True
    code = "throttled"

    def __init__(self, message: str = "throttled", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(GraphError):
    user_message = "Microsoft 365 is not answering right now; I will try again shortly."
    transient = True
    code = "unavailable"


class ReconnectNeeded(GraphError):
    user_message = "The Office 365 sign-in has expired or was revoked. A client admin must sign in again."
    code = "reconnect_needed"


class NotConnected(ReconnectNeeded):
    user_message = "Office 365 is not connected yet. A client admin must run setup (or `app.py connect`)."
    code = "not_connected"
