"""Incident e-mails (DESIGN 3.9): one `multipart/alternative` message, text and HTML,
rendered with Jinja2 from `templates/email/` out of the same `IncidentView` the
Teams card uses, so the two never disagree.

Slot times are the room's local time, `HH:MM` 24-hour, grouped by local day with
the zone's abbreviation. Service-provider recipients get one claim link per slot,
in slot order. The slots listed are the card's: `claimable_slots` (one that has
started when the message is written is left out — a retried send may go out
late — and when the last has started the message says so, as the card does).
Without slots the message says why.

The HTML part carries the 48-hour availability picture as an inline image
(`cid:`): the HTML and the picture sit in `multipart/related`, the text part is
unchanged (the picture's text alternative is the `alt` of the image).
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
from services.domain.availability_picture import Picture
from services.domain.availability_picture import render as render_picture
from services.domain.incident_view import (
    IncidentView,
    all_slots_started,
    claimable_slots,
    slot_label,
    slots_by_day,
)
from services.domain.time_format import HOUSE_STYLE

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "email"
INCIDENT_EVENTS = ("new_incident", "slots_update", "reminder", "escalated", "resolved", "booking_declined")
EVENT_HEADER = "X-Pivot-Event"
PICTURE_CID = "availability"  # the picture's Content-ID is "availability.<message id>"

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
    return HOUSE_STYLE.day(instant, view.zone)


def _when(instant: datetime, view: IncidentView) -> str:
    return HOUSE_STYLE.when(instant, view.zone)


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
        resolved = event == "resolved" or view.resolved
        upcoming = () if resolved else claimable_slots(view, moment)
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
        if view.sla_deadline is not None and not resolved:
            deadline = _when(view.sla_deadline, view)
            facts.append(
                (
                    texts.RESPOND_BY,
                    texts.SLA_BREACHED_FACT.format(deadline=deadline) if view.sla_breached else deadline,
                )
            )
        if resolved and view.resolved_at is not None:
            facts.append((texts.RESOLVED_AT, _when(view.resolved_at, view)))
        if resolved and view.resolution_note:
            facts.append(("Note", view.resolution_note))
        if resolved and view.cancelled_visit is not None and view.cancelled_visit_slot is not None:
            slot = view.cancelled_visit_slot
            who = view.cancelled_visit.claimer_name + (
                f" ({view.cancelled_visit.provider_name})" if view.cancelled_visit.provider_name else ""
            )
            facts.append(
                (
                    texts.RESOLVED_VISIT_CANCELLED,
                    f"{HOUSE_STYLE.day_span(slot.start, slot.end, view.zone)}, {who}",
                )
            )
        if view.booked_now:
            facts.append(("Booked now", view.booked_now))
        if view.booked_next:
            facts.append(("Booked next", view.booked_next))
        if resolved:
            status_line = texts.INCIDENT_RESOLVED_STATUS
        elif all_slots_started(view, moment):
            status_line = texts.INCIDENT_SLOTS_ALL_STARTED
        else:
            status_line = texts.incident_status_line(view.status, view.status_reason)
        can_claim = bool(urls) and any(slot["url"] for day in days for slot in day["slots"])
        reason = ROLE_REASONS.get(to.role, "you are on {client}'s notification list in pivot")
        return {
            "event": event,
            "intro": texts.EMAIL_INTROS.get(event),
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
            "picture": None,
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
        elif event in texts.EMAIL_SUBJECTS:
            return texts.EMAIL_SUBJECTS[event].format(what=what, incident=view.incident_id)
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
        moment = now or datetime.now(UTC)
        context = self.context(view, event=event, to=to, claim_urls=claim_urls, now=moment)
        picture = render_picture(view, moment)
        cid = picture_cid(message_id)
        if picture is not None:
            context["picture"] = {
                "title": texts.INCIDENT_PICTURE_TITLE,
                "src": f"cid:{cid}",
                "alt": picture.alt_text,
                "width": picture.width,
                "height": picture.height,
            }
        text, html = self.render(context)
        return assemble(
            subject=context["subject"],
            sender=sender,
            to=to,
            message_id=message_id,
            text=text,
            html=html,
            picture=picture,
            picture_cid=cid,
            event=event,
        )


def picture_cid(message_id: str) -> str:
    """A Content-ID as unique as the message: "availability.<message id without <>>"."""
    return f"{PICTURE_CID}.{message_id.strip().strip('<>')}"


def assemble(
    *,
    subject: str,
    sender: str,
    to: MailTo,
    message_id: str,
    text: str,
    html: str,
    picture: Picture | None = None,
    picture_cid: str = PICTURE_CID,
    event: str | None = None,
) -> EmailMessage:
    """`multipart/alternative` (text + HTML) with the headers every product e-mail carries;
    with a picture, the HTML part becomes `multipart/related` holding it as `cid:` image."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = formataddr((_one_line(to.name), to.address)) if to.name else to.address
    message["Message-ID"] = message_id
    message["Date"] = formatdate(usegmt=True)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    if event:
        message[EVENT_HEADER] = event  # which notification event (DESIGN 3.12), for mail tools and /dev/mail
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if picture is not None:
        html_part = message.get_payload()[1]
        html_part.add_related(
            picture.png,
            "image",
            "png",
            cid=f"<{picture_cid}>",
            disposition="inline",
            filename="availability.png",
        )
    return message
