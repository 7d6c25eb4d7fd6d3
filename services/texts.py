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
CARD_NOT_FOR_YOU = "This card isn't for you."
# The sign-in pages (`/auth/...`) and why a sign-in link cannot go on.
SIGNIN_NOT_COMPLETED = "The sign-in could not be completed. Ask the bot for a new sign-in link."
SIGNIN_LINK_UNKNOWN = "This sign-in link is not valid. Ask the bot for a new sign-in link."
SIGNIN_LINK_EXPIRED = "This sign-in link has expired (links last 10 minutes). Ask the bot for a new one."
SIGNIN_LINK_USED = (
    "This sign-in link was already used. Ask the bot for a new one if you need to sign in again."
)
SIGNIN_CANCELLED = (
    "The sign-in was cancelled or the permissions were not granted. Open the sign-in link again to retry."
)
SIGNIN_REFUSED = "Microsoft 365 did not complete the sign-in. Open the sign-in link again to retry."
SIGNIN_PAGE_UNKNOWN_TITLE = "Sign-in link not valid"
SIGNIN_PAGE_EXPIRED_TITLE = "Sign-in link expired"
SIGNIN_PAGE_USED_TITLE = "Sign-in link already used"
SIGNIN_PAGE_FAILED_TITLE = "Sign-in did not complete"
SIGNIN_PAGE_UNREACHABLE_TITLE = "Microsoft 365 is not reachable"
SIGNIN_PAGE_UNREACHABLE = (
    "Microsoft 365 sign-in is not reachable right now. Please try the same link again in a few minutes."
)
SIGNIN_PAGE_ERROR_TITLE = "Something went wrong"
SIGNIN_PAGE_ERROR = (
    "The sign-in could not be completed. Please try again; if it keeps failing, "
    "give your administrator this reference: {reference}."
)
SIGNIN_PAGE_INCOMPLETE_TITLE = "Sign-in link incomplete"
SIGNIN_PAGE_INCOMPLETE = "This address is missing its sign-in code. Use the full link."
SIGNIN_PAGE_NOT_SET_UP_TITLE = "Sign-in is not set up"
SIGNIN_PAGE_NOT_SET_UP = "Office 365 sign-in is not configured on this server yet."
SIGNIN_PAGE_DONE_TITLE = "Signed in"
SIGNIN_PAGE_DONE = "Signed in as {upn} — you can close this window and return to Teams."
# The demo's mail viewer (`/dev/mail`).
DEV_MAIL_TITLE = "Demo mail"
DEV_MAIL_EMPTY = "No mail yet."
SIGNIN_WRONG_TENANT_TITLE = "Account of another organization"
SIGNIN_WRONG_TENANT = (
    "Not connected: {account} belongs to another Microsoft 365 organization than {client}'s, so nothing was "
    "stored. Open the sign-in link again and sign in with an account of {client} (its service account)."
)
SIGNIN_ACCOUNT_OF_TENANT = "the account you signed in with (of organization {tenant})"

INCIDENT_CARD_TITLE = "Incident: {title}"
INCIDENT_CARD_PICK_SLOT = "Free slots in business hours (room's local time). Pick one to book it:"
INCIDENT_CARD_SHOW_ALL = "Show all {count} slots"
INCIDENT_CARD_LATER_SLOTS = "Later slots (room's local time, {zone})"
INCIDENT_CARD_CHOOSE_SLOT = "Choose a slot."
INCIDENT_CARD_BOOK_CHOSEN = "Book this slot"
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
    "resolved": "This incident was resolved, so no visit is needed.",
}
INCIDENT_THROTTLED = (
    "Microsoft 365 asked me to wait before reading the room's calendar again, so no slots are offered "
    "yet. The calendar is being retried as soon as Microsoft 365 allows; I will tell you when the slots "
    "are known."
)


def incident_status_line(status: str, reason: str | None) -> str:
    """The line a card or e-mail without slots shows for the incident's status."""
    if status == "calendar_unavailable" and reason == "throttled":
        return INCIDENT_THROTTLED
    return INCIDENT_STATUS_LINES.get(status, INCIDENT_NO_SLOTS)


INCIDENT_SLOTS_ALL_STARTED = "All the free slots found for this incident have already started."
INCIDENT_WAITING = "Waiting for {provider} to choose a slot."
INCIDENT_WAITING_BY = "Waiting for {provider} to choose a slot, respond by {deadline}."
INCIDENT_SOME_PROVIDER = "the service provider"
INCIDENT_RESOLVED_LINE = "Resolved: no visit is needed any more."
INCIDENT_PICTURE_TITLE = "The room's next 48 hours"
INCIDENT_PICTURE_ALT = "Availability of {room}, {start} to {end}. {free}"
INCIDENT_PICTURE_ALT_FREE = "Free in business hours: {spans}."
INCIDENT_PICTURE_ALT_NONE = "No free time in business hours."
INCIDENT_PICTURE_ALT_CLAIMED = "Claimed: {span}."
INCIDENT_PICTURE_ALT_DEADLINE = "Respond by {deadline}."
INCIDENT_PICTURE_LEGEND = (
    ("busy", "Busy"),
    ("free", "Free"),
    ("slot", "Slot"),
    ("claimed", "Claimed"),
    ("closed", "Closed"),
)
INCIDENT_PICTURE_TRIGGER = "Incident"
INCIDENT_PICTURE_DEADLINE = "SLA"

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
LINK_LIMITED = (
    "Too many link codes were asked for this account or address in the last hour, so I sent no new one. "
    "Try **link** again after {time} UTC."
)
LINK_MAIL_UNAVAILABLE = (
    "I can't send e-mail here yet, so I can't send you a link code. Ask your pivot admin to add your "
    "Microsoft 365 account to the directory."
)
LINK_DONE = "Linked: you are {name} in pivot. Type **whoami** to check."
LINK_WRONG = "That code is not right. Type it again (5 attempts in all)."
LINK_EXPIRED = "That code has expired or was used up. Type **link** to get a new one."
LINK_EMAIL_SUBJECT = "Your pivot Scheduling link code"
LINK_EMAIL_BODY = (
    "Hello {name},\n\nYour code to link your Microsoft Teams account with pivot Scheduling is: {code}\n\n"
    "It expires in 10 minutes. If you did not ask for it, ignore this message."
)

# ---- setup wizard, manage, status, rotate-secrets, sync reports (admin features) -------------------

SETUP_PROVIDER_REFUSED = (
    "The Microsoft Teams integration is a client-level integration; it is not possible from a "
    "Service Provider or Subcontractor account."
)
SETUP_ADMIN_ONLY = (
    "Only a client admin can set up or manage the Office 365 integration. Ask your organisation's "
    "pivot admin to do it (pivot account with Admin permission)."
)
SETUP_PERSONAL_ONLY = (
    "Let's do this in our 1:1 chat: it shows sign-in links and keys meant only for you. "
    "Open a chat with me and type the command there."
)
SETUP_STEP_TITLES = {
    "signin": "Step 3 of 7 · Sign in to Office 365",
    "calendar": "Step 4 of 7 · Select the room booking calendar",
    "mapping": "Step 5 of 7 · Calendar room automapping",
    "scheduling": "Step 6 of 7 · Automated Scheduling",
    "profile": "Step 7 of 7 · Service provider profile",
    "summary": "Summary",
}
SETUP_SIGNIN_BODY = (
    "Sign in with the Office 365 service account you created for pivot (guide step 1, e.g. "
    "pivot@your-domain) to connect {client}. Use a private browser window so your own Microsoft account "
    "is not used by mistake, and approve the permissions it asks for (read calendars, shared calendars "
    "and rooms)."
)
SETUP_SIGNIN_LINK_NOTE = (
    "The link works once, until {expires}. I'll carry on here as soon as you are signed in."
)
SETUP_SIGNIN_ALREADY = (
    "Already signed in as {upn}. Continue with it, or sign in again to use another account."
)
SETUP_SIGNIN_BUTTON = "Sign in to Office 365"
SETUP_NEW_LINK_BUTTON = "Get a new sign-in link"
SETUP_CONTINUE_AS = "Continue as {upn}"
SETUP_SIGNED_IN_AS = "Signed in as {upn}."
SETUP_SIGNIN_FIRST = "The Office 365 service account is not signed in yet. Use the sign-in link below."
SETUP_SIGNIN_LOST = "The Office 365 sign-in has expired or was revoked, so let's sign in again first."
SETUP_GRAPH_UNAVAILABLE = "Microsoft 365 is not answering right now, so I couldn't prepare this step."
SETUP_TRY_AGAIN = "Try again"
SETUP_USE_CARD = (
    "I'm waiting for your answer on the card above. Type **setup** to see the current step again, "
    "or **cancel** to stop here (what you already saved is kept)."
)
SETUP_STALE_CARD = "That card belongs to another step. Here is where we are now:"
SETUP_REQUIRED = "Please choose one."
SETUP_NEXT = "Next"
SETUP_CALENDAR_BODY = (
    "Choose the calendar that holds your room bookings, and the pivot site location it belongs to."
)
SETUP_CALENDAR_LABEL = "Calendar"
SETUP_CALENDAR_CHOICE = "{name} ({owner})"
SETUP_LOCATION_LABEL = "Location"
SETUP_PICK_BOTH = "Please choose both a calendar and a location."
SETUP_ROOM_CHOICE = "{name} ({email})"
SETUP_NOT_MAPPED = "— not mapped —"
SETUP_MAP_REVIEW_BODY = (
    "I paired the calendar's rooms with the pivot rooms of {location}. Check each row (change any pair "
    "you like), then choose **Yes** to accept, or **No** to map every room by hand."
)
SETUP_MAP_MANUAL_BODY = "Map each pivot room of {location} to its calendar room, then save."
SETUP_MAP_EDIT_BODY = "The room mapping of {location}. Change any row, then save."
SETUP_MAP_NO_PIVOT_ROOMS = "pivot has no rooms for {location} yet."
SETUP_MAP_ROW_LABEL = "Calendar room"
SETUP_MAP_ROW_CURRENT = "Already mapped to {room}."
SETUP_MAP_ROW_PROPOSED = "Proposed: {room} ({percent}% confidence)."
SETUP_MAP_ROW_NONE = "No confident match: choose its calendar room, or leave it unmapped."
SETUP_MAP_SUGGESTIONS = "Suggestions (one click chooses it; nothing is saved until you confirm):"
SETUP_MAP_SUGGESTION = "{room} ({percent}%)"
SETUP_MAP_ROW_MANUAL = "Choose its calendar room."
SETUP_MAP_UNMATCHED_PIVOT = "pivot rooms without a calendar room: {rooms}."
SETUP_MAP_UNMATCHED_CALENDAR = "Calendar rooms not paired: {rooms}."
SETUP_AND_MORE = " and {count} more"
SETUP_MAP_YES = "Yes"
SETUP_MAP_NO = "No, map by hand"
SETUP_MAP_SAVE = "Save mapping"
SETUP_MAP_TWICE = "{room} is chosen for more than one pivot room; each calendar room maps to one pivot room."
SETUP_MAP_SAVED = "Room mapping saved: {mapped} of {total} rooms mapped."
SETUP_ROOM_UNREADABLE = (
    "I can't read the calendar of {room} ({email}) yet. Share the room's calendar with {upn} with "
    "Can View All Details, then run `manage`."
)
SETUP_THE_ACCOUNT = "the pivot service account"
SETUP_SCHEDULING_BODY = (
    "Turn on Automated Scheduling for {location}? When an incident is triggered I'll read the room's "
    "calendar and offer the free time slots in business hours."
)
SETUP_SCHEDULING_OFF_NOTE = (
    "With it off, incidents are still notified, without time slots (status scheduling_off)."
)
SETUP_SCHEDULING_NOW = "It is {state} now."
SETUP_SCHEDULING_YES = "Yes, turn it on"
SETUP_SCHEDULING_NO = "No, not now"
SETUP_SCHEDULING_SAVED = {
    True: "Automated Scheduling is on for {location}.",
    False: "Automated Scheduling is off for {location}: incidents are notified without time slots.",
}
SETUP_PROFILE_BODY = (
    "The service provider for {location}, its SLA, and when slots may be offered. Defaults are filled in."
)
SETUP_PROVIDER_LABEL = "Service provider"
SETUP_NO_PROVIDER = "— none —"
SETUP_SLA_LABEL = "SLA response time (hours)"
SETUP_HOURS_LABEL = "Business hours"
SETUP_HOURS_NOTE = "Leave both times empty for a closed day."
SETUP_OPENS = "Opens"
SETUP_CLOSES = "Closes"
SETUP_HORIZON_LABEL = "Look for slots over the next (hours)"
SETUP_MIN_WINDOW_LABEL = "Shortest free window to keep (minutes)"
SETUP_SLOT_LABEL = "Slot length (minutes)"
SETUP_CHANNEL_LABEL = "Teams channel for incident cards"
SETUP_NO_CHANNEL = "— no channel —"
SETUP_NO_CHANNELS_NOTE = (
    "To post incident cards in a channel, add me to that team first; the channel then appears here."
)
SETUP_PROFILE_SAVE = "Save profile"
SETUP_PROFILE_SAVED = "Service provider profile saved for {location}."
SETUP_FIELD_LABELS = {
    "sla_hours": SETUP_SLA_LABEL,
    "horizon_hours": SETUP_HORIZON_LABEL,
    "min_window_minutes": SETUP_MIN_WINDOW_LABEL,
    "slot_minutes": SETUP_SLOT_LABEL,
    "service_provider_id": SETUP_PROVIDER_LABEL,
    "teams_channel": SETUP_CHANNEL_LABEL,
    "business_hours": SETUP_HOURS_LABEL,
    "calendar": SETUP_CALENDAR_LABEL,
    "remind_after_minutes": "Remind the provider after (minutes, empty = off)",
    "client_after_minutes": "Tell the client admins after (minutes, empty = off)",
}
SETUP_PROBLEM = "{field}: {message}"
SETUP_BAD_NUMBER = "{field}: please enter a number."
SETUP_WHOLE_NUMBER = "{field}: please enter a whole number."
SETUP_BAD_TIME = "{day}: times are HH:MM."
SETUP_HALF_DAY = "{day}: give both the opening and the closing time, or neither (closed)."
SETUP_CLOSE_BEFORE_OPEN = "{day}: the closing time must be after the opening time."
SETUP_HOURS_VALUE = "{hours} h"
SETUP_HOURS_DEFAULT = "Mon–Fri 08:00–17:00"
SETUP_HOURS_CLOSED = "closed every day"
SETUP_SLOTS_SUMMARY_LABEL = "Slots"
SETUP_SLOTS_SUMMARY = "next {horizon} h, windows of {window} min or more, {slot}-minute slots"
SETUP_SUMMARY_UNMAPPED = (
    "{count} pivot room(s) are not mapped yet: incidents there get no slots. Use `manage`."
)
SETUP_SUMMARY_UNREADABLE = "Not readable yet: {rooms}. Share their calendars with the service account."
SETUP_SUMMARY_KEYS_NOTE = (
    "Finishing creates a new webhook secret and API key for pivot; they replace the current ones."
)
SETUP_FINISH = "Finish and create the keys"
SETUP_DONE = (
    "Setup is complete. Type **status** any time to check the integration, or **manage** to change a step."
)
SECRETS_TITLE = "New pivot keys for {client}"
SECRETS_BODY = (
    "Paste these into pivot now (Integrations → Microsoft: Office 365 Scheduling): the webhook secret signs "
    "incidents sent to me, the API key lets pivot read incident results. They replace the previous ones."
)
SECRETS_WEBHOOK_LABEL = "Webhook secret"
SECRETS_API_KEY_LABEL = "API key"
SECRETS_ONCE = (
    "Shown once: I keep only an encrypted copy and a fingerprint, so I can't show them again. "
    "If they are lost, type **rotate-secrets** for new ones."
)
ROTATE_TITLE = "Replace the pivot keys of {client}?"
ROTATE_BODY = (
    "I'll create a new webhook secret and API key. The current API key stops working at once; the current "
    "webhook secret keeps working for 24 hours, so paste the new ones into pivot within a day."
)
ROTATE_CONFIRM = "Replace the keys"
MANAGE_TITLE = "Manage Office 365 Scheduling · {client}"
MANAGE_LOCATION_LABEL = "Location (for rooms, scheduling and the profile)"
MANAGE_ROOMS_TO_MAP = "Complete any Rooms to Map"
MANAGE_UNMAPPED = "{location}: not mapped yet: {rooms}."
MANAGE_UNREADABLE = "{location}: calendar not readable (share it with the service account): {rooms}."
MANAGE_ALL_MAPPED = "Every room is mapped and readable."
MANAGE_STEP_BUTTONS = {
    "signin": "Sign in to Office 365 again",
    "calendar": "Calendar and location",
    "mapping": "Map rooms",
    "scheduling": "Automated Scheduling",
    "profile": "Complete Service Provider Profile",
}
MANAGE_SAVED = "Saved. Type **manage** to change something else, or **status** to check the integration."
STATUS_TITLE = "Office 365 Scheduling · {client}"
STATUS_ACCOUNT = "Signed in as"
STATUS_NOT_SIGNED_IN = "nobody (not connected)"
STATUS_RECONNECT = "{upn} — sign-in lost, reconnect needed"
STATUS_RECONNECT_HINT = "The Office 365 sign-in was revoked or expired. Type **manage** and sign in again."
STATUS_CALENDAR = "Room booking calendar of"
STATUS_LAST_SYNC = "Last sync"
STATUS_NEVER = "never"
STATUS_NONE = "none"
STATUS_SCHEDULING = "Automated Scheduling"
STATUS_MAPPED = "Rooms mapped"
STATUS_COUNT = "{count} of {total}"
STATUS_UNMAPPED = "Rooms to map"
STATUS_UNREADABLE = "Unreadable calendars"
STATUS_PROVIDER = "Service provider"
STATUS_CHANNEL = "Incident channel"
STATUS_NOT_SET_UP = "Setup is not complete: type **setup** to connect Office 365."
ON_OFF = {True: "on", False: "off"}
DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
SETUP_RECONNECT_TITLE = "Office 365 needs a new sign-in"
RECONNECT_BODY = (
    "The Office 365 sign-in of {upn} for {client} was revoked or has expired, so I can't read room "
    "calendars: new incidents get no time slots. Sign in again with the service account."
)
RECONNECT_CHANNEL = (
    "The Office 365 sign-in of {upn} for {client} was revoked or has expired, so new incidents get no time "
    "slots. A client admin must sign in again: type **manage** in a 1:1 chat with me."
)
RECONNECTED = "Signed in again as {upn}. Room calendars are readable again."
SYNC_REPORT_TITLE = "Room changes in Office 365 · {client}"
SYNC_NEW = "New room: {name} ({email}). It isn't mapped to a pivot room yet."
SYNC_NEW_MAPPED = "New room: {name} ({email}), mapped to {pivot}."
SYNC_RENAMED = "Renamed: {old} is now {name} ({email})."
SYNC_REMOVED = "Removed: {name} ({email})."
SYNC_REMOVED_MAPPED = (
    "Removed: {name}, the calendar of pivot room {pivot}. Incidents there get no slots until it is remapped."
)
SYNC_CALENDAR_UNREADABLE = (
    "I can't read the room booking calendar any more. Share it again with {upn} (Can View All Details)."
)
SYNC_REPORT_FOOTER = "Type **manage** to map rooms, or **status** for the integration's health."
SYNC_OPEN_MANAGE = "Manage"

# ---- claiming a slot (Teams cards, e-mail links, confirmations) ------------------------------------

CLAIM_DONE = (
    "Done: this slot is yours. Everyone's card now shows it, and a confirmation with a calendar invite "
    "is on its way by e-mail."
)
CLAIM_TAKEN = "Sorry, this incident is already claimed by {who} — {when}."
CLAIM_YOURS_ALREADY = (
    "You already claimed {when} for this incident. Release it first if you want a different slot."
)
CLAIM_NOT_ALLOWED = (
    "Only people of the service provider assigned to {site} (or its subcontractors) can claim these "
    "slots. Nothing was booked."
)
CLAIM_NOT_LINKED = (
    "I can't tell who you are in pivot, so I can't book a slot for you. Nothing was booked. "
    "Type **link** to connect your Teams account."
)
CLAIM_SLOT_GONE = "That slot is no longer offered. Here are the current slots."
CLAIM_JUST_BOOKED = "That slot was just booked in the room's calendar — here are the current slots."
CLAIM_UNVERIFIED = (
    "I couldn't check the room's calendar just now, so nothing was booked. Please try again in a minute."
)
CLAIM_CHECKING = (
    "Checking the room's calendar… Microsoft 365 is slow to answer, so nothing is booked yet. "
    "Click the slot again in a few seconds."
)
CLAIM_STARTED = "That slot has already started, so it can't be claimed. Pick a later one."
CLAIM_NOT_OPEN = "This incident has no slots open for claiming."
CLAIM_NO_INCIDENT = "I can't find that incident any more."
CLAIM_BAD_BUTTON = "That button is missing its details, so nothing was changed."
RELEASE_BUTTON = "Release this slot"
RELEASE_DONE = "Released: the slots are open again, and everyone's card shows it."
RELEASE_NOT_ALLOWED = (
    "Only {who}, who claimed this slot, or a client admin can release it. Nothing was changed."
)
RELEASE_NOT_CLAIMED = "This slot is not claimed any more, so there is nothing to release."
REFRESH_CARD = "Refresh"

CLAIM_EMAIL_SUBJECT = "Slot claimed: {title} — {room}, {when} ({incident})"
RELEASE_EMAIL_SUBJECT = "Slot released: {title} — {room}, {when} ({incident})"
CLAIM_FACT_WHEN = "When"
CLAIM_FACT_BY = "Claimed by"
CLAIM_FACT_RELEASED_BY = "Released by"
CLAIM_FACT_REFERENCE = "Reference"
CLAIM_FACT_ROOM = "Room"
CLAIM_FACT_SITE = "Site"

CLAIM_PAGE_TITLE = "Claim a time slot"
CLAIM_PAGE_QUESTION = "Claim this time slot for incident {incident}?"
CLAIM_PAGE_AS = "You'll claim it as {who} ({email}). The first claim wins."
CLAIM_PAGE_BUTTON = "Claim this slot"
CLAIM_PAGE_DONE_TITLE = "Slot claimed"
CLAIM_PAGE_DONE = "It's yours: {when}. A confirmation with a calendar invite is on its way to {email}."
CLAIM_PAGE_REFUSED_TITLE = "Slot not claimed"
CLAIM_LINK_INVALID = "This link is not valid. Use the link exactly as it arrived in your e-mail."
CLAIM_LINK_EXPIRED = "This link has expired: the time slot has already started."
CLAIM_LINK_USED = "This link was already used, so it can't claim the slot again."
CLAIM_LINK_FOREIGN = (
    "This link was not issued to a service provider of this site, so it can't claim the slot."
)
RELEASE_PAGE_TITLE = "Release a claimed slot"
RELEASE_PAGE_QUESTION = (
    "Release {when}, claimed by {who}? The incident's slots open again for others to claim."
)
RELEASE_PAGE_BUTTON = "Release this slot"
RELEASE_PAGE_DONE_TITLE = "Slot released"
RELEASE_PAGE_DONE = "Released. The incident's slots are open again, and everyone has been told."
RELEASE_PAGE_REFUSED_TITLE = "Slot not released"
RELEASE_LINK_FOREIGN = "This link does not let you release this slot."
PAGE_NOTHING_CHANGED = "Nothing was changed."
PAGE_INCIDENT = "Incident"

SETUP_SECRETS_KEPT = (
    "Your webhook secret and API key are unchanged (they were shown when setup first completed). "
    "Type **rotate-secrets** to replace them."
)
CLAIM_LINK_SLOT_GONE = "That slot is no longer offered, so it can't be claimed."
CLAIM_LINK_JUST_BOOKED = "That slot was just booked in the room's calendar, so it can't be claimed."

PRIVACY_TITLE = "pivot Scheduling — privacy"
PRIVACY_BODY = (
    "pivot Scheduling reads your room calendars through the Office 365 service account you connect "
    "(rooms, calendars, event times, subjects and organizers), only to find free slots for incidents and "
    "to tell your users and service providers about them. It stores the free slots, who was notified and "
    "who claimed a slot. Sign-in tokens are stored encrypted. Ask your pivot admin to remove your data."
)
TERMS_TITLE = "pivot Scheduling — terms of use"
TERMS_BODY = (
    "pivot Scheduling is part of your organisation's pivot subscription and is provided under its terms. "
    "Contact support@pivotnow.io with any question."
)

# ---- incident lifecycle: resolve, reminders, escalation, SLA breach (DESIGN 3.10, 3.12) ------------

RESOLVED_LINE = "Resolved — no visit needed"
RESOLVED_NOTE = "Note from pivot: {note}"
RESOLVED_AT = "Resolved"
RESOLVED_VISIT_CANCELLED = "Visit not needed"
SLA_BREACHED_LINE = "SLA breached: nobody has picked a slot and the respond-by time has passed."
SLA_BREACHED_FACT = "{deadline} — SLA breached"
RESPOND_BY = "Respond by"
REMINDER_NOTICE = "Reminder: nobody has picked a slot for this incident yet."
ESCALATED_NOTICE = "Nobody from the service provider has picked a slot for this incident yet."
CLAIM_RESOLVED = "This incident was resolved, so no visit is needed and nothing was booked."
CLAIM_LINK_RESOLVED = "This incident was resolved, so no visit is needed: the slot can't be claimed."
INCIDENT_RESOLVED_STATUS = "This incident was resolved, so no visit is needed."
EMAIL_SUBJECTS = {
    "reminder": "Reminder — no slot picked yet: {what} ({incident})",
    "escalated": "Nobody has picked a slot yet: {what} ({incident})",
    "resolved": "Resolved — no visit needed: {what} ({incident})",
}
EMAIL_INTROS = {
    "reminder": "Reminder: nobody has picked a slot for this incident yet. The first claim wins.",
    "escalated": (
        "Nobody from the service provider has picked a slot for this incident yet. You may want to call them."
    ),
    "resolved": "This incident was resolved, so no visit is needed.",
}
ESCALATION_FIELD_LABELS = {k: SETUP_FIELD_LABELS[k] for k in ("remind_after_minutes", "client_after_minutes")}
SETUP_ESCALATION_NOTE = (
    "When nobody has picked a slot: remind the service provider, then tell your admins, counted from "
    "the first notice. By default after a quarter and a half of the SLA; leave a box empty to turn it off."
)
ESCALATION_SUMMARY_LABEL = "Nobody picks a slot"
ESCALATION_SUMMARY = "remind the provider {remind}, tell the admins {client}"
ESCALATION_AFTER = "after {minutes} min"
ESCALATION_OFF = "never"

# ---- booking the room for the claimed visit (DESIGN 3.11) ------------------------------------------
BOOKING_EVENT_SUBJECT = "Service visit: {title} ({incident})"
BOOKING_EVENT_BODY = (
    "A service visit claimed in pivot Scheduling.\n\n"
    "Incident: {incident} — {title}\nSeverity: {severity}\nRoom: {room}\n{site_line}"
    "Technician: {who}\n{description_line}\n"
    "pivot booked the room so nobody schedules a meeting over the visit. "
    "Releasing the claim in pivot cancels this booking."
)
BOOKING_CANCEL_COMMENT = "The service visit was released or is no longer needed."
# The one line the card, the confirmation e-mail and its .ics show about the room.
BOOKING_LINES = {
    "pending": "Room booking in progress…",
    "booked": "Room booked",
    "declined": "Room not booked: someone booked it first",
    "failed": "Room not booked: the booking failed — book the room by hand",
    "cancelled": "Room booking cancelled",
}
BOOKING_FACT = "Room booking"
BOOKING_NEEDS_SIGN_IN = (
    "Room booking is on for {locations}, but the Office 365 sign-in has not granted "
    "Calendars.ReadWrite yet: booking is off until an admin signs in again (**manage** → Sign in)."
)
SETUP_SIGNIN_BOOKING = (
    "Because {locations} books rooms for claimed visits, the sign-in also asks for **Calendars.ReadWrite** "
    "(create and cancel the visit events in the service account's calendar)."
)
SETUP_BOOK_ROOM_LABEL = "Book the room in its calendar when a slot is claimed (needs Calendars.ReadWrite)"
STATUS_BOOK_ROOM = "Room booking"
STATUS_BOOK_ROOM_VALUES = {
    "off": "off",
    "on": "on",
    "waiting": "off until the admin signs in again (Calendars.ReadWrite not granted)",
}
BOOKING_DECLINED_SUBJECT = "Room taken, claim ended: {title} — {room} ({incident})"
BOOKING_DECLINED_LEAD = (
    "Someone booked {room} at the time you claimed before pivot could reserve it for your visit, so your "
    "claim has ended. Pick another slot below."
)
BOOKING_FAILED_SUBJECT = "Room not booked: {title} — {room}, {when} ({incident})"
BOOKING_FAILED_LEAD = (
    "pivot could not book the room in its calendar for this claimed visit. The claim stands: book the "
    "room by hand so nobody schedules a meeting over the technician."
)
