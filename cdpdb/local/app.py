"""HTTP routes of the local Data Cloud (Starlette): OAuth, Query API V1/V2/V3, Connect
``query-sql`` and the Metadata API, answering the documented shapes."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, TypeVar

import anyio
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from cdpdb.local import oauth, profile
from cdpdb.local.backend import Backend
from cdpdb.local.catalog import CATEGORIES, CIO, DMO, ENTITY_TYPES, Entity
from cdpdb.local.encoding import arrow_base64, arrow_ipc, arrow_messages, legacy_metadata, modern_metadata
from cdpdb.local.engine import EngineError, quote_ident, quote_literal
from cdpdb.local.errors import HTML_REDIRECT_PAGE, ApiError, error_body
from cdpdb.local.faults import Fault, FaultMiddleware
from cdpdb.local.results import CANCELLED, FAILED, FINISHED, QueryResult, hyper_query_id, trino_query_id
from cdpdb.local.sqlguard import PositionMap, strip_terminator, token_position
from cdpdb.local.sqltext import BadRequest, Translated, bind_mapped, ensure_query, order_by_clause, parse_parameters
from cdpdb.local.sqltext import _placeholders as placeholders

ARROW = "application/vnd.apache.arrow.stream"
DEFAULT_DATASPACE = "default"
MAX_WAIT_MS = 10_000
#: How often a synchronous (V1/V2) request checks that its client is still there.
DISCONNECT_POLL_SECONDS = 0.1
T = TypeVar("T")


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """Run CPU-heavy work (parsing, binding, encoding) on a worker thread, so that one big
    request never stalls the event loop every other request shares."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args))


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)


def _iso(moment: float | None = None) -> str:
    stamp = datetime.fromtimestamp(moment or time.time(), timezone.utc)
    return stamp.isoformat(timespec="microseconds").replace("+00:00", "Z")


async def _json_body(request: Request) -> dict:
    raw = await request.body()
    try:
        body = orjson.loads(raw or b"{}")
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}", "JSON_PARSER_ERROR") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object", "JSON_PARSER_ERROR")
    return body


def _sql_of(body: dict) -> str:
    sql = body.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        raise ApiError(400, "the request body needs a non-empty 'sql' string", "INVALID_INPUT")
    if "\x00" in sql:
        raise ApiError(400, "the SQL text cannot contain the NUL character", "INVALID_INPUT")
    return sql


def _row_limit(value: Any, name: str) -> int | None:
    """A client's row limit: absent, or a non-negative JSON integer (never a string or boolean)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(400, f"{name} must be a non-negative integer, not {value!r}", "INVALID_INPUT")
    return value


def _int_param(request: Request, name: str, default: int | None, low: int = 0, high: int | None = None) -> int | None:
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


def _check_parameter_names(raw: Any) -> None:
    """A parameter's ``name`` is text or absent; anything else is the client's mistake (was a 500)."""
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if isinstance(item, dict) and item.get("name") is not None and not isinstance(item["name"], str):
            raise BadRequest(f"parameter {i + 1} has a 'name' that is not a string: {item['name']!r}")


def _check_admin_parameters(sql: str, parameters: Any) -> None:
    """Writable-mode parameters: scalars, as many as the SQL's ``?`` (a list) or every ``:name``
    of the SQL (an object). psycopg refuses anything else without a SQLSTATE, which was a 500."""
    if parameters is None:
        return
    if not isinstance(parameters, (list, dict)):
        raise BadRequest("parameters must be a list (for ?) or an object (for :name)")
    values = parameters if isinstance(parameters, list) else list(parameters.values())
    if not all(v is None or isinstance(v, (str, int, float, bool)) for v in values):
        raise BadRequest("parameter values must be strings, numbers, booleans or null")
    if not parameters:
        return
    style = "QUESTION_MARK" if isinstance(parameters, list) else "NAMED"
    found = [match for _, _, match in placeholders(sql, style)]
    if isinstance(parameters, list) and len(found) != len(parameters):
        raise BadRequest(f"the SQL has {len(found)} ? placeholder(s) but {len(parameters)} parameter(s) were given")
    missing = sorted({m.group(1) for m in found} - set(parameters)) if isinstance(parameters, dict) else []
    if missing:
        raise BadRequest(f"no value was given for the named parameter(s) {', '.join(':' + m for m in missing)}")


def _bool_param(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() in ("1", "true", "yes")


def _literal(value: str) -> str:
    try:
        return quote_literal(value)
    except ValueError as exc:
        raise ApiError(400, f"filters: {exc}", "INVALID_INPUT") from None


def build_app(backend: Backend, *, tenant_address: str, admin_key: str) -> Starlette:
    """The ASGI app. ``tenant_address`` is what the a360 exchange returns as ``instance_url``."""

    # -- authentication helpers ----------------------------------------------------------------

    def bearer(request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "missing 'Authorization: Bearer <token>' header", "INVALID_SESSION_ID")
        return token.strip()

    def direct_auth(request: Request) -> tuple[str, str]:
        """Data Cloud token → (user, dataspace). The token's dataspace scope wins."""
        try:
            claims = backend.identity.data_cloud_claims(bearer(request))
        except oauth.OAuthError as exc:
            raise ApiError(
                401, f"{exc.description}; get a new token from /services/a360/token", "INVALID_SESSION_ID"
            ) from None
        asked = (
            request.headers.get("ctx-dataspace-ds_name")
            or request.headers.get("dataspace")
            or request.query_params.get("dataspace")
        )
        scoped = claims.get("dataspace")
        if scoped and asked and asked != scoped:
            raise ApiError(
                403, f"this token is scoped to dataspace {scoped!r} and cannot read {asked!r}", "INSUFFICIENT_ACCESS"
            )
        dataspace = asked or scoped or DEFAULT_DATASPACE
        if not backend.has_dataspace(dataspace):
            raise ApiError(404, f"dataspace {dataspace!r} does not exist", "NOT_FOUND")
        return claims["sub"], dataspace

    def core_auth(request: Request, body: dict | None = None) -> tuple[str, str]:
        session = backend.identity.core_session(bearer(request))
        if session is None:
            raise ApiError(401, "Session expired or invalid", "INVALID_SESSION_ID")
        dataspace = (
            request.headers.get("dataspace")
            or request.query_params.get("dataspace")
            or (body or {}).get("dataspace")
            or DEFAULT_DATASPACE
        )
        if not backend.has_dataspace(dataspace):
            raise ApiError(404, f"dataspace {dataspace!r} does not exist", "NOT_FOUND")
        return session.username, dataspace

    def owned(query_id: str, user: str, dataspace: str) -> QueryResult:
        """The result of ``query_id`` if this login ran it in this dataspace; anyone else gets the
        same 404 as for an id that never existed (an id reveals nothing about other users' queries)."""
        result = backend.results.get(query_id)
        if result is None or result.owner != user or result.dataspace != dataspace:
            raise ApiError(
                404,
                f"query {query_id!r} was not found: it never existed, was cancelled or its results were freed",
                "NOT_FOUND",
            )
        if result.expires_at <= time.monotonic():
            raise ApiError(404, f"the results of query {query_id!r} have expired; run the query again", "QUERY_EXPIRED")
        return result

    def raise_if_failed(result: QueryResult) -> None:
        if result.state in (FAILED, CANCELLED):
            raise ApiError.from_sql(result.error)

    # -- OAuth ---------------------------------------------------------------------------------

    async def form_fields(request: Request) -> dict[str, str]:
        fields = dict(request.query_params)
        if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
            form = await request.form()
            fields.update({k: str(v) for k, v in form.items()})
        return fields

    async def oauth_token(request: Request) -> Response:
        fields = await form_fields(request)
        base = str(request.base_url).rstrip("/")
        try:
            token, _ = backend.identity.grant(fields, base)
        except oauth.OAuthError as exc:
            raise ApiError(exc.status, exc.description, exc.error) from None
        issued = str(int(time.time() * 1000))
        return JSON(
            {
                "access_token": token,
                "signature": "local",
                "scope": "cdp_query_api cdp_profile_api api refresh_token",
                "instance_url": base,
                "id": f"{base}/id/{oauth.ORG_ID}/{oauth.USER_ID}",
                "token_type": "Bearer",
                "issued_at": issued,
            }
        )

    async def oauth_revoke(request: Request) -> Response:
        fields = await form_fields(request)
        if not backend.identity.revoke(fields.get("token", "")):
            raise ApiError(400, "invalid token", "unsupported_token_type")
        return Response(status_code=200)

    async def a360_token(request: Request) -> Response:
        fields = await form_fields(request)
        if fields.get("grant_type") != oauth.CDP_GRANT:
            raise ApiError(400, f"grant_type must be {oauth.CDP_GRANT}", "unsupported_grant_type")
        if fields.get("subject_token_type") != oauth.ACCESS_TOKEN_TYPE:
            raise ApiError(400, f"subject_token_type must be {oauth.ACCESS_TOKEN_TYPE}", "invalid_request")
        dataspace = fields.get("dataspace") or None
        if dataspace and not backend.has_dataspace(dataspace):
            raise ApiError(400, f"dataspace {dataspace!r} does not exist", "invalid_request")
        try:
            token = backend.identity.exchange(fields.get("subject_token", ""), dataspace)
        except oauth.ReusedSubjectToken:
            return Response(HTML_REDIRECT_PAGE, media_type="text/html;charset=UTF-8")
        except oauth.OAuthError as exc:
            raise ApiError(exc.status, exc.description, exc.error) from None
        return JSON(
            {
                "access_token": token,
                "instance_url": tenant_address,
                "token_type": "Bearer",
                "issued_token_type": "urn:ietf:params:oauth:token-type:jwt",
                "expires_in": int(backend.identity.token_lifetime),
            }
        )

    async def a360_revoke(request: Request) -> Response:
        direct_auth(request)
        fields = await form_fields(request)
        backend.identity.revoke(fields.get("token", ""))
        return JSON({"revoked": True})

    # -- Query API V1 and V2 ---------------------------------------------------------------------

    def page_count(
        result: QueryResult, start: int, row_limit: int | None, byte_limit: int, arrow: bool, style: str = "typed"
    ) -> int:
        """Rows from ``start`` that fit one page: within the row caps and about ``byte_limit`` bytes."""
        caps = [result.row_count - start, row_limit, backend.faults.limits.page_rows]
        rows_cap = max(min(x for x in caps if x is not None), 0)
        if rows_cap == 0:
            return 0
        if arrow:
            per_row = max(result.table.nbytes / max(result.row_count, 1), 1)
            return min(rows_cap, max(int(byte_limit // per_row), 1))
        return result.json_rows(style).rows_within(start, byte_limit, rows_cap)

    def legacy_page(
        result: QueryResult, start: int, arrow: bool, byte_limit: int, row_limit: int | None, chain
    ) -> bytes:
        """One V1/V2 response; ``chain(stop)`` gives ``done`` and ``nextBatchId``."""
        count = page_count(result, start, row_limit, byte_limit, arrow, "legacy")
        data = b"[]" if arrow else result.json_rows("legacy").array_bytes(start, start + count)
        head = {
            "startTime": _iso(),
            "endTime": _iso(),
            "rowCount": count,
            "queryId": result.query_id,
            **chain(start + count),
            "metadata": legacy_metadata(result.table.schema),
        }
        if arrow:
            head["arrowStream"] = arrow_base64(result.table.slice(start, count))
        return b'{"data":' + data + b"," + orjson.dumps(head)[1:]

    def legacy_query(sql: str, dataspace: str, head: str = "") -> tuple[Translated, PositionMap | Callable]:
        """V1/V2 SQL → checked Hyper SQL, and a map from positions in ``head + hyper_sql`` back to ``sql``."""
        sql = strip_terminator(sql)
        translated = backend.translate(sql, dataspace)  # its syntax errors point into ``sql`` already

        def to_user(position: int) -> int | None:
            inner = position - len(head)
            return token_position(sql, "trino", translated.sql, inner) if inner >= 1 else None

        try:
            backend.check(translated.sql, dataspace)
        except EngineError as exc:
            raise replace(exc, position=exc.position and to_user(exc.position + len(head))) from None
        return translated, to_user

    def v1_statement(sql: str, dataspace: str, orderby: str | None, limit: int, offset: int):
        head = "SELECT * FROM ("
        translated, to_user = legacy_query(sql, dataspace, head)
        order = ""
        if orderby:
            columns = backend.schema_of(dataspace, translated.sql).names
            order = f" ORDER BY {order_by_clause(orderby, columns)}"
        # One row beyond the page tells whether the result is done.
        statement = f"{head}{translated.sql}) AS q{order} LIMIT {limit + 1} OFFSET {offset}"
        return statement, translated, to_user

    async def prepare(fn: Callable[..., T], *args: Any) -> T:
        """Parse, translate, check or bind off the event loop; client mistakes become 400s."""
        try:
            return await off_loop(fn, *args)
        except EngineError as exc:
            raise ApiError.from_sql(exc) from None
        except BadRequest as exc:
            raise ApiError(400, str(exc), "INVALID_INPUT") from None

    async def run_attached(request: Request, result: QueryResult, sql: str) -> bool:
        """Run a V1/V2 query while its client waits for the answer (these APIs are synchronous).

        If the client goes away (a read timeout, a closed connection) or the request is
        abandoned, the statement is cancelled in Hyper at once: nobody will read its result.
        Returns whether the client is still there.
        """
        backend.submit(result, sql)
        try:
            while not await backend.wait(result, DISCONNECT_POLL_SECONDS):
                if await request.is_disconnected():
                    return False
            return True
        finally:
            if not result.done.is_set():
                with anyio.CancelScope(shield=True):
                    await off_loop(backend.cancel, result)
                backend.results.drop(result.query_id)

    async def v1_query(request: Request) -> Response:
        user, dataspace = direct_auth(request)
        body = await _json_body(request)
        sql = _sql_of(body)
        limits = backend.faults.limits
        limit = _int_param(request, "limit", limits.v1_max_rows, 1, limits.v1_max_rows)
        offset = _int_param(request, "offset", 0)
        orderby = request.query_params.get("orderby")
        statement, translated, to_user = await prepare(v1_statement, sql, dataspace, orderby, limit, offset)
        result = backend.results.new(trino_query_id(), dataspace, user)
        result.aggregates, result.map_position = translated.aggregates, to_user
        if not await run_attached(request, result, statement):
            return Response(status_code=499)  # nobody is listening
        backend.results.drop(result.query_id)
        raise_if_failed(result)
        more = result.table.num_rows > limit
        result.table = result.table.slice(0, limit)
        arrow = request.headers.get("enable-arrow-stream", "").lower() == "true"
        page = await off_loop(
            legacy_page, result, 0, arrow, 1 << 62, None, lambda stop: {"done": not more and stop >= result.row_count}
        )
        return JSON(page)

    async def v2_query(request: Request) -> Response:
        user, dataspace = direct_auth(request)
        sql = _sql_of(await _json_body(request))
        translated, to_user = await prepare(legacy_query, sql, dataspace)
        result = backend.results.new(trino_query_id(), dataspace, user)
        result.aggregates, result.map_position = translated.aggregates, to_user
        if not await run_attached(request, result, translated.sql):
            return Response(status_code=499)  # nobody is listening
        raise_if_failed(result)
        return await off_loop(v2_batch, request, result, 0, 0)

    def v2_batch(request: Request, result: QueryResult, start: int, number: int) -> Response:
        limits = backend.faults.limits
        arrow = request.headers.get("enable-arrow-stream", "").lower() == "true"

        def chain(stop: int) -> dict:
            if stop >= result.row_count:
                return {"done": True}
            return {"nextBatchId": backend.results.issue_batch(result.query_id, stop, number + 1), "done": False}

        return JSON(legacy_page(result, start, arrow, limits.v2_batch_bytes, limits.v2_batch_rows, chain))

    async def v2_next(request: Request) -> Response:
        user, dataspace = direct_auth(request)
        batch_id = request.path_params["batch_id"]
        batch = backend.results.take_batch(batch_id)
        if isinstance(batch, str):
            why = {
                "unknown": "is not a batch id this server issued",
                "used": "was already used: batch ids are single-use, so the query must be run again",
                "expired": "has expired (batch ids live one hour): run the query again",
            }[batch]
            raise ApiError(404, f"nextBatchId {batch_id!r} {why}", "BATCH_NOT_FOUND")
        result = owned(batch.query_id, user, dataspace)
        return await off_loop(v2_batch, request, result, batch.start, batch.number)

    # -- Query API V3 ----------------------------------------------------------------------------

    def v3_status(result: QueryResult) -> dict:
        done = result.done.is_set()
        finished = done and result.state == FINISHED
        chunk_rows = backend.faults.limits.v3_chunk_rows
        return {
            "queryId": result.query_id,
            "completionStatus": "FINISHED" if finished else "RUNNING_OR_UNSPECIFIED",
            "progress": 1.0 if done else 0.0,
            "rowCount": result.row_count,
            "chunkCount": max(1, math.ceil(result.row_count / chunk_rows)) if finished else 0,
            "expirationTime": result.expiration_iso(),
            "executionStats": {
                "wallClockTime": round(((result.finished or time.monotonic()) - result.started) * 1000),
                "rowsProcessed": result.row_count,
            },
        }

    def wants_arrow(request: Request) -> bool:
        return ARROW in request.headers.get("accept", "")

    def v3_rows_body(
        request: Request, result: QueryResult, start: int, count: int, omit_schema: bool, headers: dict | None = None
    ) -> Response:
        if wants_arrow(request):
            return Response(arrow_ipc(result.table.slice(start, count)), media_type=ARROW, headers=headers)
        rows = result.json_rows("typed")
        parts = [b'{"data":', rows.array_bytes(start, start + count), b',"returnedRows":', str(count).encode()]
        if not omit_schema:
            parts += [b',"metadata":', orjson.dumps({"columns": modern_metadata(result.table.schema)})]
        parts.append(b"}")
        return JSON(b"".join(parts), headers=headers)

    def checked_sql(sql: str, dataspace: str, raw_params: Any, style: str) -> tuple[str, PositionMap]:
        """V3/Connect SQL with its parameters bound, checked for the dataspace, and where each
        piece came from. Runs off the event loop: binding and parsing are linear but not free."""
        sql = strip_terminator(sql)
        ensure_query(sql)
        positions = PositionMap()
        if raw_params:
            _check_parameter_names(raw_params)
            params = parse_parameters(raw_params, named=style.upper() == "NAMED")
            sql, positions = bind_mapped(sql, style, params)
        try:
            backend.check(sql, dataspace)
        except EngineError as exc:
            raise replace(exc, position=exc.position and positions(exc.position)) from None
        return sql, positions

    async def prepared_sql(body: dict, dataspace: str, params_key: str, style: str) -> tuple[str, PositionMap]:
        sql = _sql_of(body)
        try:
            return await off_loop(checked_sql, sql, dataspace, body.get(params_key), style)
        except EngineError as exc:
            raise ApiError.from_sql(exc) from None
        except BadRequest as exc:
            raise ApiError(400, str(exc), "INVALID_PARAMETERS") from None

    async def v3_submit(request: Request) -> Response:
        user, dataspace = direct_auth(request)
        body = await _json_body(request)
        style = body.get("paramStyle") or "QUESTION_MARK"
        if not isinstance(style, str):
            raise ApiError(400, f"paramStyle must be a string, not {style!r}", "INVALID_PARAMETERS")
        sql, positions = await prepared_sql(body, dataspace, "parameters", style)
        mode = str(body.get("transferMode") or "ADAPTIVE").upper()
        if mode not in ("ADAPTIVE", "ASYNC"):
            raise ApiError(400, f"transferMode must be ADAPTIVE or ASYNC, not {mode!r}", "INVALID_INPUT")
        row_limit = _row_limit(body.get("queryRowLimit"), "queryRowLimit")
        if row_limit is not None:
            head = "SELECT * FROM ("
            sql, positions = f"{head}{sql}\n) AS q LIMIT {row_limit}", positions.wrapped(len(head))
        result_range = body.get("resultRange") or {}
        if not isinstance(result_range, dict):
            raise ApiError(400, "resultRange must be an object with rowLimit and byteLimit", "INVALID_INPUT")
        limits = backend.faults.limits
        byte_limit = result_range.get("byteLimit", limits.v3_max_byte_limit)
        inline_rows = _row_limit(result_range.get("rowLimit"), "resultRange.rowLimit")
        if (
            isinstance(byte_limit, bool)
            or not isinstance(byte_limit, int)
            or not 0 < byte_limit <= max(limits.v3_max_byte_limit, 20_971_520)
        ):
            raise ApiError(
                400, f"resultRange.byteLimit must be between 1 and {limits.v3_max_byte_limit}", "INVALID_INPUT"
            )
        result = backend.results.new(hyper_query_id(), dataspace, user)
        result.map_position = positions
        backend.submit(result, sql)
        if mode == "ASYNC" or not await backend.wait(result, limits.adaptive_wait_seconds):
            status = v3_status(result)
            return JSON({"data": [], "returnedRows": 0}, headers={"x-hyperdb-status": orjson.dumps(status).decode()})
        raise_if_failed(result)
        return await off_loop(v3_first_page, request, result, inline_rows, byte_limit)

    def v3_first_page(request: Request, result: QueryResult, inline_rows: int | None, byte_limit: int) -> Response:
        count = page_count(result, 0, inline_rows, byte_limit, wants_arrow(request))
        status = orjson.dumps(v3_status(result)).decode()
        return v3_rows_body(request, result, 0, count, False, {"x-hyperdb-status": status})

    async def v3_get_status(request: Request) -> Response:
        user, dataspace = direct_auth(request)
        result = owned(request.path_params["query_id"], user, dataspace)
        wait_ms = _int_param(request, "waitTimeMs", MAX_WAIT_MS, 0)
        await backend.wait(result, min(wait_ms, MAX_WAIT_MS) / 1000)
        raise_if_failed(result)
        status = v3_status(result)
        return JSON(status, headers={"x-hyperdb-status": orjson.dumps(status).decode()})

    async def finished_result(request: Request, user: str, dataspace: str) -> QueryResult:
        result = owned(request.path_params["query_id"], user, dataspace)
        if not await backend.wait(result, 60):
            raise ApiError(409, "the query is still running; poll its status before reading rows", "QUERY_NOT_FINISHED")
        raise_if_failed(result)
        return result

    async def v3_rows(request: Request) -> Response:
        user, dataspace = direct_auth(request)
        result = await finished_result(request, user, dataspace)
        if "offset" not in request.query_params:
            raise ApiError(400, "query parameter offset is required", "INVALID_INPUT")
        offset = _int_param(request, "offset", 0)
        limit = _int_param(request, "limit", None, 1)
        limits = backend.faults.limits
        byte_limit = _int_param(
            request, "byteLimit", limits.v3_max_byte_limit, 1, max(limits.v3_max_byte_limit, 20_971_520)
        )
        if offset >= result.row_count and not (offset == 0 and result.row_count == 0):
            raise ApiError(
                400,
                f"Request out of range: offset {offset} is past the last row (rowCount {result.row_count})",
                "OUT_OF_RANGE",
            )
        return await off_loop(v3_page, request, result, offset, limit, byte_limit)

    def v3_page(request: Request, result: QueryResult, offset: int, limit: int | None, byte_limit: int) -> Response:
        count = page_count(result, offset, limit, byte_limit, wants_arrow(request))
        return v3_rows_body(request, result, offset, count, _bool_param(request, "omitSchema"))

    async def v3_chunk(request: Request) -> Response:
        user, dataspace = direct_auth(request)
        result = await finished_result(request, user, dataspace)
        chunk_rows = backend.faults.limits.v3_chunk_rows
        chunk_count = max(1, math.ceil(result.row_count / chunk_rows))
        try:
            chunk = int(request.path_params["chunk"])
        except ValueError:
            raise ApiError(400, "chunk id must be an integer", "INVALID_INPUT") from None
        if not 0 <= chunk < chunk_count:
            raise ApiError(
                400, f"Request out of range: chunk {chunk} does not exist (chunkCount {chunk_count})", "OUT_OF_RANGE"
            )
        start = chunk * chunk_rows
        count = max(min(chunk_rows, result.row_count - start), 0)
        if wants_arrow(request):
            return StreamingResponse(arrow_messages(result.table.slice(start, count)), media_type=ARROW)
        return await off_loop(v3_rows_body, request, result, start, count, _bool_param(request, "omitSchema"))

    async def v3_metadata(request: Request) -> Response:
        user, dataspace = direct_auth(request)
        result = await finished_result(request, user, dataspace)
        return JSON({"metadata": {"columns": modern_metadata(result.table.schema)}})

    async def cancel_and_free(request: Request, user: str, dataspace: str) -> Response:
        """DELETE: stop the statement in Hyper now (not when it would have ended) and free the result."""
        result = owned(request.path_params["query_id"], user, dataspace)
        backend.results.drop(result.query_id)
        await off_loop(backend.cancel, result)
        return Response(status_code=204)

    async def v3_cancel(request: Request) -> Response:
        return await cancel_and_free(request, *direct_auth(request))

    # -- Connect query-sql ---------------------------------------------------------------------

    def connect_status(result: QueryResult) -> dict:
        status = v3_status(result)
        status["completionStatus"] = "Finished" if status["completionStatus"] == "FINISHED" else "Running"
        status.pop("executionStats")
        return status

    def connect_body(result: QueryResult, start: int, count: int, omit_schema: bool) -> Response:
        rows = result.json_rows("typed")
        parts = [b'{"data":', rows.array_bytes(start, start + count), b',"returnedRows":', str(count).encode()]
        if not omit_schema:
            parts += [b',"metadata":', orjson.dumps(modern_metadata(result.table.schema))]
        parts += [b',"status":', orjson.dumps(connect_status(result)), b"}"]
        return JSON(b"".join(parts))

    async def connect_submit(request: Request) -> Response:
        body = await _json_body(request)
        user, dataspace = core_auth(request, body)
        params = body.get("sqlParameters")
        named = isinstance(params, list) and params and all(isinstance(p, dict) and p.get("name") for p in params)
        sql, positions = await prepared_sql(body, dataspace, "sqlParameters", "NAMED" if named else "QUESTION_MARK")
        row_limit = _row_limit(body.get("rowLimit"), "rowLimit")
        result = backend.results.new(hyper_query_id(), dataspace, user)
        result.map_position = positions
        backend.submit(result, sql)
        if not await backend.wait(result, backend.faults.limits.adaptive_wait_seconds):
            return JSON({"data": [], "metadata": [], "returnedRows": 0, "status": connect_status(result)})
        raise_if_failed(result)
        return await off_loop(connect_page, result, 0, row_limit, False)

    async def connect_get_status(request: Request) -> Response:
        user, dataspace = core_auth(request)
        result = owned(request.path_params["query_id"], user, dataspace)
        wait_ms = _int_param(request, "waitTimeMs", 0, 0)
        await backend.wait(result, min(wait_ms, MAX_WAIT_MS) / 1000)
        raise_if_failed(result)
        return JSON({"status": connect_status(result)})

    async def connect_rows(request: Request) -> Response:
        user, dataspace = core_auth(request)
        result = await finished_result(request, user, dataspace)
        offset = _int_param(request, "offset", 0)
        row_limit = _int_param(request, "rowLimit", None, 1)
        if offset >= result.row_count and not (offset == 0 and result.row_count == 0):
            raise ApiError(
                400,
                f"Request out of range: offset {offset} is past the last row (rowCount {result.row_count})",
                "OUT_OF_RANGE",
            )
        return await off_loop(connect_page, result, offset, row_limit, _bool_param(request, "omitSchema"))

    def connect_page(result: QueryResult, offset: int, row_limit: int | None, omit_schema: bool) -> Response:
        count = page_count(result, offset, row_limit, backend.faults.limits.connect_page_bytes, False)
        return connect_body(result, offset, count, omit_schema)

    async def connect_cancel(request: Request) -> Response:
        return await cancel_and_free(request, *core_auth(request))

    # -- Metadata API ----------------------------------------------------------------------------

    def entity_json(entity: Entity) -> dict:
        def field_json(column) -> dict:
            item = {"name": column.name, "displayName": column.label, "type": column.metadata_type}
            if column.business_type:
                item["businessType"] = column.business_type
            precision, scale = column.precision_scale
            if precision is not None:
                item["precision"], item["scale"] = precision, scale
            if column.length is not None:
                item["length"] = column.length
            item["nullable"] = column.nullable
            if column.key_qualifier:
                item["keyQualifier"] = column.key_qualifier
            return item

        body: dict[str, Any] = {"name": entity.name, "displayName": entity.label}
        if entity.entity_type == CIO:
            body["dimensions"] = [field_json(c) for c in entity.columns if c.role == "dimension"]
            body["measures"] = [{**field_json(c), "rollupable": True} for c in entity.columns if c.role == "measure"]
            body["relationships"] = [
                {"fromEntity": r.from_entity, "toEntity": r.to_entity} for r in entity.relationships
            ]
        else:
            body["category"] = entity.category
            body["fields"] = [field_json(c) for c in entity.columns]
            body["primaryKeys"] = [
                {"name": k, "displayName": entity.column(k).label, "indexOrder": str(i + 1)}
                for i, k in enumerate(entity.primary_keys)
            ]
            body["relationships"] = [
                {
                    "fromEntity": r.from_entity,
                    "toEntity": r.to_entity,
                    "fromEntityAttribute": r.from_attribute,
                    "toEntityAttribute": r.to_attribute,
                    "cardinality": r.cardinality,
                }
                for r in entity.relationships
            ]
            body["indexes"] = []
        if entity.partition_by:
            body["partitionBy"] = entity.partition_by
        return body

    async def metadata(request: Request) -> Response:
        _, dataspace = direct_auth(request)
        kind = request.query_params.get("entityType")
        category = request.query_params.get("entityCategory")
        name = request.query_params.get("entityName")
        if kind and kind not in ENTITY_TYPES:
            raise ApiError(400, f"entityType must be one of {', '.join(ENTITY_TYPES)}, not {kind!r}", "INVALID_INPUT")
        if category and category not in CATEGORIES:
            raise ApiError(
                400, f"entityCategory must be one of {', '.join(CATEGORIES)}, not {category!r}", "INVALID_INPUT"
            )
        entities = backend.catalog.visible(dataspace)
        if name:
            entities = [e for e in entities if e.name == name]
            if not entities:
                raise ApiError(404, f"entity {name!r} does not exist in dataspace {dataspace!r}", "NOT_FOUND")
        entities = [
            e for e in entities if (not kind or e.entity_type == kind) and (not category or e.category == category)
        ]
        return JSON({"metadata": [entity_json(e) for e in entities]})

    # -- Profile and Calculated Insights APIs ------------------------------------------------------

    def object_rows(
        dataspace: str, entity: Entity, columns: list[str], filters: list, limit: int, offset: int, orderby: str | None
    ) -> Response:
        known = {c.name for c in entity.columns}
        unknown = sorted({name for name in columns + [f for f, _ in filters] if name not in known})
        if unknown:
            raise ApiError(422, f"field(s) {', '.join(unknown)} do not exist on {entity.name}", "INVALID_FIELD")
        where = " AND ".join(f"CAST({quote_ident(f)} AS text) = {_literal(v)}" for f, v in filters) or "TRUE"
        order = ""
        if orderby:
            try:
                order = f" ORDER BY {order_by_clause(orderby, sorted(known))}"
            except BadRequest as exc:
                raise ApiError(400, str(exc), "INVALID_INPUT") from None
        select = ", ".join(quote_ident(c) for c in columns)
        sql = f"SELECT {select} FROM {quote_ident(entity.name)} WHERE {where}{order} LIMIT {limit + 1} OFFSET {offset}"
        try:
            table = backend.engine.query_arrow(dataspace, sql)
        except EngineError as exc:
            raise ApiError.from_sql(exc) from None
        rows = table.slice(0, limit).to_pylist()
        return JSON(orjson.dumps({"data": rows, "done": table.num_rows <= limit}, default=str))

    def request_names(request: Request, key: str) -> list[str] | None:
        try:
            return profile.names(request.query_params.get(key))
        except profile.FilterSyntaxError as exc:
            raise ApiError(400, f"{key}: {exc}", "INVALID_INPUT") from None

    def request_filters(request: Request, required: bool) -> list:
        raw = request.query_params.get("filters")
        if raw is None:
            if required:
                raise ApiError(
                    400, "the filters parameter is required, e.g. filters=[FirstName__c=Ann]", "INVALID_INPUT"
                )
            return []
        try:
            return profile.parse_filters(raw)
        except profile.FilterSyntaxError as exc:
            raise ApiError(400, f"filters: {exc}", "INVALID_INPUT") from None

    def entity_or_404(name: str, dataspace: str, kinds: tuple[str, ...]) -> Entity:
        entity = backend.catalog.get(name, dataspace)
        if entity is None or entity.entity_type not in kinds:
            raise ApiError(404, f"{name!r} is not a {' or '.join(kinds)} of dataspace {dataspace!r}", "NOT_FOUND")
        return entity

    async def profile_search(request: Request) -> Response:
        _, dataspace = direct_auth(request)
        entity = entity_or_404(request.path_params["model"], dataspace, (DMO,))
        fields = request_names(request, "fields") or [c.name for c in entity.columns[:10]]
        limit = _int_param(request, "limit", 100, 1, 4999)
        return await anyio.to_thread.run_sync(
            object_rows,
            dataspace,
            entity,
            fields,
            request_filters(request, True),
            limit,
            _int_param(request, "offset", 0),
            request.query_params.get("orderby"),
        )

    async def insight_query(request: Request) -> Response:
        _, dataspace = direct_auth(request)
        entity = entity_or_404(request.path_params["ci"], dataspace, (CIO,))
        dimensions = request_names(request, "dimensions") or [c.name for c in entity.columns if c.role == "dimension"]
        measures = request_names(request, "measures") or [c.name for c in entity.columns if c.role == "measure"]
        if len(dimensions) > 10 or len(measures) > 5:
            raise ApiError(400, "at most 10 dimensions and 5 measures per request", "INVALID_INPUT")
        limit = _int_param(request, "limit", 4999, 1, 4999)
        return await anyio.to_thread.run_sync(
            object_rows,
            dataspace,
            entity,
            dimensions + measures,
            request_filters(request, False),
            limit,
            _int_param(request, "offset", 0),
            request.query_params.get("orderby"),
        )

    # -- administration (faults, expiry) --------------------------------------------------------

    def admin(request: Request) -> None:
        if request.headers.get("x-cdpdb-admin") != admin_key:
            raise ApiError(403, "the admin endpoints need the X-Cdpdb-Admin header printed by 'cdpdb serve'")

    async def admin_faults(request: Request) -> Response:
        admin(request)
        plan = backend.faults
        if request.method == "DELETE":
            plan.clear()
        elif request.method == "POST":
            body = await _json_body(request)
            limits, faults = body.get("limits") or {}, body.get("faults") or []
            if (
                not isinstance(limits, dict)
                or not isinstance(faults, list)
                or not all(isinstance(f, dict) for f in faults)
            ):
                raise ApiError(400, "the body is {'limits': {name: value}, 'faults': [{kind, ...}]}", "INVALID_INPUT")
            try:
                new_faults = [Fault(**item) for item in faults]  # all or nothing
                plan.set_limits(**limits)
                for fault in new_faults:
                    plan.add(fault)
            except (TypeError, ValueError) as exc:
                raise ApiError(400, str(exc), "INVALID_INPUT") from None
        return JSON(plan.describe())

    async def admin_execute(request: Request) -> Response:
        """Writable mode for tests: DDL/DML with bind parameters, on the admin path only."""
        admin(request)
        body = await _json_body(request)
        sql = _sql_of(body)
        dataspace = body.get("dataspace") or DEFAULT_DATASPACE
        if not backend.has_dataspace(dataspace):
            raise ApiError(404, f"dataspace {dataspace!r} does not exist", "NOT_FOUND")
        parameters = body.get("parameters")
        try:
            _check_admin_parameters(sql, parameters)
        except BadRequest as exc:
            raise ApiError(400, str(exc), "INVALID_PARAMETERS") from None
        try:
            rowcount = await anyio.to_thread.run_sync(backend.write, dataspace, sql, parameters)
        except EngineError as exc:
            raise ApiError.from_sql(exc) from None
        return JSON({"rowcount": rowcount})

    async def admin_expire(request: Request) -> Response:
        admin(request)
        body = await _json_body(request)
        if body.get("tokens", True):
            backend.identity.expire_all()
        if body.get("results", True):
            backend.results.expire_all()
        return JSON({"expired": True})

    async def openapi(request: Request) -> Response:
        from cdpdb.local.openapi import spec

        return JSON(spec())

    routes = [
        Route("/services/oauth2/token", oauth_token, methods=["POST"]),
        Route("/services/oauth2/revoke", oauth_revoke, methods=["POST"]),
        Route("/services/a360/token", a360_token, methods=["POST"]),
        Route("/services/a360/revoke", a360_revoke, methods=["POST"]),
        Route("/api/v1/query", v1_query, methods=["POST"]),
        Route("/api/v2/query", v2_query, methods=["POST"]),
        Route("/api/v2/query/{batch_id}", v2_next, methods=["GET", "POST"]),
        Route("/api/v3/query", v3_submit, methods=["POST"]),
        Route("/api/v3/query/{query_id}", v3_get_status, methods=["GET"]),
        Route("/api/v3/query/{query_id}", v3_cancel, methods=["DELETE"]),
        Route("/api/v3/query/{query_id}/rows", v3_rows, methods=["GET"]),
        Route("/api/v3/query/{query_id}/chunks/{chunk}", v3_chunk, methods=["GET"]),
        Route("/api/v3/query/{query_id}/metadata", v3_metadata, methods=["GET"]),
        Route("/services/data/{version}/ssot/query-sql", connect_submit, methods=["POST"]),
        Route("/services/data/{version}/ssot/query-sql/{query_id}", connect_get_status, methods=["GET"]),
        Route("/services/data/{version}/ssot/query-sql/{query_id}", connect_cancel, methods=["DELETE"]),
        Route("/services/data/{version}/ssot/query-sql/{query_id}/rows", connect_rows, methods=["GET"]),
        Route("/api/v1/metadata", metadata, methods=["GET"]),
        Route("/api/v1/profile/{model}", profile_search, methods=["GET"]),
        Route("/api/v1/insight/calculated-insights/{ci}", insight_query, methods=["GET"]),
        Route("/api/v1/metadata/", metadata, methods=["GET"]),
        Route("/__cdpdb/faults", admin_faults, methods=["GET", "POST", "DELETE"]),
        Route("/__cdpdb/expire", admin_expire, methods=["POST"]),
        Route("/__cdpdb/execute", admin_execute, methods=["POST"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]

    async def api_error(request: Request, exc: ApiError) -> Response:
        body = error_body(request.url.path, exc.status, exc.message, exc.code, exc.details)
        return Response(body, status_code=exc.status, media_type="application/json", headers=exc.headers)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        message = f"{request.method} {request.url.path} is not an endpoint of this server"
        if status == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return Response(
            error_body(request.url.path, status, message, "NOT_FOUND" if status == 404 else "METHOD_NOT_ALLOWED"),
            status_code=status,
            media_type="application/json",
        )

    async def crash(request: Request, exc: Exception) -> Response:
        body = error_body(
            request.url.path, 500, "internal error in the local Data Cloud; see its log", "UNKNOWN_EXCEPTION"
        )
        return Response(body, status_code=500, media_type="application/json")

    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: api_error, 404: not_found, 405: not_found, Exception: crash},
    )
    app.add_middleware(FaultMiddleware, plan=backend.faults)
    return app
