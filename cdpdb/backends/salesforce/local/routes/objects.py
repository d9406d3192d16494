"""What the Profile, Calculated Insights and Universal ID Lookup endpoints share: their request
grammar (``fields``, ``filters``, ``limit``, ``offset``, ``orderby``) and reading an object's rows
with it, as JSON objects keyed by field name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from starlette.requests import Request

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local import profile
from cdpdb.backends.salesforce.local.backend import Backend
from cdpdb.backends.salesforce.local.catalog import Entity
from cdpdb.backends.salesforce.local.errors import sql_error
from cdpdb.backends.salesforce.local.routes.common import backend, int_param
from cdpdb.backends.salesforce.local.sqltext import BadRequest, order_by_clause
from cdpdb.local.engine import EngineError, quote_ident, quote_literal
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON
from cdpdb.local.routetable import Param

PAGING = (Param("limit", kind="integer"), Param("offset", kind="integer"), Param("orderby"))


def literal(value: str) -> str:
    try:
        return quote_literal(value)
    except ValueError as exc:
        raise ApiError(400, f"filters: {exc}", "INVALID_INPUT") from None


def check_fields(entity: Entity, names: Iterable[str]) -> None:
    known = {c.name for c in entity.columns}
    unknown = sorted({name for name in names if name not in known})
    if unknown:
        raise ApiError(422, f"field(s) {', '.join(unknown)} do not exist on {entity.name}", "INVALID_FIELD")


def equal(column: str, value: str) -> str:
    """Filters compare as text: the grammar carries no type (``CAST`` keeps a number's exact digits)."""
    return f"CAST({quote_ident(column)} AS text) = {literal(value)}"


def order(entity: Entity, orderby: str | None) -> str:
    if not orderby:
        return ""
    try:
        return f" ORDER BY {order_by_clause(orderby, [c.name for c in entity.columns])}"
    except BadRequest as exc:
        raise ApiError(400, str(exc), "INVALID_INPUT") from None


def select(
    backend: Backend,
    dataspace: str,
    entity: Entity,
    columns: list[str],
    conditions: list[str],
    *,
    limit: int | None = None,
    offset: int = 0,
    orderby: str | None = None,
    group_by: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Rows of ``entity`` as dicts; one more than ``limit`` when there are more (the caller says ``done``)."""
    where = " AND ".join(conditions) or "TRUE"
    grouped = f" GROUP BY {', '.join(group_by)}" if group_by else ""
    page = f" LIMIT {limit + 1}" if limit is not None else ""
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote_ident(entity.name)} WHERE {where}{grouped}"
        f"{order(entity, orderby)}{page} OFFSET {offset}"
    )
    try:
        return backend.engine.query_arrow(dataspace, sql).to_pylist()  # type: ignore[no-any-return]
    except EngineError as exc:
        raise sql_error(exc) from None


def answer(rows: list[dict[str, Any]], limit: int) -> JSON:
    """The documented ``{"data": [...], "done": bool}``; values a JSON number cannot hold exactly
    (NUMERIC) as text, as Salesforce's examples show them."""
    return JSON(orjson.dumps({"data": rows[:limit], "done": len(rows) <= limit}, default=str))


def names(request: Request, key: str) -> list[str] | None:
    try:
        return profile.names(request.query_params.get(key))
    except profile.FilterSyntaxError as exc:
        raise ApiError(400, f"{key}: {exc}", "INVALID_INPUT") from None


def filters(request: Request, required: bool) -> list[tuple[str, str]]:
    raw = request.query_params.get("filters")
    if raw is None:
        if required:
            raise ApiError(400, "the filters parameter is required, e.g. filters=[FirstName__c=Ann]", "INVALID_INPUT")
        return []
    try:
        return profile.parse_filters(raw)
    except profile.FilterSyntaxError as exc:
        raise ApiError(400, f"filters: {exc}", "INVALID_INPUT") from None


def entity(request: Request, name: str, dataspace: str, kinds: tuple[str, ...]) -> Entity:
    found = backend(request).catalog.get(name, dataspace)
    if found is None or found.entity_type not in kinds:
        raise ApiError(404, f"{name!r} is not a {' or '.join(kinds)} of dataspace {dataspace!r}", "NOT_FOUND")
    return found


def limit(request: Request, default: int, high: int = wire.PROFILE_MAX_ROWS) -> int:
    value = int_param(request, "limit", default, 1, high)
    assert value is not None
    return value


def offset(request: Request) -> int:
    value = int_param(request, "offset", 0)
    assert value is not None
    return value
