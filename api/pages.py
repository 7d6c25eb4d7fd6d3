"""The privacy and terms pages the Teams app manifest links to."""

from __future__ import annotations

from html import escape

from aiohttp import web

from api.html import html_page
from services import texts


def _page(title: str, body: str) -> web.Response:
    return html_page(title, f"<p>{escape(body)}</p>")


async def privacy(_request: web.Request) -> web.Response:
    return _page(texts.PRIVACY_TITLE, texts.PRIVACY_BODY)


async def terms(_request: web.Request) -> web.Response:
    return _page(texts.TERMS_TITLE, texts.TERMS_BODY)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/privacy", privacy)
    app.router.add_get("/terms", terms)
