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

INCIDENT_CARD_TITLE = "Incident: {title}"
INCIDENT_CARD_PICK_SLOT = "Free slots in business hours (room's local time). Pick one to book it:"
INCIDENT_CARD_SHOW_ALL = "Show all {count} slots"
INCIDENT_NO_SLOTS = "There is no free slot in business hours in the next 48 hours."
INCIDENT_STATUS_LINES = {
    "no_slots": INCIDENT_NO_SLOTS,
    "notified": INCIDENT_NO_SLOTS,
    "calendar_unavailable": (
        "The room's calendar could not be read just now, so no slots are offered yet. "
        "I will try again and tell you when the slots are known."
    ),
    "unmapped_room": (
        "This room is not mapped to a calendar room yet, so I could not look for free slots. "
        "A client admin can map it with `manage`."
    ),
    "scheduling_off": "Automated Scheduling is off for this site, so no slots are offered.",
}
