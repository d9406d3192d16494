"""TD's Trino endpoint, served locally: ``POST /v1/statement`` starts a statement, its ``nextUri``
(GET) answers pages until the last, DELETE cancels it. Over the same DuckDB engine and data as
the Audience API, so the SQL ``/segments/query`` returns runs here as written.

Authentication as TD's Trino endpoint (api-presto.treasuredata.com): the user (``X-Trino-User``)
is the API key, over HTTPS; a missing or unknown key is 401, a write-only key 403. Statements
belong to the key's user: another key's requests for its ``nextUri`` are 404.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.local import trinoproto as proto
from cdpdb.backends.treasuredata.local.backend import Backend
from cdpdb.backends.treasuredata.local.keys import MASTER
from cdpdb.backends.treasuredata.local.model import User
from cdpdb.backends.treasuredata.local.routes.common import backend, limits
from cdpdb.backends.treasuredata.local.trinosql import to_duckdb
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.routetable import Endpoint, Param

#: How long a GET of a running statement's nextUri waits for it to finish (Trino's long poll).
LONG_POLL_SECONDS = 1.0
USER = Param(proto.HEADER_USER, "header")
STATEMENT_PARAMS = (USER, Param(proto.HEADER_CATALOG, "header"), Param(proto.HEADER_SCHEMA, "header"))
TOKEN = Param("token", "path", "integer")


def _user(request: Request) -> User:
    key = request.headers.get(proto.HEADER_USER, "").strip()
    found = backend(request).keys.find(key) if key else None
    if found is None:
        raise ApiError(401, f"Unauthorized: give a master API key as the Trino user ({proto.HEADER_USER})")
    if found.kind != MASTER:
        raise ApiError(403, "this API key is write-only (for importing data); Trino queries need a master key")
    return found.user


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def statement(request: Request) -> Response:
    who = _user(request)
    raw = await request.body()
    try:
        sql = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "the statement must be UTF-8 text") from None
    service = backend(request)
    tables = await off_loop(_tables, service)
    schemas = sorted(tables)
    catalog = request.headers.get(proto.HEADER_CATALOG) or wire.TRINO_CATALOG
    schema = request.headers.get(proto.HEADER_SCHEMA) or schemas[0]
    query: proto.TrinoQuery = service.trino.new(proto.new_query_id(), schema, who.id)
    query.page_rows = limits(request).trino_page_rows
    try:
        if not sql.strip():
            raise proto.TrinoError("SYNTAX_ERROR", "the statement is empty")
        if catalog != wire.TRINO_CATALOG:
            raise proto.TrinoError("CATALOG_NOT_FOUND", f"Catalog '{catalog}' not found (use {wire.TRINO_CATALOG})")
        if schema not in schemas:
            raise proto.TrinoError("SCHEMA_NOT_FOUND", f"Schema '{schema}' does not exist")
        duck = await off_loop(to_duckdb, sql, tables, schema, service.store.dialect.pinned_now)
    except proto.TrinoError as exc:
        query.failure = exc
        query.done.set()
        return JSON(query.answer(_base(request), 0))
    service.submit(query, duck)
    return JSON(query.answer(_base(request), 0))


def _tables(service: Backend) -> dict[str, set[str]]:
    """The tables of each parent segment's database, as the engine has them now."""
    databases = {p.database for p in service.store.parents.values()}
    listing = service.engine.query_arrow(
        next(iter(databases)), "select table_schema, table_name from information_schema.tables"
    ).to_pylist()
    found: dict[str, set[str]] = {name: set() for name in databases}
    for row in listing:
        if row["table_schema"] in found:
            found[row["table_schema"]].add(row["table_name"])
    return found


def _owned(request: Request) -> proto.TrinoQuery:
    """The statement of this ``nextUri`` if the key's user started it; 404 for anyone else, as
    for an unknown or expired id (an id reveals nothing about other users' statements)."""
    who = _user(request)
    query_id = request.path_params["query_id"]
    query = backend(request).trino.get(query_id)
    if (
        query is None
        or query.owner != who.id
        or query.slug != request.path_params["slug"]
        or query.expires_at <= time.monotonic()
    ):
        raise ApiError(404, f"Query not found: {query_id}")
    return query


def _token(request: Request) -> int:
    raw = request.path_params["token"]
    if not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise ApiError(404, f"no such page token: {raw!r}")
    return int(raw)


async def page(request: Request) -> Response:
    query = _owned(request)
    token = _token(request)
    await backend(request).wait(query, LONG_POLL_SECONDS)
    answer = await off_loop(query.answer, _base(request), token)
    if "nextUri" not in answer and "error" not in answer:  # the last page: the result is freed, as in Trino
        backend(request).trino.drop(query.query_id)
    return JSON(answer)


async def cancel(request: Request) -> Response:
    query = _owned(request)
    _token(request)
    if not query.done.is_set():
        await off_loop(backend(request).cancel, query)
        await backend(request).wait(query, 10)
    query.cancelled = True  # later requests for its pages answer USER_CANCELED
    return Response(status_code=204)


ENDPOINTS = [
    Endpoint(
        "POST",
        proto.STATEMENT,
        statement,
        "Trino: start a statement (the body is its SQL text)",
        STATEMENT_PARAMS,
        errors=(400, 401, 403, 429),
    ),
    Endpoint(
        "GET",
        proto.EXECUTING,
        page,
        "Trino: the next answer of a statement",
        (USER, TOKEN),
        errors=(401, 403, 404, 429),
    ),
    Endpoint(
        "DELETE",
        proto.EXECUTING,
        cancel,
        "Trino: cancel a statement",
        (USER, TOKEN),
        errors=(401, 403, 404, 429),
    ),
]
