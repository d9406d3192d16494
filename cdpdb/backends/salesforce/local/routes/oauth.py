"""OAuth on the core host (token grants, revoke) and the a360 exchange of a core token for a
Data Cloud token, in Salesforce's answers and error shapes."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local import identity
from cdpdb.backends.salesforce.local.errors import HTML_REDIRECT_PAGE
from cdpdb.backends.salesforce.local.routes.common import backend, direct_auth, form_fields, server
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON
from cdpdb.local.routetable import Endpoint, Param

_FORM = {
    "type": "object",
    "properties": {
        k: {"type": "string"}
        for k in (
            "grant_type",
            "client_id",
            "client_secret",
            "username",
            "password",
            "assertion",
            "refresh_token",
            "subject_token",
            "subject_token_type",
            "dataspace",
            "token",
            "code",
            "code_verifier",
            "redirect_uri",
        )
    },
}
_AUTHORIZE_PARAMS = tuple(
    Param(name)
    for name in (
        "response_type",
        "client_id",
        "redirect_uri",
        "state",
        "scope",
        "code_challenge",
        "code_challenge_method",
        "login_hint",
    )
)


async def authorize(request: Request) -> Response:
    """The browser login's first step. The local org has no login page: the user (``login_hint``
    or the demo user) approves at once and the browser is sent back to the redirect URI."""
    try:
        location = backend(request).identity.authorize(dict(request.query_params))
    except identity.OAuthError as exc:
        raise ApiError(exc.status, exc.description, exc.error) from None
    return RedirectResponse(location, status_code=302)


async def token(request: Request) -> Response:
    fields = await form_fields(request)
    base = str(request.base_url).rstrip("/")
    provider = backend(request).identity
    try:
        access_token, _ = provider.grant(fields, base)
    except identity.OAuthError as exc:
        raise ApiError(exc.status, exc.description, exc.error) from None
    session = provider.core_session(access_token)
    extra = {"refresh_token": session.refresh_token} if session and session.refresh_token else {}
    return JSON(
        {
            "access_token": access_token,
            **extra,
            "signature": "local",
            "scope": session.scope if session else "",
            "instance_url": base,
            "id": f"{base}/id/{identity.ORG_ID}/{identity.USER_ID}",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
        }
    )


async def revoke(request: Request) -> Response:
    fields = await form_fields(request)
    if not backend(request).identity.revoke(fields.get("token", "")):
        raise ApiError(400, "invalid token", "unsupported_token_type")
    return Response(status_code=200)


async def exchange(request: Request) -> Response:
    fields = await form_fields(request)
    if fields.get("grant_type") != wire.CDP_GRANT:
        raise ApiError(400, f"grant_type must be {wire.CDP_GRANT}", "unsupported_grant_type")
    if fields.get("subject_token_type") != wire.ACCESS_TOKEN_TYPE:
        raise ApiError(400, f"subject_token_type must be {wire.ACCESS_TOKEN_TYPE}", "invalid_request")
    provider = backend(request).identity
    dataspace = fields.get(wire.DATASPACE_PARAM) or None
    if dataspace and not backend(request).has_dataspace(dataspace):
        raise ApiError(400, f"dataspace {dataspace!r} does not exist", "invalid_request")
    try:
        access_token = provider.exchange(fields.get("subject_token", ""), dataspace)
    except identity.ReusedSubjectToken:
        return Response(HTML_REDIRECT_PAGE, media_type="text/html;charset=UTF-8")
    except identity.OAuthError as exc:
        raise ApiError(exc.status, exc.description, exc.error) from None
    return JSON(
        {
            "access_token": access_token,
            "instance_url": server(request).tenant_address,
            "token_type": "Bearer",
            "issued_token_type": wire.JWT_TOKEN_TYPE,
            "expires_in": int(provider.token_lifetime),
        }
    )


async def exchange_revoke(request: Request) -> Response:
    direct_auth(request)
    fields = await form_fields(request)
    backend(request).identity.revoke(fields.get("token", ""))
    return JSON({"revoked": True})


ENDPOINTS = [
    Endpoint(
        "GET", wire.AUTHORIZE_PATH, authorize, "Browser login (authorization code + PKCE)", params=_AUTHORIZE_PARAMS
    ),
    Endpoint("POST", wire.TOKEN_PATH, token, "OAuth token", body=_FORM, form=True),
    Endpoint("POST", wire.REVOKE_PATH, revoke, "Revoke a token", body=_FORM, form=True),
    Endpoint("POST", wire.EXCHANGE_PATH, exchange, "Exchange for a Data Cloud token", body=_FORM, form=True),
    Endpoint("POST", wire.EXCHANGE_REVOKE_PATH, exchange_revoke, "Revoke a Data Cloud token", body=_FORM, form=True),
]
