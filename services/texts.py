"""Every user-facing string, in one place (wording, tone and later translation)."""

from __future__ import annotations

PRODUCT_NAME = "pivot Scheduling"

TURN_ERROR = (
    "Sorry, something went wrong on our side. Please try again; if it keeps happening, tell your pivot admin."
)
UNKNOWN_COMMAND = "I didn't recognise that. Here is what I can do:"
HELP_TITLE = "pivot Scheduling — commands"
HELP_FOOTER = "Type a command exactly as shown (case does not matter)."
CANCELLED = "Cancelled. Nothing was changed."
NOTHING_TO_CANCEL = "There is nothing to cancel."

WELCOME_TITLE = "Welcome to pivot Scheduling"
WELCOME_BODY = (
    "When a meeting room's equipment fails, pivot raises an incident. I read the room's "
    "calendar, find the free slots in business hours over the next 48 hours, and tell the "
    "right people here in Teams and by e-mail, so a service provider can claim a slot in one click."
)
WELCOME_NEXT_ADMIN = "Client admins: type **setup** to connect your Office 365 room calendar."
WELCOME_NEXT = "Type **help** to see what I can do, or **whoami** to see how I know you."

WHOAMI_UNKNOWN = (
    "I can't match your Teams account to anyone in your pivot directory yet. "
    "Ask your pivot admin to add your Microsoft 365 account (or e-mail address) to the directory."
)
WHOAMI_TITLE = "Who you are in pivot"
WHOAMI_LINE = "{name} — {role} at {client}"
WHOAMI_MATCHED_BY = "Matched by your {method}."

ROLE_LABELS = {
    "client_admin": "Client admin",
    "client_user": "Client user",
    "service_provider": "Service provider",
    "subcontractor": "Subcontractor",
}

MATCH_METHODS = {"aad": "Microsoft 365 account (AAD object id)", "email": "e-mail address"}
