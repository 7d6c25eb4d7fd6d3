"""Microsoft identity platform endpoints under /{tenant}/: discovery, keys, the
authorization-code flow with PKCE, and the token endpoint (auth code, refresh)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
from aiohttp import web

from emulator.appkeys import ISSUER, STATE, TENANTS, base_url
from emulator.dropping import abort_transport, wait_latency
from emulator.model import App, Mailbox, Tenant
from emulator.scopes import DEFAULT_CONSENT, ScopeError, split_scopes
from emulator.signin_page import error_page, form_post_page, sign_in_page
from emulator.state import AUTH_CODE_LIFETIME_S, AuthCode, EmulatorState, RequestRecord, now_ms

# (user, access-token scopes, granted scopes for the refresh token, OpenID scopes, nonce)
Redeemed = tuple[Mailbox, list[str], list[str], list[str], str | None]
AUTHORIZE_PARAMS = (
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "response_mode",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "login_hint",
    "client_info",
    "domain_hint",
    "claims",
    "client-request-id",
)


class OAuthError(Exception):
    """An error answered in the token endpoint's JSON shape."""

    def __init__(
        self, error: str, code: int, description: str, *, status: int = 400, suberror: str | None = None
    ) -> None:
        super().__init__(description)
        self.error, self.code, self.description = error, code, description
        self.status, self.suberror = status, suberror

    def response(self) -> web.Response:
        """The JSON error body Entra ID sends."""
        trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        body: dict[str, Any] = {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description} Trace ID: {trace} "
            f"Correlation ID: {correlation} Timestamp: {stamp}",
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": "https://login.microsoftonline.com/error?code=" + str(self.code),
        }
        if self.suberror:
            body["suberror"] = self.suberror
        return web.json_response(body, status=self.status, headers={"Cache-Control": "no-store"})


def _resolve_tenant(request: web.Request) -> Tenant:
    given = request.match_info["tenant"].lower()
    tenant = request.app[TENANTS].resolve(given)
    if tenant is None:
        raise OAuthError(
            "invalid_tenant",
            90002,
            f"Tenant '{given}' not found. Check to make sure you have the "
            "correct tenant ID and are signing into the correct cloud.",
        )
    return tenant


def issuer_for(request: web.Request, tenant: Tenant) -> str:
    """The issuer discovery announces and tokens carry."""
    return f"{base_url(request)}/{tenant.tenant_id}/v2.0"


async def discovery(request: web.Request) -> web.Response:
    """OpenID Provider configuration (v2.0)."""
    try:
        tenant = _resolve_tenant(request)
    except OAuthError as exc:
        return exc.response()
    base = base_url(request)
    root = f"{base}/{tenant.tenant_id}"
    return web.json_response(
        {
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": issuer_for(request, tenant),
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{base}/oidc/userinfo",
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
            "claims_supported": [
                "sub",
                "iss",
                "cloud_instance_name",
                "cloud_instance_host_name",
                "cloud_graph_host_name",
                "msgraph_host",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "acr",
                "nonce",
                "preferred_username",
                "name",
                "tid",
                "ver",
                "at_hash",
                "c_hash",
                "email",
            ],
            "kerberos_endpoint": f"{root}/kerberos",
            "tenant_region_scope": "NA",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }
    )


async def keys(request: web.Request) -> web.Response:
    """The JWKS holding the token signing key."""
    try:
        tenant = _resolve_tenant(request)
    except OAuthError as exc:
        return exc.response()
    key = request.app[ISSUER].key
    return web.json_response({"keys": [key.jwk(issuer_for(request, tenant))]})


def _redirect_target(redirect_uri: str, fields: dict[str, str], mode: str) -> str:
    parts = urlsplit(redirect_uri)
    if mode == "fragment":
        return urlunsplit(parts._replace(fragment=urlencode(fields)))
    query = parse_qsl(parts.query, keep_blank_values=True) + list(fields.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _reply(redirect_uri: str, fields: dict[str, str], mode: str) -> web.Response:
    if mode == "form_post":
        return web.Response(text=form_post_page(redirect_uri, fields), content_type="text/html")
    return web.Response(status=302, headers={"Location": _redirect_target(redirect_uri, fields, mode)})


def _granted_defaults(tenant: Tenant, client_id: str) -> list[str]:
    app = tenant.find_app(client_id)
    return list(app.scopes) if app and app.scopes else list(DEFAULT_CONSENT)


def _check_client_for_authorize(tenant: Tenant, params: dict[str, str]) -> str | None:
    """A message when the request cannot even be redirected back with an error."""
    client_id = params.get("client_id", "")
    redirect_uri = params.get("redirect_uri", "")
    if not client_id:
        return "AADSTS900144: The request body must contain the following parameter: 'client_id'."
    if not redirect_uri:
        return "AADSTS900144: The request must contain the parameter 'redirect_uri'."
    if tenant.apps:
        app = tenant.find_app(client_id)
        if app is None:
            return (
                f"AADSTS700016: Application with identifier '{client_id}' was not found "
                f"in the directory '{tenant.display_name}'."
            )
        if app.redirect_uris and redirect_uri not in app.redirect_uris:
            return (
                "AADSTS50011: The redirect URI specified in the request does not match the "
                "redirect URIs configured for the application."
            )
    return None


def _authorize_errors(params: dict[str, str]) -> tuple[str, str] | None:
    if params.get("response_type") != "code":
        return "unsupported_response_type", "AADSTS700054: response_type must be 'code'."
    method = params.get("code_challenge_method")
    if params.get("code_challenge") and method not in (None, "", "S256", "plain"):
        return "invalid_request", "AADSTS501491: Invalid code_challenge_method."
    if params.get("prompt") == "none":
        return "login_required", "AADSTS50058: A silent sign-in request was sent but no user is signed in."
    return None


def _pick(source: Any) -> dict[str, str]:
    return {k: str(source[k]) for k in AUTHORIZE_PARAMS if k in source}


async def authorize(request: web.Request) -> web.StreamResponse:
    """GET shows the sign-in form; POST checks the password and redirects with a code."""
    state = request.app[STATE]
    started = time.perf_counter()
    form = await request.post() if request.method == "POST" else None
    params = _pick(form if form is not None else request.query)
    response = await _authorize(request, params, form)
    username = str(form.get("username", "")).lower() if form is not None else ""
    _record(state, request, response, started, user=username or None, client_id=params.get("client_id"))
    return response


async def _authorize(request: web.Request, params: dict[str, str], form: Any) -> web.StreamResponse:
    try:
        tenant = _resolve_tenant(request)
    except OAuthError as exc:
        return web.Response(
            text=error_page(f"AADSTS{exc.code}: {exc.description}"), status=400, content_type="text/html"
        )
    problem = _check_client_for_authorize(tenant, params)
    if problem:
        return web.Response(text=error_page(problem), status=400, content_type="text/html")
    mode = params.get("response_mode") or "query"
    back: dict[str, str] = {"state": params["state"]} if "state" in params else {}
    try:
        failure = _authorize_errors(params)
        if failure:
            return _reply(
                params["redirect_uri"], {"error": failure[0], "error_description": failure[1], **back}, mode
            )
        graph_scopes, oidc = split_scopes(
            params.get("scope", ""), default_consent=_granted_defaults(tenant, params["client_id"])
        )
    except ScopeError as exc:
        return _reply(
            params["redirect_uri"],
            {"error": "invalid_scope", "error_description": f"AADSTS70011: {exc}", **back},
            mode,
        )
    shown = graph_scopes + oidc
    action = request.path
    if form is None:
        return web.Response(
            text=sign_in_page(
                action=action,
                params=params,
                tenant_name=tenant.display_name,
                domain=tenant.domain,
                scopes=shown,
                username=params.get("login_hint", ""),
            ),
            content_type="text/html",
        )
    username = str(form.get("username", "")).strip()
    login = username if "@" in username else f"{username}@{tenant.domain}"
    user = tenant.mailboxes.get(login.lower())
    password = str(form.get("password", ""))
    if (
        user is None
        or user.kind != "user"
        or user.password is None
        or not hmac.compare_digest(user.password.encode(), password.encode())
    ):
        return web.Response(
            text=sign_in_page(
                action=action,
                params=params,
                tenant_name=tenant.display_name,
                domain=tenant.domain,
                scopes=shown,
                username=username,
                error="Your account or password is incorrect.",
            ),
            content_type="text/html",
        )
    code = request.app[STATE].issue_code(
        AuthCode(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            scopes=graph_scopes + oidc,
            user=user.key,
            tenant_id=tenant.tenant_id,
            nonce=params.get("nonce"),
            code_challenge=params.get("code_challenge"),
            code_challenge_method=params.get("code_challenge_method")
            or ("plain" if params.get("code_challenge") else None),
            expires_ms=now_ms() + AUTH_CODE_LIFETIME_S * 1000,
        )
    )
    fields = {"code": code, **back, "session_state": str(uuid.uuid5(uuid.NAMESPACE_URL, user.id))}
    if params.get("client_info") == "1":
        fields["client_info"] = _client_info(user, tenant)
    return _reply(params["redirect_uri"], fields, mode)


async def logout(request: web.Request) -> web.StreamResponse:
    """End-session endpoint: there is no session cookie, so just go back."""
    target = request.query.get("post_logout_redirect_uri")
    if target:
        return web.Response(status=302, headers={"Location": target})
    return web.Response(text=error_page("You have signed out."), content_type="text/html")


def _client_info(user: Mailbox, tenant: Tenant) -> str:
    raw = json.dumps({"uid": user.id, "utid": tenant.tenant_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _authenticate_client(tenant: Tenant, request: web.Request, form: Any) -> str:
    client_id = str(form.get("client_id", ""))
    secret = form.get("client_secret")
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
            client_id, secret = decoded.split(":", 1)
        except (ValueError, UnicodeDecodeError) as exc:
            raise OAuthError(
                "invalid_client", 7000215, "Invalid client secret provided.", status=401
            ) from exc
    if not client_id:
        raise OAuthError(
            "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."
        )
    if not tenant.apps:
        return client_id
    app: App | None = tenant.find_app(client_id)
    if app is None:
        raise OAuthError(
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the "
            f"directory '{tenant.display_name}'.",
        )
    if app.client_secret is not None:
        if not secret:
            raise OAuthError(
                "invalid_client",
                7000218,
                "The request body must contain the "
                "following parameter: 'client_assertion' or 'client_secret'.",
                status=401,
            )
        if not hmac.compare_digest(app.client_secret.encode(), str(secret).encode()):
            raise OAuthError(
                "invalid_client",
                7000215,
                "Invalid client secret provided. "
                "Ensure the secret being sent in the request is the client secret "
                "value, not the client secret ID.",
                status=401,
            )
    return client_id


def _pkce_ok(grant: AuthCode, verifier: str | None) -> bool:
    if not grant.code_challenge:
        return True
    if not verifier:
        return False
    if grant.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    else:
        computed = verifier
    return hmac.compare_digest(computed, grant.code_challenge)


def _redeem_code(state: EmulatorState, tenant: Tenant, form: Any, client_id: str) -> Redeemed:
    code = str(form.get("code", ""))
    if not code:
        raise OAuthError(
            "invalid_request", 900144, "The request body must contain the following parameter: 'code'."
        )
    grant = state.auth_codes.get(code)
    if grant is None or grant.tenant_id not in ("", tenant.tenant_id):
        raise OAuthError(
            "invalid_grant",
            9002313,
            "Invalid request. The authorization code is malformed or was not issued by this tenant.",
        )
    if grant.redeemed:
        raise OAuthError(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, "
            "please retry with a new valid code or use an existing refresh token.",
        )
    if grant.client_id != client_id:
        raise OAuthError(
            "invalid_grant", 70000, "The provided authorization code was issued to another client."
        )
    grant.redeemed = True
    if now_ms() > grant.expires_ms:
        raise OAuthError(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity.",
        )
    if str(form.get("redirect_uri", "")) != grant.redirect_uri:
        raise OAuthError(
            "invalid_grant",
            500117,
            "The reply uri specified in the request does "
            "not match the reply uri used to obtain the authorization code.",
        )
    if not _pkce_ok(grant, form.get("code_verifier")):
        raise OAuthError(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        )
    user = tenant.mailboxes.get(grant.user)
    if user is None:
        raise OAuthError("invalid_grant", 50034, "The user account does not exist in the directory.")
    graph, oidc = split_scopes(" ".join(grant.scopes), default_consent=())
    graph = graph or ["User.Read"]
    return user, graph, graph, oidc, grant.nonce


def _redeem_refresh(request: web.Request, tenant: Tenant, form: Any, client_id: str) -> Redeemed:
    state = request.app[STATE]
    token = str(form.get("refresh_token", ""))
    if not token:
        raise OAuthError(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'refresh_token'.",
        )
    try:
        claims = request.app[ISSUER].decode_refresh_token(token, client_id)
    except jwt.ExpiredSignatureError as exc:
        raise OAuthError("invalid_grant", 700082, "The refresh token has expired due to inactivity.") from exc
    except jwt.InvalidAudienceError as exc:
        raise OAuthError("invalid_grant", 70000, "The refresh token was issued to another client.") from exc
    except jwt.PyJWTError as exc:
        raise OAuthError(
            "invalid_grant", 9002313, "Invalid request. The refresh token is malformed or invalid."
        ) from exc
    user = tenant.find(str(claims["oid"]))
    if user is None or claims.get("tid") != tenant.tenant_id:
        raise OAuthError("invalid_grant", 50034, "The user account does not exist in the directory.")
    if state.refresh_token_revoked(user.upn, int(claims.get("emu_iat_ms", 0))):
        raise OAuthError(
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being "
            "revoked, a fresh auth token is needed. The user might have changed or "
            "reset their password.",
        )
    granted, granted_oidc = split_scopes(str(claims.get("scp", "")), default_consent=())
    requested, _ = split_scopes(str(form.get("scope", "")), default_consent=granted)
    missing = [s for s in requested if s not in granted]
    if missing:
        raise OAuthError(
            "invalid_grant",
            65001,
            f"The user or administrator has not consented to use the application for {', '.join(missing)}.",
            suberror="consent_required",
        )
    if not state.use_refresh_token(str(claims["jti"])) and state.strict_refresh_rotation:
        raise OAuthError(
            "invalid_grant",
            70000,
            "The refresh token was already redeemed: the "
            "emulator rotates refresh tokens, use the newest one.",
        )
    # The access token gets what was asked; the new refresh token keeps the whole grant.
    return user, requested or granted, granted, granted_oidc, None


async def token(request: web.Request) -> web.StreamResponse:
    """The token endpoint, with identity faults and request logging."""
    state = request.app[STATE]
    started = time.perf_counter()
    form = await request.post()
    decision = state.faults.decide(target="identity", mailbox=None, can_drop=True)
    await wait_latency(decision)
    fault = decision.failure
    user_seen: list[str] = []
    if fault is not None and fault.kind == "drop":
        response: web.StreamResponse = abort_transport(request)
    elif fault is not None:
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        response = web.json_response(
            {
                "error": "temporarily_unavailable",
                "error_description": "AADSTS50196: The server is temporarily unavailable "
                "(fault injected by the emulator).",
            },
            status=int(fault.kind),
            headers=headers,
        )
    else:
        response = await _token(request, user_seen)
    _record(
        state,
        request,
        response,
        started,
        user=user_seen[0] if user_seen else None,
        client_id=str(form.get("client_id", "")) or None,
        fault=fault.kind if fault else None,
    )
    return response


async def _token(request: web.Request, user_seen: list[str]) -> web.Response:
    try:
        tenant = _resolve_tenant(request)
        form = await request.post()
        client_id = _authenticate_client(tenant, request, form)
        grant_type = str(form.get("grant_type", ""))
        if grant_type == "authorization_code":
            user, graph, granted, oidc, nonce = _redeem_code(request.app[STATE], tenant, form, client_id)
        elif grant_type == "refresh_token":
            user, graph, granted, oidc, nonce = _redeem_refresh(request, tenant, form, client_id)
        else:
            raise OAuthError(
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{grant_type}'.",
            )
    except OAuthError as exc:
        return exc.response()
    except ScopeError as exc:
        return OAuthError("invalid_scope", 70011, str(exc)).response()
    user_seen.append(user.key)
    return web.json_response(
        _token_body(
            request,
            tenant,
            user,
            client_id,
            (graph, granted),
            oidc,
            nonce,
            client_info=form.get("client_info") == "1",
        ),
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _token_body(
    request: web.Request,
    tenant: Tenant,
    user: Mailbox,
    client_id: str,
    scopes: tuple[list[str], list[str]],
    oidc: list[str],
    nonce: str | None,
    *,
    client_info: bool,
) -> dict[str, Any]:
    """Access token for `scopes[0]`; the refresh token carries the whole grant `scopes[1]`."""
    graph, granted = scopes
    state, issuer = request.app[STATE], request.app[ISSUER]
    iss = issuer_for(request, tenant)
    stamp = now_ms()
    lifetime = state.token_lifetime
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": " ".join(graph + [s for s in oidc if s != "offline_access"]),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": issuer.access_token(
            issuer=iss,
            tenant_id=tenant.tenant_id,
            user=user,
            client_id=client_id,
            scopes=graph,
            lifetime=lifetime,
            now_ms=stamp,
        ),
    }
    if "offline_access" in oidc:
        body["refresh_token"] = issuer.refresh_token(
            issuer=iss,
            tenant_id=tenant.tenant_id,
            user=user,
            client_id=client_id,
            scopes=granted + oidc,
            lifetime=state.refresh_token_lifetime,
            now_ms=stamp,
        )
    if "openid" in oidc:
        body["id_token"] = issuer.id_token(
            issuer=iss,
            tenant_id=tenant.tenant_id,
            user=user,
            client_id=client_id,
            nonce=nonce,
            lifetime=lifetime,
            now_ms=stamp,
        )
    if client_info:
        body["client_info"] = _client_info(user, tenant)
    return body


def add_routes(app: web.Application) -> None:
    """Register the identity endpoints (after /v1.0 and /_admin, which they would shadow)."""
    app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", discovery)
    app.router.add_get("/{tenant}/.well-known/openid-configuration", discovery)
    app.router.add_get("/{tenant}/discovery/v2.0/keys", keys)
    app.router.add_get("/{tenant}/discovery/keys", keys)
    app.router.add_route("GET", "/{tenant}/oauth2/v2.0/authorize", authorize)
    app.router.add_route("POST", "/{tenant}/oauth2/v2.0/authorize", authorize)
    app.router.add_post("/{tenant}/oauth2/v2.0/token", token)
    app.router.add_get("/{tenant}/oauth2/v2.0/logout", logout)


def _record(
    state: EmulatorState,
    request: web.Request,
    response: web.StreamResponse,
    started: float,
    *,
    user: str | None,
    client_id: str | None,
    fault: str | None = None,
) -> None:
    """Log one identity request (authorize or token) for tests to assert on."""
    state.record(
        RequestRecord(
            at_ms=now_ms(),
            kind="identity",
            method=request.method,
            path=request.path,
            query="",
            status=response.status,
            mailbox=None,
            user=user,
            client_id=client_id,
            duration_ms=(time.perf_counter() - started) * 1000,
            fault=fault,
        )
    )
