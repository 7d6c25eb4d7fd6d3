"""Every HTML page the product serves (sign-in, claim links, privacy/terms, the demo's mail
viewer) answers through here, with one set of security headers.

The pages carry capabilities in their URLs (sign-in and claim links), so nothing is cached,
no referrer leaks them onwards, robots do not index them, and the pages run no scripts and
load nothing from elsewhere."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

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


def html_response(document: str, *, status: int = 200) -> web.Response:
    headers = dict(SECURITY_HEADERS)
    return web.Response(text=document, status=status, content_type="text/html", headers=headers)


def redirect(location: str) -> web.Response:
    """A 302 that carries the same headers (a sign-in redirect's URL is a capability too)."""
    return web.Response(status=302, headers={**SECURITY_HEADERS, "Location": location})
