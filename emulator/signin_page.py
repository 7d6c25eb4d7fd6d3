"""The sign-in and form_post pages: plain HTML forms, no JavaScript, so a test can
fill them with any HTTP client and a person can use any browser."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

_STYLE = (
    "body{font-family:Segoe UI,Helvetica,Arial,sans-serif;background:#f2f2f2;margin:0}"
    "main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem 2.5rem;"
    "box-shadow:0 2px 6px rgba(0,0,0,.2)}"
    "label{display:block;margin-top:1rem}input[type=text],input[type=password]"
    "{width:100%;padding:.4rem;font-size:1rem;box-sizing:border-box}"
    "button{margin-top:1.5rem;padding:.5rem 2rem;font-size:1rem;background:#0067b8;"
    "color:#fff;border:0}.error{color:#a80000}.muted{color:#555;font-size:.9rem}"
)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _hidden(params: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
        for k, v in params.items()
        if k not in ("username", "password")
    )


def sign_in_page(
    *,
    action: str,
    params: Mapping[str, str],
    tenant_name: str,
    domain: str,
    scopes: list[str],
    username: str = "",
    error: str | None = None,
) -> str:
    """The form asking for `username` and `password`, listing the requested scopes."""
    scope_items = "".join(f"<li>{escape(s)}</li>" for s in scopes) or "<li>(sign-in only)</li>"
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f'<h1>Sign in</h1><p class="muted">{escape(tenant_name)} ({escape(domain)}) '
        "&middot; Microsoft 365 emulator</p>"
        f"<p>The app <code>{escape(params.get('client_id', ''))}</code> asks for:</p>"
        f"<ul>{scope_items}</ul>{alert}"
        f'<form method="post" action="{escape(action)}">{_hidden(params)}'
        '<label for="username">Email or username</label>'
        f'<input type="text" id="username" name="username" value="{escape(username)}" '
        'autocomplete="username" required>'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" '
        'autocomplete="current-password" required>'
        '<button type="submit">Sign in</button></form>'
    )
    return _page("Sign in to your account", body)


def error_page(message: str) -> str:
    """A terminal error (the redirect URI cannot be trusted, so nothing redirects)."""
    return _page(
        "Sign-in error",
        f'<h1>Sorry, we can\'t sign you in</h1><p class="error" role="alert">{escape(message)}</p>',
    )


def form_post_page(redirect_uri: str, fields: Mapping[str, str]) -> str:
    """response_mode=form_post without JavaScript: one button posts the result."""
    inputs = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items()
    )
    return _page(
        "Continue",
        f'<form method="post" action="{escape(redirect_uri)}">{inputs}'
        '<p>Signed in.</p><button type="submit">Continue</button></form>',
    )
