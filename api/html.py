"""Every HTML page the product serves (sign-in, claim links, privacy/terms, the demo's mail
viewer) answers through here, with one set of security headers.

The pages carry capabilities in their URLs (sign-in and claim links), so nothing is cached,
no referrer leaks them onwards, robots do not index them, and the pages run no scripts and
load nothing from elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from aiohttp import web

from services import texts

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}


_STYLE = """
body { font-family: "Segoe UI", system-ui, -apple-system, Helvetica, Arial, sans-serif; margin: 0;
       color: #1b1b1b; background: #f5f5f5; font-size: 16px; line-height: 1.5; }
main { max-width: 40rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 8px;
       box-shadow: 0 1px 4px rgba(0, 0, 0, .15); }
main.wide { max-width: 72rem; }
h1 { font-size: 1.4rem; margin-top: 0; }
"""


def page_document(title: str, body: str, *, wide: bool = False) -> str:
    """The one frame of every page: `title` is escaped here (and is the page's heading),
    `body` must already be safe HTML."""
    main = '<main class="wide">' if wide else "<main>"
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(title)} · {escape(texts.PRODUCT_NAME)}</title>\n<style>{_STYLE}</style>\n"
        f"</head>\n<body>\n{main}\n<h1>{escape(title)}</h1>\n"
        f"{body}\n</main>\n</body>\n</html>\n"
    )


def html_page(title: str, body: str, *, status: int = 200, wide: bool = False) -> web.Response:
    """A page in the frame, with the security headers."""
    return html_response(page_document(title, body, wide=wide), status=status)


def html_response(document: str, *, status: int = 200) -> web.Response:
    headers = dict(SECURITY_HEADERS)
    return web.Response(text=document, status=status, content_type="text/html", headers=headers)


def redirect(location: str) -> web.Response:
    """A 302 that carries the same headers (a sign-in redirect's URL is a capability too)."""
    return web.Response(status=302, headers={**SECURITY_HEADERS, "Location": location})
