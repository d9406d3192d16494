"""``POST /ims/token/v3``: the client-credentials grant (form body or query parameters)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local.routes.common import limits, server
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON
from cdpdb.local.routetable import Endpoint


async def token(request: Request) -> Response:
    form = await request.form()
    values = {**request.query_params, **{k: str(v) for k, v in form.items()}}
    if values.get("grant_type") != wire.GRANT_CLIENT_CREDENTIALS:
        raise ApiError(400, "grant_type must be client_credentials", "unsupported_grant_type")
    if not values.get("scope"):
        raise ApiError(400, "scope is required", wire.IMS_INVALID_SCOPE)
    lifetime = limits(request).token_lifetime_seconds
    issued = server(request).ims.grant(values.get("client_id", ""), values.get("client_secret", ""), lifetime)
    if issued is None:
        raise ApiError(401, "invalid client_id or client_secret", wire.IMS_INVALID_CLIENT)
    return JSON({"access_token": issued, "token_type": "bearer", "expires_in": lifetime})


FORM = {
    "type": "object",
    "required": ["grant_type", "client_id", "client_secret", "scope"],
    "properties": {k: {"type": "string"} for k in ("grant_type", "client_id", "client_secret", "scope")},
}
ENDPOINTS = [
    Endpoint(
        "POST", wire.IMS_TOKEN, token, "IMS access token (client credentials)", body=FORM, form=True, errors=(400, 401)
    )
]
