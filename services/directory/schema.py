"""The pivot directory document (DESIGN 3.4), validated strictly.

Validation collects every problem at once, each named by its JSON path
(`rooms[2].location_id`), so a bad file is rejected whole with a full list.
"""

from __future__ import annotations

import base64
import re
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.domain.text_policy import ID_PATTERN, check_single_line
from services.errors import FieldProblem

ROLES = ("client_admin", "client_user", "service_provider", "subcontractor")
PROVIDER_ROLES = ("service_provider", "subcontractor")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EMAIL = re.compile(
    r"^[^@\s<>\"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$"
)
_HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value)) and len(value) <= 320


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _single_line_text(cls, value: Any) -> Any:
        return check_single_line(value)  # services.text_policy: every directory string is one line


def _email(value: str | None) -> str | None:
    if value is not None and not is_email(value):
        raise ValueError("not a valid e-mail address")
    return value


class ClientDoc(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=256)
    tenant_id: str = Field(min_length=1, max_length=64)
    notify_email: str | None = None
    webhook_secret: str | None = None
    api_key: str | None = Field(default=None, min_length=24, max_length=256)

    _check_email = field_validator("notify_email")(_email)

    @field_validator("webhook_secret")
    @classmethod
    def _whsec(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith("whsec_"):
            raise ValueError("must start with 'whsec_'")
        try:
            raw = base64.b64decode(value.removeprefix("whsec_"), validate=True)
        except ValueError:
            raise ValueError("must be 'whsec_' followed by base64") from None
        if len(raw) < 24:
            raise ValueError("must hold at least 24 random bytes")
        return value


class LocationDoc(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=256)
    timezone: str | None = None
    business_hours: dict[str, list[str] | None] | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone name") from None
        return value

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str] | None] | None) -> dict[str, list[str] | None] | None:
        return check_business_hours(value)


def check_business_hours(value: dict[str, list[str] | None] | None) -> dict[str, list[str] | None] | None:
    """The `business_hours` JSON shape (DESIGN 3.4); raises ValueError naming the bad day."""
    if value is None:
        return None
    for day, hours in value.items():
        if day not in WEEKDAYS:
            raise ValueError(f"unknown day '{day}' (use {', '.join(WEEKDAYS)})")
        if hours is None:
            continue
        if len(hours) != 2 or not all(_HHMM.match(h) for h in hours):
            raise ValueError(f'{day}: expected ["HH:MM", "HH:MM"] or null')
        if hours[0] == "24:00":
            raise ValueError(f"{day}: opening time cannot be 24:00")
    return value


class RoomDoc(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=256)
    location_id: str
    calendar_email: str | None = None

    _check_email = field_validator("calendar_email")(_email)


class NotifyDoc(_Strict):
    email: bool = True
    teams: bool = True


class UserDoc(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=256)
    email: str
    role: Literal["client_admin", "client_user", "service_provider", "subcontractor"]
    aad_object_id: str | None = Field(default=None, max_length=64)
    service_provider_id: str | None = None
    notify: NotifyDoc = Field(default_factory=NotifyDoc)

    _check_email = field_validator("email")(_email)


class ServiceProviderDoc(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=256)
    email: str
    location_ids: list[str] = Field(default_factory=list)

    _check_email = field_validator("email")(_email)


class DirectoryDoc(_Strict):
    client: ClientDoc
    locations: list[LocationDoc] = Field(default_factory=list)
    rooms: list[RoomDoc] = Field(default_factory=list)
    users: list[UserDoc] = Field(default_factory=list)
    service_providers: list[ServiceProviderDoc] = Field(default_factory=list)


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(document)"


def parse_directory(data: Any) -> tuple[DirectoryDoc | None, list[FieldProblem]]:
    """Validate shape and field formats; return the document (when valid) and every problem."""
    if not isinstance(data, dict):
        return None, [FieldProblem("(document)", "must be a JSON object")]
    try:
        return DirectoryDoc.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            message = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
            message = message.removeprefix("Value error, ")
            problems.append(FieldProblem(_path(err["loc"]), message))
        return None, problems


def _items(data: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(name)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def check_references(
    data: dict[str, Any],
    *,
    known_locations: set[str],
    known_providers: set[str],
    creating_client: bool,
) -> list[FieldProblem]:
    """Cross-field rules: unique ids, references that resolve, role rules.

    Works on the raw document so these problems are reported together with
    format problems. `known_*` are ids already stored for this client: a file
    may refer to entities imported earlier (the directory is an upsert).
    """
    problems: list[FieldProblem] = []

    def unique(name: str) -> set[str]:
        seen: set[str] = set()
        for i, item in _items(data, name):
            item_id = item.get("id")
            if isinstance(item_id, str):
                if item_id in seen:
                    problems.append(FieldProblem(f"{name}[{i}].id", f"duplicate id '{item_id}'"))
                seen.add(item_id)
        return seen

    locations = unique("locations") | known_locations
    providers = unique("service_providers") | known_providers
    unique("rooms")
    unique("users")

    client = data.get("client")
    if creating_client and isinstance(client, dict):
        for key in ("webhook_secret", "api_key"):
            if client.get(key) is None:
                problems.append(FieldProblem(f"client.{key}", "required for a new client"))

    emails: dict[str, int] = {}
    for i, room in _items(data, "rooms"):
        location_id = room.get("location_id")
        if isinstance(location_id, str) and location_id not in locations:
            problems.append(FieldProblem(f"rooms[{i}].location_id", f"unknown location '{location_id}'"))
        email = room.get("calendar_email")
        if isinstance(email, str):
            key = email.strip().lower()
            if key in emails:
                problems.append(
                    FieldProblem(f"rooms[{i}].calendar_email", f"also used by rooms[{emails[key]}]")
                )
            emails[key] = i
    for i, user in _items(data, "users"):
        role, provider = user.get("role"), user.get("service_provider_id")
        field = f"users[{i}].service_provider_id"
        if role in PROVIDER_ROLES:
            if provider is None:
                problems.append(FieldProblem(field, f"required for role '{role}'"))
            elif isinstance(provider, str) and provider not in providers:
                problems.append(FieldProblem(field, f"unknown service provider '{provider}'"))
        elif role in ROLES and provider is not None:
            problems.append(FieldProblem(field, f"must be null for role '{role}'"))
    for i, sp in _items(data, "service_providers"):
        location_ids = sp.get("location_ids")
        for j, loc in enumerate(location_ids if isinstance(location_ids, list) else []):
            if isinstance(loc, str) and loc not in locations:
                problems.append(
                    FieldProblem(f"service_providers[{i}].location_ids[{j}]", f"unknown location '{loc}'")
                )
    return problems
