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
    "Type **link** to connect it with a code sent to your pivot e-mail address, or ask your pivot admin "
    "to add your Microsoft 365 account to the directory."
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

MATCH_METHODS = {
    "aad": "Microsoft 365 account (AAD object id)",
    "email": "e-mail address",
    "code": "linked account (one-time code)",
}
ACTION_DONE = "Done."

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

PREFS_TITLE = "Your notification preferences"
PREFS_CHANNELS = "How should I reach you?"
PREFS_EMAIL = "E-mail"
PREFS_TEAMS = "Teams (a card in our 1:1 chat)"
PREFS_EVENTS = "About what?"
PREFS_EVENT_NEW = "New incidents and their free slots"
PREFS_EVENT_CLAIMED = "A slot was claimed"
PREFS_EVENT_RELEASED = "A claimed slot was released"
PREFS_SAVE = "Save"
PREFS_SAVED = "Saved. I'll use these from now on."
PREFS_BAD_INPUT = "I couldn't read those choices; nothing was changed. Please try again."

NOT_LINKED = (
    "I don't know who you are in pivot yet, so I can't show you incident data. "
    "Type **link** to connect your Teams account with a one-time code sent to your pivot e-mail address."
)
LINK_ASK_EMAIL = "What is the e-mail address pivot has for you?"
LINK_BAD_EMAIL = "That doesn't look like an e-mail address. Nothing was sent; type **link** to try again."
LINK_CODE_SENT = (
    "If that address is in the pivot directory, a 6-digit code is on its way to it (valid 10 minutes). "
    "Type the code here."
)
LINK_DONE = "Linked: you are {name} in pivot. Type **whoami** to check."
LINK_WRONG = "That code is not right. Type it again (5 attempts in all)."
LINK_EXPIRED = "That code has expired or was used up. Type **link** to get a new one."
LINK_EMAIL_SUBJECT = "Your pivot Scheduling link code"
LINK_EMAIL_BODY = (
    "Hello {name},\n\nYour code to link your Microsoft Teams account with pivot Scheduling is: {code}\n\n"
    "It expires in 10 minutes. If you did not ask for it, ignore this message."
)
