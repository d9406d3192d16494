"""What every route of the local Data Cloud shares: the server's state, logins and dataspaces,
request bodies and parameters, results by id, and errors in the APIs' terms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from starlette.requests import Request

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local import identity
from cdpdb.backends.salesforce.local.backend import Backend
from cdpdb.backends.salesforce.local.errors import sql_error
from cdpdb.backends.salesforce.local.limits import Limits
from cdpdb.backends.salesforce.local.results import QueryResult
from cdpdb.backends.salesforce.local.sqltext import BadRequest
from cdpdb.local.engine import EngineError
from cdpdb.local.errors import ApiError
from cdpdb.local.http import off_loop
from cdpdb.local.results import CANCELLED, FAILED, ResultExpired, ResultNotFound
from cdpdb.local.routetable import COMMON_ERRORS

T = TypeVar("T")
#: A Direct API call may also be refused (403) when its token is scoped to another dataspace.
DIRECT_ERRORS = (*COMMON_ERRORS, 403)


@dataclass(frozen=True)
class Server:
    """What the handlers need of the running server (``app.state.server``)."""

    backend: Backend
    tenant_address: str  # what the a360 exchange returns as ``instance_url``
    admin_key: str
    openapi: dict[str, Any]


def server(request: Request) -> Server:
    found: Server = request.app.state.server
    return found


def backend(request: Request) -> Backend:
    return server(request).backend


def limits(request: Request) -> Limits:
    found: Limits = backend(request).faults.limits  # type: ignore[assignment]
    return found


# -- logins and dataspaces ----------------------------------------------------------------------


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "missing 'Authorization: Bearer <token>' header", "INVALID_SESSION_ID")
    return token.strip()


def existing(request: Request, dataspace: str) -> str:
    if not backend(request).has_dataspace(dataspace):
        raise ApiError(404, f"dataspace {dataspace!r} does not exist", "NOT_FOUND")
    return dataspace


def direct_auth(request: Request) -> tuple[str, str]:
    """Data Cloud token → (user, dataspace). The token's dataspace scope wins."""
    try:
        claims = backend(request).identity.data_cloud_claims(bearer(request))
    except identity.OAuthError as exc:
        raise ApiError(
            401, f"{exc.description}; get a new token from {wire.EXCHANGE_PATH}", "INVALID_SESSION_ID"
        ) from None
    asked = (
        request.headers.get(wire.DATASPACE_HEADER)
        or request.headers.get(wire.CONNECT_DATASPACE_HEADER)
        or request.query_params.get(wire.DATASPACE_PARAM)
    )
    scoped = claims.get("dataspace")
    if scoped and asked and asked != scoped:
        raise ApiError(
            403, f"this token is scoped to dataspace {scoped!r} and cannot read {asked!r}", "INSUFFICIENT_ACCESS"
        )
    return claims["sub"], existing(request, asked or scoped or wire.DEFAULT_DATASPACE)


def core_auth(request: Request, body: dict[str, Any] | None = None) -> tuple[str, str]:
    """Core (Salesforce) token → (user, dataspace), for the Connect API."""
    session = backend(request).identity.core_session(bearer(request))
    if session is None:
        raise ApiError(401, "Session expired or invalid", "INVALID_SESSION_ID")
    dataspace = (
        request.headers.get(wire.CONNECT_DATASPACE_HEADER)
        or request.query_params.get(wire.DATASPACE_PARAM)
        or (body or {}).get(wire.DATASPACE_PARAM)
        or wire.DEFAULT_DATASPACE
    )
    return session.username, existing(request, dataspace)


# -- request bodies and parameters --------------------------------------------------------------


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = orjson.loads(raw or b"{}")
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}", "JSON_PARSER_ERROR") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object", "JSON_PARSER_ERROR")
    return body


def sql_of(body: dict[str, Any]) -> str:
    sql = body.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        raise ApiError(400, "the request body needs a non-empty 'sql' string", "INVALID_INPUT")
    if "\x00" in sql:
        raise ApiError(400, "the SQL text cannot contain the NUL character", "INVALID_INPUT")
    return sql


def row_limit(value: Any, name: str) -> int | None:
    """A client's row limit: absent, or a non-negative JSON integer (never a string or boolean)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(400, f"{name} must be a non-negative integer, not {value!r}", "INVALID_INPUT")
    return value


def int_param(request: Request, name: str, default: int | None, low: int = 0, high: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"query parameter {name} must be an integer, not {raw!r}", "INVALID_INPUT") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ApiError(400, f"query parameter {name} must be {bound}, not {value}", "INVALID_INPUT")
    return value


def bool_param(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() in ("1", "true", "yes")


async def form_fields(request: Request) -> dict[str, str]:
    """OAuth fields, from the query string and a form body (the form wins)."""
    fields = dict(request.query_params)
    if wire.FORM_MEDIA_TYPE in request.headers.get("content-type", ""):
        form = await request.form()
        fields.update({k: str(v) for k, v in form.items()})
    return fields


async def prepare(fn: Callable[..., T], *args: Any, code: str = "INVALID_INPUT") -> T:
    """Parse, translate, check or bind off the event loop; client mistakes become 400s (``code``)."""
    try:
        return await off_loop(fn, *args)
    except EngineError as exc:
        raise sql_error(exc) from None
    except BadRequest as exc:
        raise ApiError(400, str(exc), code) from None


# -- results by id ------------------------------------------------------------------------------


def owned(request: Request, query_id: str, user: str, dataspace: str) -> QueryResult:
    """The result of ``query_id`` if this login ran it in this dataspace (see ResultStore.owned)."""
    try:
        result: QueryResult = backend(request).results.owned(query_id, user, dataspace)
    except ResultNotFound:
        raise ApiError(
            404,
            f"query {query_id!r} was not found: it never existed, was cancelled or its results were freed",
            "NOT_FOUND",
        ) from None
    except ResultExpired:
        raise ApiError(
            404, f"the results of query {query_id!r} have expired; run the query again", "QUERY_EXPIRED"
        ) from None
    return result


def raise_if_failed(result: QueryResult) -> None:
    if result.state in (FAILED, CANCELLED):
        assert result.error is not None
        raise sql_error(result.error)
