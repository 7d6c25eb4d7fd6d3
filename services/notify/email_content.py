"""Incident e-mails (DESIGN 3.9): one `multipart/alternative` message, text and HTML,
rendered with Jinja2 from `templates/email/` out of the same `IncidentView` the
Teams card uses, so the two never disagree.

Slot times are the room's local time, `HH:MM` 24-hour, grouped by local day with
the zone's abbreviation. Service-provider recipients get one claim link per slot,
in slot order. Slots that already started when the message is written are left
out (a retried send may go out late). Without slots the message says why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services import texts
from services.domain.incident_view import IncidentView, slot_label, slots_by_day, zone_abbreviation

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "email"
INCIDENT_EVENTS = ("new_incident", "slots_update", "booking_declined")

ROLE_REASONS = {
    "client_admin": "you are a client admin of {client} in pivot",
    "client_user": "you are a user of {client} in pivot",
    "service_provider": "you are a service provider for {client} in pivot",
    "subcontractor": "you are a subcontractor for {client} in pivot",
    "client": "this is {client}'s notification address in pivot",
    "provider": "this is the dispatch address of a service provider for {client} in pivot",
}
PERSONAL_ROLES = {"client_admin", "client_user", "service_provider", "subcontractor"}


@dataclass(frozen=True)
class MailTo:
    """Who a message is for: the address, a display name, their role and client."""

    address: str
    name: str
    role: str
    client_name: str


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def _plain(value: str) -> str:
    """Shared texts use chat markdown (`manage`, **bold**); e-mail shows quotes instead."""
    return re.sub(r"`([^`]+)`", r"“\1”", str(value)).replace("**", "")


def _day(instant: datetime, view: IncidentView) -> str:
    local = instant.astimezone(view.zone)
    return f"{local:%a} {local.day} {local:%b}"


def _when(instant: datetime, view: IncidentView) -> str:
    local = instant.astimezone(view.zone)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M} {zone_abbreviation(instant, view.zone)}"


def template_environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """The Jinja2 environment every product e-mail renders with (HTML autoescaped, strict)."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["plain"] = _plain
    return env


class EmailRenderer:
    """Renders incident e-mails; one Jinja2 environment per process (templates cached)."""

    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        self._env = template_environment(templates_dir)

    def context(
        self,
        view: IncidentView,
        *,
        event: str,
        to: MailTo,
        claim_urls: Mapping[str, str] | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """The template variables (plain data; tests and other renderers may use it too)."""
        if event not in INCIDENT_EVENTS:
            raise ValueError(f"no incident e-mail for event {event!r}")
        moment = now or datetime.now(UTC)
        urls = claim_urls or {}
        upcoming = tuple(s for s in view.slots if s.start > moment)
        days = [
            {
                "label": label,
                "slots": [
                    {
                        "label": slot_label(s, view.zone),
                        "long_label": f"{_day(s.start, view)}, {slot_label(s, view.zone)}",
                        "url": urls.get(s.id),
                    }
                    for s in items
                ],
            }
            for label, items in slots_by_day(view, upcoming)
        ]
        facts: list[tuple[str, str]] = [
            ("Reference", view.incident_id),
            ("Severity", view.severity.capitalize()),
            ("Room", view.room_name),
        ]
        if view.site_name:
            facts.append(("Site", view.site_name))
        if view.sla_deadline is not None:
            facts.append(("Respond by", _when(view.sla_deadline, view)))
        if view.booked_now:
            facts.append(("Booked now", view.booked_now))
        if view.booked_next:
            facts.append(("Booked next", view.booked_next))
        if view.slots and not upcoming:
            status_line = "All the free slots found for this incident have already started."
        else:
            status_line = texts.INCIDENT_STATUS_LINES.get(view.status, texts.INCIDENT_NO_SLOTS)
        can_claim = bool(urls) and any(slot["url"] for day in days for slot in day["slots"])
        reason = ROLE_REASONS.get(to.role, "you are on {client}'s notification list in pivot")
        return {
            "event": event,
            "subject": self.subject(view, event),
            "title": _one_line(view.title),
            "room": _one_line(view.room_name),
            "site": _one_line(view.site_name),
            "facts": [(label, _one_line(value)) for label, value in facts],
            "days": days,
            "past_count": len(view.slots) - len(upcoming),
            "status_line": status_line,
            "lead": texts.BOOKING_DECLINED_LEAD.format(room=_one_line(view.room_name))
            if event == "booking_declined"
            else None,
            "can_claim": can_claim,
            "recipient_name": _one_line(to.name),
            "reason": reason.format(client=_one_line(to.client_name)),
            "personal": to.role in PERSONAL_ROLES,
            "product": texts.PRODUCT_NAME,
        }

    @staticmethod
    def subject(view: IncidentView, event: str) -> str:
        what = f"{_one_line(view.title)} — {_one_line(view.room_name)}"
        if event == "slots_update":
            return f"Free slots now known: {what} ({view.incident_id})"
        if event == "booking_declined":
            return texts.BOOKING_DECLINED_SUBJECT.format(
                title=_one_line(view.title), room=_one_line(view.room_name), incident=view.incident_id
            )
        return f"[{view.severity.capitalize()}] Incident: {what} ({view.incident_id})"

    def render(self, context: Mapping[str, Any]) -> tuple[str, str]:
        """(text, html) for a context from `context()`."""
        text = self._env.get_template("incident.txt").render(**context)
        html = self._env.get_template("incident.html").render(**context)
        return text, html

    def incident_email(
        self,
        view: IncidentView,
        *,
        event: str,
        to: MailTo,
        sender: str,
        message_id: str,
        claim_urls: Mapping[str, str] | None = None,
        now: datetime | None = None,
    ) -> EmailMessage:
        """The complete message, ready for `Mailer.send`."""
        context = self.context(view, event=event, to=to, claim_urls=claim_urls, now=now)
        text, html = self.render(context)
        return assemble(
            subject=context["subject"], sender=sender, to=to, message_id=message_id, text=text, html=html
        )


def assemble(*, subject: str, sender: str, to: MailTo, message_id: str, text: str, html: str) -> EmailMessage:
    """`multipart/alternative` (text + HTML) with the headers every product e-mail carries."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = formataddr((_one_line(to.name), to.address)) if to.name else to.address
    message["Message-ID"] = message_id
    message["Date"] = formatdate(usegmt=True)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
