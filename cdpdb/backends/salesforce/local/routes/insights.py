"""The Profile API (search a model object by field values) and the Calculated Insights API
(dimensions and measures of an insight): rows as JSON objects, filters in their own grammar."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local import profile
from cdpdb.backends.salesforce.local.backend import Backend
from cdpdb.backends.salesforce.local.catalog import CIO, DMO, Entity
from cdpdb.backends.salesforce.local.errors import sql_error
from cdpdb.backends.salesforce.local.routes.common import DIRECT_ERRORS, backend, direct_auth, int_param
from cdpdb.backends.salesforce.local.sqltext import BadRequest, order_by_clause
from cdpdb.local.engine import EngineError, quote_ident, quote_literal
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.routetable import Endpoint, Param


def _literal(value: str) -> str:
    try:
        return quote_literal(value)
    except ValueError as exc:
        raise ApiError(400, f"filters: {exc}", "INVALID_INPUT") from None


def object_rows(
    backend: Backend,
    dataspace: str,
    entity: Entity,
    columns: list[str],
    filters: list[tuple[str, str]],
    limit: int,
    offset: int,
    orderby: str | None,
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
        raise sql_error(exc) from None
    rows = table.slice(0, limit).to_pylist()
    return JSON(orjson.dumps({"data": rows, "done": table.num_rows <= limit}, default=str))


def _names(request: Request, key: str) -> list[str] | None:
    try:
        return profile.names(request.query_params.get(key))
    except profile.FilterSyntaxError as exc:
        raise ApiError(400, f"{key}: {exc}", "INVALID_INPUT") from None


def _filters(request: Request, required: bool) -> list[tuple[str, str]]:
    raw = request.query_params.get("filters")
    if raw is None:
        if required:
            raise ApiError(400, "the filters parameter is required, e.g. filters=[FirstName__c=Ann]", "INVALID_INPUT")
        return []
    try:
        return profile.parse_filters(raw)
    except profile.FilterSyntaxError as exc:
        raise ApiError(400, f"filters: {exc}", "INVALID_INPUT") from None


def _entity(request: Request, name: str, dataspace: str, kinds: tuple[str, ...]) -> Entity:
    entity = backend(request).catalog.get(name, dataspace)
    if entity is None or entity.entity_type not in kinds:
        raise ApiError(404, f"{name!r} is not a {' or '.join(kinds)} of dataspace {dataspace!r}", "NOT_FOUND")
    return entity


def _limit(request: Request, default: int) -> int:
    limit = int_param(request, "limit", default, 1, wire.PROFILE_MAX_ROWS)
    assert limit is not None
    return limit


def _offset(request: Request) -> int:
    offset = int_param(request, "offset", 0)
    assert offset is not None
    return offset


async def profile_search(request: Request) -> Response:
    _, dataspace = direct_auth(request)
    entity = _entity(request, request.path_params["model"], dataspace, (DMO,))
    fields = _names(request, "fields") or [c.name for c in entity.columns[:10]]
    limit = _limit(request, 100)
    filters = _filters(request, True)
    offset, orderby = _offset(request), request.query_params.get("orderby")
    return await off_loop(object_rows, backend(request), dataspace, entity, fields, filters, limit, offset, orderby)


async def insight_query(request: Request) -> Response:
    _, dataspace = direct_auth(request)
    entity = _entity(request, request.path_params["ci"], dataspace, (CIO,))
    dimensions = _names(request, "dimensions") or [c.name for c in entity.columns if c.role == "dimension"]
    measures = _names(request, "measures") or [c.name for c in entity.columns if c.role == "measure"]
    if len(dimensions) > wire.INSIGHT_MAX_DIMENSIONS or len(measures) > wire.INSIGHT_MAX_MEASURES:
        raise ApiError(
            400,
            f"at most {wire.INSIGHT_MAX_DIMENSIONS} dimensions and {wire.INSIGHT_MAX_MEASURES} measures per request",
            "INVALID_INPUT",
        )
    limit = _limit(request, wire.PROFILE_MAX_ROWS)
    filters = _filters(request, False)
    offset, orderby = _offset(request), request.query_params.get("orderby")
    columns = dimensions + measures
    return await off_loop(object_rows, backend(request), dataspace, entity, columns, filters, limit, offset, orderby)


_PAGING = (Param("limit", kind="integer"), Param("offset", kind="integer"), Param("orderby"))
ENDPOINTS = [
    Endpoint(
        "GET",
        f"{wire.PROFILE_PATH}/{{model}}",
        profile_search,
        "Profile API search",
        params=(Param("filters", required=True), Param("fields"), *_PAGING),
        errors=(*DIRECT_ERRORS, 422),
    ),
    Endpoint(
        "GET",
        f"{wire.INSIGHTS_PATH}/{{ci}}",
        insight_query,
        "Calculated Insights API",
        params=(Param("dimensions"), Param("measures"), Param("filters"), *_PAGING),
        errors=(*DIRECT_ERRORS, 422),
    ),
]
