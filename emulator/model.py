"""The emulated directory: mailboxes (users and rooms), calendars, events, apps.

Plain mutable data with lookups and the sharing rules; the admin API and tests
change it at run time (rename a room, share a calendar, add an event).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from emulator.recurrence import Recurrence

MailboxKind = Literal["user", "room"]
ABSENT: Any = type("Absent", (), {"__repr__": lambda _self: "ABSENT"})()  # a property the file left out


def graph_id(*parts: str) -> str:
    """A stable Exchange-looking id (URL-safe) derived from its parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return "AAMkAG" + base64.urlsafe_b64encode(digest).decode().rstrip("=") + "AAA="


def change_key(*parts: str) -> str:
    """A stable changeKey-looking string."""
    digest = hashlib.sha256(("ck\x1f" + "\x1f".join(parts)).encode()).digest()[:16]
    return base64.b64encode(digest).decode()


@dataclass
class Event:
    """One event as stored: wall-clock start/end in its own zones.

    `show_as`, `is_cancelled` and `is_all_day` are what the emulator computes
    with (None showAs blocks, as Graph's free/busy does); `as_written` holds the
    JSON values to serve instead where the tenant file wrote null or left the
    property out (ABSENT: omitted from the response), as Graph serves them.
    """

    id: str
    subject: str
    start_local: datetime
    end_local: datetime
    start_zone: str
    end_zone: str
    is_all_day: bool = False
    is_cancelled: bool = False
    show_as: str | None = "busy"
    sensitivity: str = "normal"
    importance: str = "normal"
    organizer: dict[str, Any] = field(default_factory=dict)
    attendees: list[dict[str, Any]] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    body: dict[str, Any] = field(default_factory=lambda: {"contentType": "html", "content": ""})
    categories: list[str] = field(default_factory=list)
    recurrence: Recurrence | None = None
    is_online_meeting: bool = False
    transaction_id: str | None = None
    created: datetime | None = None
    as_written: dict[str, Any] = field(default_factory=dict)
    # a series master's occurrences that differ from the pattern, by original
    # wall-clock start (in the master's start zone)
    exceptions: dict[datetime, SeriesException] = field(default_factory=dict)


@dataclass
class SeriesException:
    """One occurrence of a series that was cancelled, or moved (and maybe renamed):
    `moved` is the occurrence as it now is (its own start/end, subject, showAs)."""

    original_start: datetime
    cancelled: bool = False
    moved: Event | None = None


@dataclass
class Calendar:
    """A calendar: its owner's mailbox, its events and who it is shared with.

    `mirrors` lists room e-mails whose bookings this calendar also shows, with
    the room as location (a facilities "Room Bookings" calendar).
    """

    id: str
    name: str
    owner: str
    is_default: bool = False
    color: str = "auto"
    events: list[Event] = field(default_factory=list)
    mirrors: list[str] = field(default_factory=list)
    shared_to: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    """A user or a room mailbox; rooms also carry their place properties."""

    id: str
    upn: str
    display_name: str
    kind: MailboxKind
    time_zone: str
    default_calendar_id: str
    password: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    mailbox_settings: dict[str, Any] = field(default_factory=dict)
    place: dict[str, Any] = field(default_factory=dict)
    shared_with: list[str] | None = None

    @property
    def key(self) -> str:
        """Lookup key: the UPN folded to lower case."""
        return self.upn.lower()


@dataclass
class App:
    """A registered client; when a tenant lists apps, only these may sign in."""

    client_id: str
    client_secret: str | None = None
    redirect_uris: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)


@dataclass
class Tenant:
    """The whole emulated tenant."""

    tenant_id: str
    domain: str
    display_name: str
    mailboxes: dict[str, Mailbox] = field(default_factory=dict)
    calendars: dict[str, Calendar] = field(default_factory=dict)
    apps: list[App] = field(default_factory=list)

    def find(self, ref: str) -> Mailbox | None:
        """A mailbox by UPN/e-mail (any case) or by object id."""
        folded = ref.strip().lower()
        found = self.mailboxes.get(folded)
        if found is not None:
            return found
        return next((m for m in self.mailboxes.values() if m.id.lower() == folded), None)

    def users(self) -> list[Mailbox]:
        """User mailboxes in file order."""
        return [m for m in self.mailboxes.values() if m.kind == "user"]

    def rooms(self) -> list[Mailbox]:
        """Room mailboxes in file order."""
        return [m for m in self.mailboxes.values() if m.kind == "room"]

    def find_app(self, client_id: str) -> App | None:
        """A registered app by client id."""
        return next((a for a in self.apps if a.client_id == client_id), None)

    def owned_calendars(self, mailbox: Mailbox) -> list[Calendar]:
        """The mailbox's own calendars, default first."""
        owned = [c for c in self.calendars.values() if c.owner == mailbox.key]
        return sorted(owned, key=lambda c: not c.is_default)

    def calendars_shared_to(self, reader: Mailbox) -> list[Calendar]:
        """Other people's calendars shared with `reader`."""
        return [c for c in self.calendars.values() if reader.key in c.shared_to and c.owner != reader.key]

    def room_readable_by(self, room: Mailbox, reader: Mailbox) -> bool:
        """A room with no sharedWith list is open to all; else only to those listed."""
        if room.shared_with is None:
            return True
        return reader.key in {u.lower() for u in room.shared_with}

    def calendar_readable_by(self, calendar: Calendar, reader: Mailbox) -> bool:
        """Sharing rule for one calendar (scopes are checked elsewhere)."""
        if calendar.owner == reader.key or reader.key in calendar.shared_to:
            return True
        owner = self.mailboxes.get(calendar.owner)
        if owner is not None and owner.kind == "room" and calendar.is_default:
            return self.room_readable_by(owner, reader)
        return False

    def share_room(self, room: Mailbox, user: str | None) -> None:
        """Give `user` read access to the room (None: open it to everybody)."""
        if user is None:
            room.shared_with = None
        elif room.shared_with is not None and user.lower() not in {u.lower() for u in room.shared_with}:
            room.shared_with.append(user.lower())

    def unshare_room(self, room: Mailbox, user: str | None) -> None:
        """Withdraw `user`'s access (None: close the room to everybody)."""
        if user is None:
            room.shared_with = []
            return
        if room.shared_with is None:
            room.shared_with = [u.key for u in self.users()]
        room.shared_with = [u for u in room.shared_with if u.lower() != user.lower()]

    def remove_mailbox(self, mailbox: Mailbox) -> None:
        """Delete a mailbox with its calendars, and stop mirroring it."""
        self.mailboxes.pop(mailbox.key, None)
        for cal_id in [c.id for c in self.calendars.values() if c.owner == mailbox.key]:
            del self.calendars[cal_id]
        for calendar in self.calendars.values():
            calendar.mirrors = [m for m in calendar.mirrors if m != mailbox.key]


class TenantSet:
    """The tenants one emulator serves, the first being the default.

    Identity paths name a tenant by id or domain; Graph finds it from the
    token's `tid`; the admin API takes `tenant` (id or domain), default the first.
    """

    def __init__(self, tenants: list[Tenant]) -> None:
        if not tenants:
            raise ValueError("at least one tenant is needed")
        self._tenants: list[Tenant] = []
        for tenant in tenants:
            self.add(tenant)

    def add(self, tenant: Tenant) -> None:
        """Serve one more tenant (its id and domain must be new)."""
        for known in self._tenants:
            if tenant.tenant_id.lower() == known.tenant_id.lower():
                raise ValueError(f"tenant id {tenant.tenant_id} is given twice")
            if tenant.domain.lower() == known.domain.lower():
                raise ValueError(f"tenant domain {tenant.domain} is given twice")
        self._tenants.append(tenant)

    @property
    def primary(self) -> Tenant:
        """The first tenant: the default wherever no tenant is named."""
        return self._tenants[0]

    def resolve(self, ref: str | None) -> Tenant | None:
        """A tenant by id or domain (any case); None names the primary one."""
        if ref is None:
            return self.primary
        folded = ref.strip().lower()
        return next((t for t in self._tenants if folded in (t.tenant_id.lower(), t.domain.lower())), None)

    def __iter__(self) -> Iterator[Tenant]:
        return iter(list(self._tenants))

    def __len__(self) -> int:
        return len(self._tenants)
