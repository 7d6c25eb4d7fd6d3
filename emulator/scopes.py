"""Delegated permission names: normalising requested scopes and the grants each
Graph operation accepts."""

from __future__ import annotations

from collections.abc import Iterable

OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
GRAPH_PREFIXES = ("https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000/")
KNOWN_GRAPH_SCOPES = (
    "User.Read",
    "User.ReadWrite",
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Calendars.ReadBasic",
    "Calendars.Read",
    "Calendars.Read.Shared",
    "Calendars.ReadWrite",
    "Calendars.ReadWrite.Shared",
    "Place.Read.All",
    "Place.ReadWrite.All",
    "MailboxSettings.Read",
    "MailboxSettings.ReadWrite",
    "Mail.Send",
)
# What `.default` grants when the tenant file does not list the app's scopes:
# the four permissions the pivot integration asks for.
DEFAULT_CONSENT = ("User.Read", "Calendars.Read.Shared", "Calendars.ReadBasic", "Place.Read.All")

# Which delegated scopes allow which operation (broader scopes imply narrower ones).
READ_OWN_CALENDARS = frozenset(
    {
        "Calendars.ReadBasic",
        "Calendars.Read",
        "Calendars.Read.Shared",
        "Calendars.ReadWrite",
        "Calendars.ReadWrite.Shared",
    }
)
READ_SHARED_CALENDARS = frozenset({"Calendars.Read.Shared", "Calendars.ReadWrite.Shared"})
WRITE_OWN_CALENDARS = frozenset({"Calendars.ReadWrite", "Calendars.ReadWrite.Shared"})
FREE_BUSY = READ_OWN_CALENDARS
READ_PLACES = frozenset({"Place.Read.All", "Place.ReadWrite.All"})
READ_SELF = frozenset(
    {
        "User.Read",
        "User.ReadWrite",
        "User.ReadBasic.All",
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
    }
)
READ_OTHER_USERS = frozenset(
    {"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All"}
)
# mailboxSettings: one's own with MailboxSettings.Read or any calendar read scope; a
# room's (or a calendar sharer's) with any calendar read scope, subject to sharing.
READ_OWN_MAILBOX_SETTINGS = frozenset({"MailboxSettings.Read", "MailboxSettings.ReadWrite"}) | (
    READ_OWN_CALENDARS
)
READ_OTHER_MAILBOX_SETTINGS = READ_OWN_CALENDARS


class ScopeError(ValueError):
    """A requested scope is for a resource other than Microsoft Graph."""


def canonical(name: str) -> str:
    """A Graph scope in its documented spelling (scopes are case-insensitive)."""
    folded = name.casefold()
    return next((s for s in KNOWN_GRAPH_SCOPES if s.casefold() == folded), name)


def split_scopes(requested: str, *, default_consent: Iterable[str]) -> tuple[list[str], list[str]]:
    """(graph scopes, OpenID scopes) from a space-separated scope parameter."""
    graph: list[str] = []
    oidc: list[str] = []
    for item in requested.split():
        if item.lower() in OIDC_SCOPES:
            if item.lower() not in oidc:
                oidc.append(item.lower())
            continue
        name = item
        for prefix in GRAPH_PREFIXES:
            if item.lower().startswith(prefix):
                name = item[len(prefix) :]
                break
        else:
            if "/" in item or ":" in item:
                raise ScopeError(f"scope {item!r} is not a Microsoft Graph permission")
        names = list(default_consent) if name == ".default" else [canonical(name)]
        graph.extend(n for n in names if n not in graph)
    return graph, oidc


def allows(granted: Iterable[str], needed: frozenset[str]) -> bool:
    """True when any granted scope is one of `needed`."""
    return any(s in needed for s in granted)
