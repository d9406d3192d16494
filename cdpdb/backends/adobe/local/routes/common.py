"""What every route of the local Adobe shares: the server's state, the gateway's checks of the
four headers, request bodies, and list paging by ``limit`` + ``start``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local.ims import Credential, Ims
from cdpdb.backends.adobe.local.limits import Limits
from cdpdb.backends.adobe.local.requestlog import RequestLog
from cdpdb.backends.adobe.local.store import Store
from cdpdb.local.errors import ApiError
from cdpdb.local.faults import FaultPlan
from cdpdb.local.routetable import COMMON_ERRORS, Param

ERRORS = (*COMMON_ERRORS, 403)
HEADERS = (
    Param(wire.API_KEY, "header", required=True),
    Param(wire.ORG_ID, "header", required=True),
    Param(wire.SANDBOX, "header", required=True),
)
DEFAULT_LIST_LIMIT = 20  # UNCONFIRMED: items per list page when no limit is given


@dataclass(frozen=True)
class Server:
    store: Store
    ims: Ims
    faults: FaultPlan
    log: RequestLog
    query_host: str


def server(request: Request) -> Server:
    found: Server = request.app.state.server
    return found


def limits(request: Request) -> Limits:
    found: Limits = server(request).faults.limits  # type: ignore[assignment]
    return found


def gate(request: Request) -> tuple[Credential, str]:
    """The gateway: a valid bearer token, its client id as x-api-key, its organisation, and a
    sandbox it may use. Returns the credential and the sandbox."""
    scheme, _, token = request.headers.get(wire.AUTHORIZATION, "").partition(" ")
    credential = server(request).ims.check(token.strip()) if scheme.lower() == "bearer" else None
    if credential is None:
        raise ApiError(401, "Oauth token is not valid", wire.PLATFORM_UNAUTHORIZED)
    if request.headers.get(wire.API_KEY) != credential.client_id:
        raise ApiError(403, "Api Key is invalid", wire.GATEWAY_BAD_API_KEY)
    if request.headers.get(wire.ORG_ID) != credential.org_id:
        raise ApiError(403, "User is not authorized for this organisation", wire.PLATFORM_FORBIDDEN)
    sandbox = request.headers.get(wire.SANDBOX) or ""
    if not sandbox:
        raise ApiError(400, f"the {wire.SANDBOX} header is required", wire.UPS_MISSING_HEADER)
    store = server(request).store
    if sandbox not in store.sandboxes or (credential.sandboxes is not None and sandbox not in credential.sandboxes):
        raise ApiError(403, f"User is not authorized for the sandbox {sandbox}", wire.PLATFORM_FORBIDDEN)
    store.advance(sandbox, limits(request).job_seconds)
    return credential, sandbox


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = orjson.loads(raw or b"{}")
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}", wire.UPS_BAD_REQUEST) from None
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object", wire.UPS_BAD_REQUEST)
    return body


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer, not {raw!r}", wire.UPS_BAD_REQUEST) from None
    if not low <= value <= high:
        raise ApiError(400, f"{name} must be {low} to {high}, not {value}", wire.UPS_BAD_REQUEST)
    return value


def page(request: Request, items: Sequence[Any], key: str = wire.CHILDREN) -> dict[str, Any]:
    """One page of a list: ``start`` is the offset token of the previous page's ``_page.next``."""
    limit = int_param(request, wire.P_PAGE_LIMIT, DEFAULT_LIST_LIMIT, 1, 1000)
    offset = int_param(request, wire.P_START, 0, 0, 10**9)
    chunk = list(items[offset : offset + limit])
    more = offset + limit < len(items)
    return {
        wire.PAGE: {"totalCount": len(items), "pageSize": len(chunk), "next": str(offset + limit) if more else ""},
        key: chunk,
    }
