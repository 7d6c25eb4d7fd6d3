"""The e-mail links (DESIGN 3.9): `/claim/{token}` and `/release/{token}`.

`GET` only shows a confirmation page — it never changes anything, so mail
link scanners that open every URL cannot claim or release. The page's plain
HTML form (no JavaScript) `POST`s back to the same URL. The token itself is
the capability (signed, bound to one slot or claim and one recipient, expiring
at the slot's start), so a forged cross-site POST cannot name a slot it does
not hold a token for; the form also carries a `confirm` field a bare POST lacks.
A used, expired, tampered or foreign link gets a 4xx page saying so.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime

from aiohttp import web

from api.html import html_page
from api.keys import SERVICES
from services import texts
from services.claims import service as cl
from services.claims.claim_links import ClaimSigner, ClaimTokenExpired, ClaimTokenInvalid
from services.claims.release_links import ReleaseSigner
from services.domain.incident_view import IncidentView

log = logging.getLogger(__name__)


# Claim outcomes → (HTTP status, what the page says).
_REFUSALS: dict[str, tuple[int, str]] = {
    cl.CLAIM_LINK_USED: (410, texts.CLAIM_LINK_USED),
    cl.CLAIM_NOT_ALLOWED: (403, texts.CLAIM_LINK_FOREIGN),
    cl.CLAIM_NO_INCIDENT: (404, texts.CLAIM_NO_INCIDENT),
    cl.CLAIM_SLOT_GONE: (410, texts.CLAIM_LINK_SLOT_GONE),
    cl.CLAIM_STARTED: (410, texts.CLAIM_LINK_EXPIRED),
    cl.CLAIM_NOT_OPEN: (409, texts.CLAIM_NOT_OPEN),
    cl.CLAIM_RESOLVED: (410, texts.CLAIM_LINK_RESOLVED),
    cl.CLAIM_JUST_BOOKED: (409, texts.CLAIM_LINK_JUST_BOOKED),
    cl.CLAIM_UNVERIFIED: (503, texts.CLAIM_UNVERIFIED),
    cl.CLAIM_CHECKING: (503, texts.CLAIM_CHECKING),
}


def _page(
    title: str,
    lines: list[str],
    *,
    status: int = 200,
    facts: list[tuple[str, str]] | None = None,
    button: str | None = None,
) -> web.Response:
    """A plain, accessible page; with `button`, a form that POSTs back to this URL."""
    rows = "".join(
        f'<tr><th scope="row" style="text-align:left;padding:2px 16px 2px 0;">{html.escape(k)}</th>'
        f"<td>{html.escape(v)}</td></tr>"
        for k, v in facts or []
    )
    table = f'<table style="border-collapse:collapse;margin:0 0 16px;">{rows}</table>' if rows else ""
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    form = (
        '<form method="post" action="">'
        '<input type="hidden" name="confirm" value="yes">'
        '<button type="submit" style="font-size:16px;padding:8px 16px;">'
        f"{html.escape(button)}</button></form>"
        if button
        else ""
    )
    return html_page(title, f"{paragraphs}{table}{form}", status=status)


def _facts(view: IncidentView | None, when: str | None) -> list[tuple[str, str]]:
    if view is None:
        return []
    rows = [
        (texts.PAGE_INCIDENT, f"{view.incident_id}: {view.title}"),
        (texts.CLAIM_FACT_ROOM, view.room_name),
    ]
    if view.site_name:
        rows.append((texts.CLAIM_FACT_SITE, view.site_name))
    if when:
        rows.insert(0, (texts.CLAIM_FACT_WHEN, when))
    return rows


def _bad_link(exc: Exception, title: str) -> web.Response:
    if isinstance(exc, ClaimTokenExpired):
        return _page(title, [texts.CLAIM_LINK_EXPIRED, texts.PAGE_NOTHING_CHANGED], status=410)
    return _page(title, [texts.CLAIM_LINK_INVALID, texts.PAGE_NOTHING_CHANGED], status=400)


async def _confirmed(request: web.Request) -> bool:
    form = await request.post()
    return form.get("confirm") == "yes"


# ---- claim ----------------------------------------------------------------------------


async def claim_page(request: web.Request) -> web.Response:
    """GET: what the link would claim, and the button. Changes nothing."""
    return await _claim(request, commit=False)


async def claim_submit(request: web.Request) -> web.Response:
    """POST (the page's form): claim the slot."""
    if not await _confirmed(request):
        return _page(
            texts.CLAIM_PAGE_REFUSED_TITLE, [texts.CLAIM_LINK_INVALID, texts.PAGE_NOTHING_CHANGED], status=400
        )
    return await _claim(request, commit=True)


async def _claim(request: web.Request, *, commit: bool) -> web.Response:
    services = request.app[SERVICES]
    token = request.match_info["token"]
    try:
        link = ClaimSigner.from_settings(services.settings).verify(token, now=datetime.now(UTC))
    except (ClaimTokenInvalid, ClaimTokenExpired) as exc:
        return _bad_link(exc, texts.CLAIM_PAGE_REFUSED_TITLE)
    args = (link.client_id, link.incident_id, link.slot_id, link.email)
    if commit:
        result = await services.claims.claim_by_email(*args, token_sha256=link.use_key)
    else:
        result = await services.claims.preview_by_email(*args, token_sha256=link.use_key)
    view = await services.cards.view(link.client_id, link.incident_id, fresh=True)
    slot = view.slot(link.slot_id) if view is not None else None
    when = cl.slot_when(slot.start, slot.end, view.zone) if slot is not None and view is not None else None
    claim = result.claim
    if result.ok:
        assert claim is not None and view is not None
        done = cl.slot_when(claim.slot_start, claim.slot_end, view.zone)
        line = texts.CLAIM_PAGE_DONE.format(when=done, email=claim.claimer_email or link.email)
        return _page(texts.CLAIM_PAGE_DONE_TITLE, [line], facts=_facts(view, done))
    if result.outcome == cl.CLAIM_READY and result.claimant is not None:
        who = result.claimant.name + (
            f" ({result.claimant.provider_name})"
            if result.claimant.provider_name and result.claimant.provider_name != result.claimant.name
            else ""
        )
        lines = [
            texts.CLAIM_PAGE_QUESTION.format(incident=link.incident_id),
            texts.CLAIM_PAGE_AS.format(who=who, email=link.email),
        ]
        return _page(texts.CLAIM_PAGE_TITLE, lines, facts=_facts(view, when), button=texts.CLAIM_PAGE_BUTTON)
    if result.outcome == cl.CLAIM_TAKEN and claim is not None and view is not None:
        taken = texts.CLAIM_TAKEN.format(
            who=claim.who, when=cl.slot_when(claim.slot_start, claim.slot_end, view.zone)
        )
        return _page(texts.CLAIM_PAGE_REFUSED_TITLE, [taken, texts.PAGE_NOTHING_CHANGED], status=409)
    status, message = _REFUSALS.get(result.outcome, (409, texts.CLAIM_NOT_OPEN))
    log.info("claim link refused outcome=%s incident=%s", result.outcome, link.incident_id)
    response = _page(
        texts.CLAIM_PAGE_REFUSED_TITLE,
        [message, texts.PAGE_NOTHING_CHANGED],
        status=status,
        facts=_facts(view, when),
    )
    if status == 503:
        response.headers["Retry-After"] = "60"
    return response


# ---- release --------------------------------------------------------------------------


async def release_page(request: web.Request) -> web.Response:
    return await _release(request, commit=False)


async def release_submit(request: web.Request) -> web.Response:
    if not await _confirmed(request):
        return _page(
            texts.RELEASE_PAGE_REFUSED_TITLE,
            [texts.CLAIM_LINK_INVALID, texts.PAGE_NOTHING_CHANGED],
            status=400,
        )
    return await _release(request, commit=True)


async def _release(request: web.Request, *, commit: bool) -> web.Response:
    services = request.app[SERVICES]
    try:
        link = ReleaseSigner.from_settings(services.settings).verify(
            request.match_info["token"], now=datetime.now(UTC)
        )
    except (ClaimTokenInvalid, ClaimTokenExpired) as exc:
        return _bad_link(exc, texts.RELEASE_PAGE_REFUSED_TITLE)
    result = await services.claims.release_by_email(
        link.client_id, link.incident_id, link.claim_id, link.email, preview=not commit
    )
    view = await services.cards.view(link.client_id, link.incident_id, fresh=True)
    claim = result.claim
    when = cl.slot_when(claim.slot_start, claim.slot_end, view.zone) if claim and view else None
    if result.outcome == cl.RELEASE_OK:
        return _page(texts.RELEASE_PAGE_DONE_TITLE, [texts.RELEASE_PAGE_DONE], facts=_facts(view, when))
    if result.outcome == cl.RELEASE_READY and claim is not None:
        return _page(
            texts.RELEASE_PAGE_TITLE,
            [texts.RELEASE_PAGE_QUESTION.format(when=when, who=claim.who)],
            facts=_facts(view, when),
            button=texts.RELEASE_PAGE_BUTTON,
        )
    if result.outcome == cl.RELEASE_NOT_ALLOWED:
        status, message = 403, texts.RELEASE_LINK_FOREIGN
    else:
        status, message = 410, texts.RELEASE_NOT_CLAIMED
    return _page(texts.RELEASE_PAGE_REFUSED_TITLE, [message, texts.PAGE_NOTHING_CHANGED], status=status)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/claim/{token}", claim_page)
    app.router.add_post("/claim/{token}", claim_submit)
    app.router.add_get("/release/{token}", release_page)
    app.router.add_post("/release/{token}", release_submit)
