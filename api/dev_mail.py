"""Demo only: read the local SMTP sink's mail in a browser (`/dev/mail`).

`GET /dev/mail` lists stored messages, newest first: date, subject, recipients,
the notification event, and links to the HTML part, the text part and the
`.eml` download. `GET /dev/mail/{n}.eml` shows one (its HTML part, else its
text; `?part=text`, `?part=raw` or `?part=eml` (download) to choose); inline
images of the HTML part (`cid:`) are shown from the message itself. Names are
matched strictly, so nothing outside the directory is readable. Mail is shown
under a strict Content-Security-Policy (no scripts, no outside resources), as a
mail client would.
"""

from __future__ import annotations

import asyncio
import base64
import html
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiohttp import web

from api.html import SECURITY_HEADERS, html_page
from services import texts
from services.notify.email_content import EVENT_HEADER
from services.notify.mail_sink import EML_NAME, message_files

LIST_LIMIT = 200


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        return BytesParser(policy=policy.default).parse(handle)  # type: ignore[return-value]


def _summaries(directory: Path) -> list[dict[str, str]]:
    rows = []
    for path in reversed(message_files(directory)[-LIST_LIMIT:]):
        message = _parse(path)
        recipients = ", ".join(str(message[h]) for h in ("To", "Cc") if message[h])
        rows.append(
            {
                "name": path.name,
                "date": str(message["Date"] or ""),
                "to": recipients,
                "subject": str(message["Subject"] or ""),
                "event": str(message[EVENT_HEADER] or ""),
            }
        )
    return rows


def _inline_images(message: EmailMessage, content: str) -> str:
    """`cid:` references of the HTML part as data URIs (the CSP allows only those)."""
    for part in message.walk():
        cid = str(part.get("Content-ID") or "").strip().strip("<>")
        if not cid or part.get_content_maintype() != "image" or f"cid:{cid}" not in content:
            continue
        data = base64.b64encode(part.get_payload(decode=True) or b"").decode("ascii")
        content = content.replace(f"cid:{cid}", f"data:{part.get_content_type()};base64,{data}")
    return content


def _page(title: str, body: str) -> web.Response:
    return html_page(title, body, wide=True)


def add_routes(app: web.Application, mail_dir: Path) -> None:
    """Mount `/dev/mail` for `mail_dir` (the demo's `var/mail`)."""

    async def mail_list(_request: web.Request) -> web.Response:
        rows = await asyncio.to_thread(_summaries, mail_dir)
        if not rows:
            return _page(texts.DEV_MAIL_TITLE, f"<p>{html.escape(texts.DEV_MAIL_EMPTY)}</p>")
        items = "".join(
            "<tr>"
            f"<td>{html.escape(r['date'])}</td>"
            f"<td>{html.escape(r['subject'])}</td>"
            f"<td>{html.escape(r['to'])}</td>"
            f"<td>{html.escape(r['event'])}</td>"
            f'<td><a href="/dev/mail/{html.escape(r["name"])}">HTML</a> · '
            f'<a href="/dev/mail/{html.escape(r["name"])}?part=text">text</a> · '
            f'<a href="/dev/mail/{html.escape(r["name"])}?part=eml" '
            f'download="{html.escape(r["name"])}">.eml</a>'
            "</td></tr>"
            for r in rows
        )
        table = (
            '<table style="border-collapse:collapse;" cellpadding="4">'
            '<thead><tr><th scope="col">Date</th><th scope="col">Subject</th>'
            '<th scope="col">To</th><th scope="col">Event</th><th scope="col">View</th></tr></thead>'
            f"<tbody>{items}</tbody></table>"
        )
        return _page(texts.DEV_MAIL_TITLE, table)

    async def mail_item(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        path = mail_dir / name
        if not EML_NAME.match(name) or not path.is_file():
            raise web.HTTPNotFound(text="no such message")
        part = request.query.get("part", "html")
        if part in ("raw", "eml"):
            data = await asyncio.to_thread(path.read_bytes)
            if part == "eml":
                return web.Response(
                    body=data,
                    content_type="message/rfc822",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'},
                )
            return web.Response(body=data, content_type="text/plain", charset="utf-8")
        message = await asyncio.to_thread(_parse, path)
        preference = ("plain",) if part == "text" else ("html", "plain")
        body = message.get_body(preferencelist=preference)
        if body is None:
            return web.Response(text="(no readable part)", content_type="text/plain")
        content = body.get_content()
        if body.get_content_subtype() == "html":
            return web.Response(
                text=_inline_images(message, content),
                content_type="text/html",
                headers=dict(SECURITY_HEADERS),
            )
        return web.Response(text=content, content_type="text/plain")

    app.router.add_get("/dev/mail", mail_list)
    app.router.add_get("/dev/mail/{name}", mail_item)
