"""`/dev/mail`: the demo's inbox: a list, one message's HTML (or text, or raw), strict names."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from api.dev_mail import add_routes


def store(directory: Path, number: int, subject: str, *, html: bool = True) -> None:
    msg = EmailMessage()
    msg["From"] = "noreply@pivot.example"
    msg["To"] = "Sam <sam@acme.example>"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 24 Nov 2026 14:06:00 +0000"
    msg.set_content(f"text of {subject}")
    if html:
        msg.add_alternative(f"<p>html of {subject}</p>", subtype="html")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{number}.eml").write_bytes(msg.as_bytes())


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient:
    app = web.Application()
    add_routes(app, tmp_path / "mail")
    return await aiohttp_client(app)


async def test_empty_inbox(client: TestClient) -> None:
    response = await client.get("/dev/mail")
    assert response.status == 200
    assert "No mail yet" in await response.text()


async def test_list_newest_first_and_escaped(client: TestClient, tmp_path: Path) -> None:
    store(tmp_path / "mail", 1, "Older")
    store(tmp_path / "mail", 2, "<b>Newer</b>")
    response = await client.get("/dev/mail")
    page = await response.text()
    assert page.index("2.eml") < page.index("1.eml")
    assert "&lt;b&gt;Newer&lt;/b&gt;" in page and "<b>Newer" not in page
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


async def test_message_html_text_and_raw(client: TestClient, tmp_path: Path) -> None:
    store(tmp_path / "mail", 1, "Hello")
    store(tmp_path / "mail", 2, "Plain only", html=False)
    html = await client.get("/dev/mail/1.eml")
    assert html.content_type == "text/html" and "<p>html of Hello</p>" in await html.text()
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]
    text = await client.get("/dev/mail/1.eml?part=text")
    assert text.content_type == "text/plain" and "text of Hello" in await text.text()
    raw = await client.get("/dev/mail/1.eml?part=raw")
    assert "Subject: Hello" in await raw.text()
    plain = await client.get("/dev/mail/2.eml")
    assert plain.content_type == "text/plain" and "text of Plain only" in await plain.text()


@pytest.mark.parametrize("name", ["3.eml", "..%2Fsecret.eml", "1.txt", "a.eml", "%2e%2e"])
async def test_unknown_or_unsafe_names_are_404(client: TestClient, tmp_path: Path, name: str) -> None:
    store(tmp_path / "mail", 1, "Hello")
    (tmp_path / "secret.eml").write_text("nope")
    response = await client.get(f"/dev/mail/{name}")
    assert response.status == 404


async def test_list_shows_subject_recipients_event_and_links(client: TestClient, tmp_path: Path) -> None:
    from services.notify.email_content import EVENT_HEADER

    msg = EmailMessage()
    msg["From"] = "noreply@pivot.example"
    msg["To"] = "Sam <sam@acme.example>"
    msg["Cc"] = "dispatch@acme.example"
    msg["Subject"] = "[High] Incident: Display offline"
    msg["Date"] = "Tue, 24 Nov 2026 14:06:00 +0000"
    msg[EVENT_HEADER] = "new_incident"
    msg.set_content("text")
    msg.add_alternative('<p><img src="cid:pic.1@x" alt="the picture"></p>', subtype="html")
    msg.get_payload()[1].add_related(b"\x89PNG fake", "image", "png", cid="<pic.1@x>", disposition="inline")
    (tmp_path / "mail").mkdir(parents=True)
    (tmp_path / "mail" / "7.eml").write_bytes(msg.as_bytes())
    page = await (await client.get("/dev/mail")).text()
    for shown in ("[High] Incident: Display offline", "Sam &lt;sam@acme.example&gt;, dispatch@acme.example"):
        assert shown in page
    assert "<td>new_incident</td>" in page
    assert 'href="/dev/mail/7.eml"' in page and 'href="/dev/mail/7.eml?part=text"' in page
    assert 'href="/dev/mail/7.eml?part=eml"' in page
    download = await client.get("/dev/mail/7.eml?part=eml")
    assert download.content_type == "message/rfc822"
    assert download.headers["Content-Disposition"] == 'attachment; filename="7.eml"'
    assert b"Subject: [High] Incident: Display offline" in await download.read()
    # The inline image shows from the message itself (the CSP allows only data: images).
    shown_html = await (await client.get("/dev/mail/7.eml")).text()
    assert "cid:" not in shown_html and 'src="data:image/png;base64,' in shown_html
