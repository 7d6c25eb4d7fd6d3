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

from api.html import html_response, redirect
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

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – pivot Scheduling</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1b1b;
       background: #f5f5f5; }}
main {{ max-width: 34rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 8px;
       box-shadow: 0 1px 4px rgba(0, 0, 0, .15); }}
h1 {{ font-size: 1.4rem; margin-top: 0; }}
p {{ line-height: 1.5; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p role="{role}">{message}</p>
{extra}
</main>
</body>
</html>
"""


def page(status: int, title: str, message: str, *, extra: str = "") -> web.Response:
    """An HTML page; `title` and `message` are escaped here, `extra` must be safe HTML."""
    body = _PAGE.format(
        title=html.escape(title),
        message=html.escape(message),
        role="status" if status < 400 else "alert",
        extra=extra,
    )
    return html_response(body, status=status)


def _refused(exc: SignInError) -> web.Response:
    status = STATUS_FOR.get(type(exc), 400)
    titles = {
        404: "Sign-in link not valid",
        410: "Sign-in link expired",
        409: "Sign-in link already used",
        403: texts.SIGNIN_WRONG_TENANT_TITLE,
    }
    return page(status, titles.get(status, "Sign-in did not complete"), exc.user_message)


def _unavailable() -> web.Response:
    return page(
        503,
        "Microsoft 365 is not reachable",
        "Microsoft 365 sign-in is not reachable right now. Please try the same link again in a few minutes.",
    )


def _unexpected() -> web.Response:
    reference = uuid.uuid4().hex[:12]
    log.exception("sign-in page failed ref=%s", reference)
    return page(
        500,
        "Something went wrong",
        f"The sign-in could not be completed. Please try again; if it keeps failing, "
        f"give your administrator this reference: {reference}.",
    )


async def start(request: web.Request) -> web.StreamResponse:
    """Redirect the browser to Microsoft's sign-in for a pending one-time link."""
    session_id = request.query.get("session", "").strip()
    if not session_id:
        return page(
            400, "Sign-in link incomplete", "This address is missing its sign-in code. Use the full link."
        )
    try:
        target = await request.app[SERVICES].identity.begin(session_id)
    except SignInError as exc:
        return _refused(exc)
    except GraphError:
        return _unavailable()
    except ConfigError:
        log.exception("Office 365 sign-in is not configured")
        return page(503, "Sign-in is not set up", "Office 365 sign-in is not configured on this server yet.")
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
    return page(
        200,
        "Signed in",
        f"Signed in as {result.upn} — you can close this window and return to Teams.",
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get(START_PATH, start)
    app.router.add_get(CALLBACK_PATH, callback)
    app.router.add_post(CALLBACK_PATH, callback)
