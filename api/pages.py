"""The privacy and terms pages the Teams app manifest links to."""

from __future__ import annotations

from html import escape

from aiohttp import web

from api.html import html_response
from services import texts


def _page(title: str, body: str) -> web.Response:
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f'<body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;max-width:40em;margin:2em auto;">'
        f"<h1>{escape(title)}</h1><p>{escape(body)}</p></body></html>"
    )
    return html_response(html)


async def privacy(_request: web.Request) -> web.Response:
    return _page(texts.PRIVACY_TITLE, texts.PRIVACY_BODY)


async def terms(_request: web.Request) -> web.Response:
    return _page(texts.TERMS_TITLE, texts.TERMS_BODY)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/privacy", privacy)
    app.router.add_get("/terms", terms)
