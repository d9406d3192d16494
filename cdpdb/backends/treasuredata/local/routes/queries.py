"""Segment queries: the SQL a rule compiles to (``/segments/query``), and the asynchronous query
life cycle (``/segments/queries``: submit, status, ``/customers`` pages, ``/kill``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.treasuredata import rules, wire
from cdpdb.backends.treasuredata.local.queries import SegmentQuery
from cdpdb.backends.treasuredata.local.routes.common import (
    AUDIENCE,
    ERRORS,
    backend,
    int_field,
    int_param,
    json_body,
    limits,
    parent,
    rule_of,
    unsupported,
    user,
)
from cdpdb.backends.treasuredata.local.routes.segments import _RULE_SCHEMA
from cdpdb.backends.treasuredata.local.rulesql import TRINO
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.results import ResultExpired, ResultNotFound
from cdpdb.local.routetable import Endpoint, Param

SQL_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {"format": {"type": "string", "enum": ["sql"]}, "kind": {"type": "integer"}, "rule": _RULE_SCHEMA},
}
QUERY_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "columns": {"type": "array", "items": {"type": "string"}},
        "kind": {"type": "integer"},
        "rule": _RULE_SCHEMA,
        "pageSize": {"type": "integer"},
        "maxPage": {"type": "integer"},
        "filterString": {"type": "string"},
        "enableMv": {"type": "string"},
    },
}
QUERY_ID = Param("query_id", "path")


def _kind(body: dict[str, Any]) -> None:
    kind = body.get("kind", wire.KIND_BATCH)
    if not isinstance(kind, int) or isinstance(kind, bool) or kind not in wire.SEGMENT_KINDS:
        raise ApiError(400, f"kind must be one of {sorted(wire.SEGMENT_KINDS)}, not {kind!r}")
    if kind != wire.KIND_BATCH or body.get("realtime") is True:
        raise ApiError(422, "only batch (kind 0) segment queries are served by the local server")


async def segment_sql(request: Request) -> Response:
    """``{"sql": ...}``: the Trino SQL TD would run for the rule (every profile without one)."""
    user(request)
    audience = parent(request)
    body = await json_body(request)
    if body.get("format", "sql") != "sql":
        raise ApiError(400, f"format must be 'sql', not {body.get('format')!r}")
    _kind(body)
    rule = rule_of(body)
    try:
        sql = await off_loop(backend(request).store.sql, audience.id, rule, TRINO)
    except rules.RuleError as exc:
        raise unsupported(exc) from None
    return JSON({"sql": sql})


async def submit(request: Request) -> Response:
    who = user(request)
    audience = parent(request)
    body = await json_body(request)
    _kind(body)
    columns = body.get("columns")
    if columns is not None and (not isinstance(columns, list) or not all(isinstance(c, str) for c in columns)):
        raise ApiError(400, "columns must be a list of attribute names")
    page_size = int_field(body, "pageSize", limits(request).page_size, 1, limits(request).max_page_size)
    max_page = int_field(body, "maxPage", None, 1)
    text = body.get("filterString")
    if text is not None and not isinstance(text, str):
        raise ApiError(400, "filterString must be text")
    rule = rule_of(body)
    try:
        query = await off_loop(
            backend(request).submit_segment_query, audience.id, who.id, rule, columns or None, page_size, max_page, text
        )
    except rules.RuleError as exc:
        raise unsupported(exc) from None
    return JSON(query.to_json())


def _owned(request: Request) -> SegmentQuery:
    who = user(request)
    audience = parent(request)
    query_id = request.path_params["query_id"]
    try:
        found: SegmentQuery = backend(request).results.owned(query_id, who.id, audience.database)
    except ResultNotFound:
        raise ApiError(404, f"segment query {query_id} was not found") from None
    except ResultExpired:
        raise ApiError(404, f"the results of segment query {query_id} have expired; run it again") from None
    return found


async def status(request: Request) -> Response:
    return JSON(_owned(request).to_json())


async def customers(request: Request) -> Response:
    query = _owned(request)
    page = int_param(request, "page", wire.FIRST_PAGE, wire.FIRST_PAGE)
    return JSON(await off_loop(query.page, page))


async def kill(request: Request) -> Response:
    query = _owned(request)
    if query.done.is_set():
        return JSON({"message": f"segment query {query.query_id} had already finished ({query.status})"})
    await off_loop(backend(request).cancel, query)
    await backend(request).wait(query, 10)
    return JSON({"message": f"segment query {query.query_id} was killed"})


ENDPOINTS = [
    Endpoint(
        "POST", wire.SEGMENT_SQL, segment_sql, "The SQL of a segment rule", (AUDIENCE,), SQL_BODY, errors=(*ERRORS, 422)
    ),
    Endpoint(
        "POST", wire.SEGMENT_QUERIES, submit, "Start a segment query", (AUDIENCE,), QUERY_BODY, errors=(*ERRORS, 422)
    ),
    Endpoint("GET", wire.SEGMENT_QUERY, status, "Status of a segment query", (AUDIENCE, QUERY_ID), errors=ERRORS),
    Endpoint(
        "GET",
        wire.SEGMENT_QUERY_CUSTOMERS,
        customers,
        "A page of a segment query's profiles",
        (AUDIENCE, QUERY_ID, Param("page", kind="integer")),
        errors=ERRORS,
    ),
    Endpoint("POST", wire.SEGMENT_QUERY_KILL, kill, "Kill a segment query", (AUDIENCE, QUERY_ID), errors=ERRORS),
]
