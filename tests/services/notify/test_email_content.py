"""Incident e-mails: multipart/alternative with text and HTML that both carry every
slot in the room's local time, grouped by day with the zone abbreviation; claim
links only for service providers, in slot order; plain words when there are no
slots; escaped, script-free HTML whose only image is the inline 48-hour picture."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services import texts
from services.domain.incident_view import IncidentView, SlotView
from services.notify.email_content import EmailRenderer, MailTo

NY = ZoneInfo("America/New_York")
TRIGGER = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)  # Tue 09:05 EST
SLOTS = (
    SlotView("s1", datetime(2026, 11, 24, 15, 0, tzinfo=UTC), datetime(2026, 11, 24, 16, 0, tzinfo=UTC)),
    SlotView("s2", datetime(2026, 11, 24, 20, 30, tzinfo=UTC), datetime(2026, 11, 24, 21, 30, tzinfo=UTC)),
    SlotView("s3", datetime(2026, 11, 25, 13, 0, tzinfo=UTC), datetime(2026, 11, 25, 14, 0, tzinfo=UTC)),
)
SAM = MailTo("sam@acme.example", "Sam Provider", "service_provider", "Contoso Ltd")
BO = MailTo("bo@contoso.example", "Bo User", "client_user", "Contoso Ltd")
URLS = {s.id: f"https://pivot.example/claim/tok-{s.id}" for s in SLOTS}


def view(**overrides: Any) -> IncidentView:
    values: dict[str, Any] = {
        "client_id": "contoso",
        "incident_id": "INC-1001",
        "title": "Display offline",
        "severity": "high",
        "room_name": "Conference Room 4B",
        "site_name": "Contoso HQ",
        "zone": NY,
        "status": "slots_found",
        "sla_deadline": TRIGGER + timedelta(hours=4),
        "booked_now": "Standup (Bo Organizer), 09:00–09:30",
        "booked_next": "Design review (Ann Lee), Tue 11:00–12:00",
        "slots": SLOTS,
    }
    values.update(overrides)
    return IncidentView(**values)


def render(
    v: IncidentView, to: MailTo = SAM, urls: dict[str, str] | None = None, **kw: Any
) -> tuple[Any, str, str]:
    message = EmailRenderer().incident_email(
        v,
        event=kw.pop("event", "new_incident"),
        to=to,
        sender="pivot Scheduling <noreply@pivot.example>",
        message_id="<abc@pivot-scheduling>",
        claim_urls=urls,
        now=kw.pop("now", TRIGGER),
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return message, text, html


def test_multipart_alternative_with_headers() -> None:
    message, _text, _html = render(view())
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Message-ID"] == "<abc@pivot-scheduling>"
    assert message["To"] == "Sam Provider <sam@acme.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Subject"] == "[High] Incident: Display offline — Conference Room 4B (INC-1001)"


def test_both_parts_carry_every_slot_in_local_time_grouped_by_day() -> None:
    _m, text, html = render(view(), BO)
    for part in (text, html):
        for label in ("Tue 24 Nov (EST)", "10:00–11:00", "15:30–16:30", "Wed 25 Nov (EST)", "08:00–09:00"):
            assert label in part, label
        assert part.index("Tue 24 Nov (EST)") < part.index("10:00–11:00") < part.index("15:30–16:30")
        assert part.index("15:30–16:30") < part.index("Wed 25 Nov (EST)") < part.index("08:00–09:00")
        for fact in ("High", "Conference Room 4B", "Contoso HQ", "Display offline"):
            assert fact in part
        assert "Tue 24 Nov 13:05 EST" in part  # SLA deadline, local
        assert "Standup (Bo Organizer)" in part and "Design review (Ann Lee)" in part
    assert "/claim/" not in text + html


def test_service_provider_gets_one_claim_link_per_slot_in_slot_order() -> None:
    _m, text, html = render(view(), SAM, URLS)
    expected = [URLS["s1"], URLS["s2"], URLS["s3"]]
    assert re.findall(r"https://pivot\.example/claim/[\w-]+", text) == expected
    assert re.findall(r'href="(https://pivot\.example/claim/[\w-]+)"', html) == expected
    assert "Claim Tue 24 Nov, 10:00–11:00" in html


def test_slots_already_started_are_left_out() -> None:
    later = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    _m, text, html = render(view(), SAM, URLS, now=later)
    for part in (text, html):
        assert "10:00–11:00" not in part and "15:30–16:30" in part
        assert "1 earlier slot already started" in part
    assert URLS["s1"] not in text + html


@pytest.mark.parametrize("status", ["calendar_unavailable", "unmapped_room", "scheduling_off", "no_slots"])
def test_without_slots_the_message_says_why(status: str) -> None:
    _m, text, html = render(view(status=status, slots=()), SAM, {})
    why = texts.INCIDENT_STATUS_LINES.get(status, texts.INCIDENT_NO_SLOTS).replace("`", "")
    first_words = " ".join(why.split()[:5])
    assert first_words in text and first_words.replace("'", "&#39;") in html
    assert "`" not in text and "Free slots" not in text and "/claim/" not in text


def test_slots_update_subject_and_heading() -> None:
    message, text, html = render(view(), BO, event="slots_update")
    assert message["Subject"].startswith("Free slots now known: Display offline")
    assert text.startswith("Free slots are now known for this incident.")
    assert "<h1" in html and "Free slots are now known" in html


def test_html_is_escaped_plain_and_self_contained() -> None:
    hostile = view(title='<script>alert("x")</script> & <img src=x>', room_name="Room <b>9</b>")
    message, text, html = render(hostile, SAM, URLS)
    assert "<script" not in html and "<img" not in html.lower() and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert '<script>alert("x")</script>' in text  # the text part is not HTML
    assert not re.search(r"(src|href)=\"(?!https://pivot\.example/claim/)", html)
    assert 'lang="en"' in html and '<th scope="row"' in html
    assert "\n" not in message["Subject"]


def test_personal_recipients_are_told_how_to_change_preferences() -> None:
    _m, text, _h = render(view(), BO)
    assert "you are a user of Contoso Ltd" in text and '"preferences"' in text
    shared = MailTo("facilities@contoso.example", "Contoso Ltd", "client", "Contoso Ltd")
    _m, text, _h = render(view(), shared)
    assert "notification address" in text and "preferences" not in text


def test_unknown_event_is_refused() -> None:
    with pytest.raises(ValueError, match="no incident e-mail"):
        render(view(), BO, event="slot_claimed")


def test_the_48_hour_picture_is_an_inline_image_of_the_html_part() -> None:
    from tests.incident_views_support import api_json, busy, view_from_api

    data = api_json(TRIGGER, NY, [busy(datetime(2026, 11, 24, 15, 0, tzinfo=UTC), 2.5)])
    pictured = view_from_api(TRIGGER, NY, data)
    plain = EmailRenderer().incident_email(
        IncidentView(**{**pictured.__dict__, "window": None}),
        event="new_incident",
        to=BO,
        sender="pivot Scheduling <noreply@pivot.example>",
        message_id="<abc@pivot-scheduling>",
        now=TRIGGER,
    )
    message = EmailRenderer().incident_email(
        pictured,
        event="new_incident",
        to=BO,
        sender="pivot Scheduling <noreply@pivot.example>",
        message_id="<abc@pivot-scheduling>",
        now=TRIGGER,
    )
    assert message.get_content_type() == "multipart/alternative"
    text_part, related = message.get_payload()
    assert text_part.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image = related.get_payload()
    assert html_part.get_content_type() == "text/html" and image.get_content_type() == "image/png"
    cid = image["Content-ID"].strip("<>")
    html = html_part.get_content()
    assert f'src="cid:{cid}"' in html
    alt = re.search(r'<img [^>]*alt="([^"]+)"', html)
    assert alt is not None and alt.group(1).startswith("Availability of Conference Room 4B")
    assert image.get_payload(decode=True).startswith(b"\x89PNG")
    assert image.get_content_disposition() == "inline"
    # The text part is the same as without a picture.
    assert text_part.get_content() == plain.get_payload()[0].get_content()
    assert "cid:" not in text_part.get_content()
