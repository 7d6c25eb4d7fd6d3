"""Office 365 sign-in pages: `GET /auth/start?session=…` and `/auth/callback` (the
authority POSTs the answer there, `response_mode=form_post`; GET with a query works too).

Small, accessible HTML pages a browser shows the client admin. They never show
exception text: only each domain error's `user_message`. The callback URL
carries an authorization code, so pages send no referrer and are not cached.
"""

from __future__ import annotations

import html
import logging
import uuid

from aiohttp import web

from api.html import html_page, redirect
from api.keys import SERVICES
from services import texts
from services.errors import ConfigError
from services.m365.graph_errors import GraphError
from services.m365.signin import (
    CALLBACK_PATH,
    START_PATH,
    SignInError,
    SignInExpired,
    SignInFailed,
    SignInUnknown,
    SignInUsed,
    SignInWrongTenant,
)

log = logging.getLogger(__name__)

STATUS_FOR: dict[type[SignInError], int] = {
    SignInUnknown: 404,
    SignInExpired: 410,
    SignInUsed: 409,
    SignInFailed: 400,
    SignInWrongTenant: 403,
}

def page(status: int, title: str, message: str) -> web.Response:
    """A sign-in page: one escaped message under its title."""
    role = "status" if status < 400 else "alert"
    return html_page(title, f'<p role="{role}">{html.escape(message)}</p>', status=status)


def _refused(exc: SignInError) -> web.Response:
    status = STATUS_FOR.get(type(exc), 400)
    titles = {
        404: texts.SIGNIN_PAGE_UNKNOWN_TITLE,
        410: texts.SIGNIN_PAGE_EXPIRED_TITLE,
        409: texts.SIGNIN_PAGE_USED_TITLE,
        403: texts.SIGNIN_WRONG_TENANT_TITLE,
    }
    return page(status, titles.get(status, texts.SIGNIN_PAGE_FAILED_TITLE), exc.user_message)


def _unavailable() -> web.Response:
    return page(503, texts.SIGNIN_PAGE_UNREACHABLE_TITLE, texts.SIGNIN_PAGE_UNREACHABLE)


def _unexpected() -> web.Response:
    reference = uuid.uuid4().hex[:12]
    log.exception("sign-in page failed ref=%s", reference)
    return page(500, texts.SIGNIN_PAGE_ERROR_TITLE, texts.SIGNIN_PAGE_ERROR.format(reference=reference))


async def start(request: web.Request) -> web.StreamResponse:
    """Redirect the browser to Microsoft's sign-in for a pending one-time link."""
    session_id = request.query.get("session", "").strip()
    if not session_id:
        return page(400, texts.SIGNIN_PAGE_INCOMPLETE_TITLE, texts.SIGNIN_PAGE_INCOMPLETE)
    try:
        target = await request.app[SERVICES].identity.begin(session_id)
    except SignInError as exc:
        return _refused(exc)
    except GraphError:
        return _unavailable()
    except ConfigError:
        log.exception("Office 365 sign-in is not configured")
        return page(503, texts.SIGNIN_PAGE_NOT_SET_UP_TITLE, texts.SIGNIN_PAGE_NOT_SET_UP)
    except Exception:
        return _unexpected()
    return redirect(target)


async def callback(request: web.Request) -> web.Response:
    """Complete the sign-in Microsoft sent back (a form POST, or a query); say who is signed in."""
    if request.method == "POST":
        fields = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    else:
        fields = dict(request.query)
    try:
        result = await request.app[SERVICES].identity.complete(fields)
    except SignInError as exc:
        log.info("sign-in callback refused: %s", exc)
        return _refused(exc)
    except GraphError:
        return _unavailable()
    except Exception:
        return _unexpected()
    return page(200, texts.SIGNIN_PAGE_DONE_TITLE, texts.SIGNIN_PAGE_DONE.format(upn=result.upn))


def add_routes(app: web.Application) -> None:
    app.router.add_get(START_PATH, start)
    app.router.add_get(CALLBACK_PATH, callback)
    app.router.add_post(CALLBACK_PATH, callback)
