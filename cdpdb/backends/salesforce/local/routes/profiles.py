"""The Profile API: profile objects' metadata, search by field values, lookup by key, a profile's
related (child) records and its calculated insights, each nested under the parent record."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.backend import Backend
from cdpdb.backends.salesforce.local.catalog import CIO, DMO, Entity, Relationship
from cdpdb.backends.salesforce.local.routes import objects
from cdpdb.backends.salesforce.local.routes.common import DIRECT_ERRORS, backend, direct_auth
from cdpdb.backends.salesforce.local.routes.insights import InsightRequest
from cdpdb.backends.salesforce.local.routes.metadata import entity_json
from cdpdb.local.engine import quote_ident
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.routetable import Endpoint, Param


def _profiles(request: Request, dataspace: str) -> list[Entity]:
    return [e for e in backend(request).catalog.visible(dataspace) if e.entity_type == DMO and e.category == "Profile"]


async def profile_metadata(request: Request) -> Response:
    _, dataspace = direct_auth(request)
    name = request.path_params.get("model")
    if name:
        found = [e for e in _profiles(request, dataspace) if e.name == name]
        if not found:
            raise ApiError(404, f"{name!r} is not a profile data model object of dataspace {dataspace!r}", "NOT_FOUND")
        return JSON({"metadata": [entity_json(found[0])]})
    return JSON({"metadata": [entity_json(e) for e in _profiles(request, dataspace)]})


def _fields(request: Request, entity: Entity) -> list[str]:
    fields = objects.names(request, "fields") or [c.name for c in entity.columns[: wire.PROFILE_DEFAULT_FIELDS]]
    objects.check_fields(entity, fields)
    return fields


def _conditions(request: Request, entity: Entity, *, required: bool) -> list[str]:
    filters = objects.filters(request, required)
    objects.check_fields(entity, [f for f, _ in filters])
    return [objects.equal(f, v) for f, v in filters]


def _key(request: Request, entity: Entity) -> str:
    """The field an ``{id}`` is matched on: ``searchKey``, or the primary key."""
    key = request.query_params.get("searchKey") or (entity.primary_keys[0] if entity.primary_keys else None)
    if key is None:
        raise ApiError(400, f"{entity.name} has no primary key: give searchKey=<field>", "INVALID_INPUT")
    objects.check_fields(entity, [key])
    return key


async def profile_search(request: Request) -> Response:
    _, dataspace = direct_auth(request)
    model = objects.entity(request, request.path_params["model"], dataspace, (DMO,))
    fields = [quote_ident(f) for f in _fields(request, model)]
    conditions = _conditions(request, model, required=True)
    limit = objects.limit(request, wire.PROFILE_DEFAULT_LIMIT)
    rows = await off_loop(
        objects.select,
        backend(request),
        dataspace,
        model,
        fields,
        conditions,
        limit=limit,
        offset=objects.offset(request),
        orderby=request.query_params.get("orderby"),
    )
    return objects.answer(rows, limit)


async def profile_lookup(request: Request) -> Response:
    """One record (or several, for a secondary key) by key value; an empty list when none."""
    _, dataspace = direct_auth(request)
    model = objects.entity(request, request.path_params["model"], dataspace, (DMO,))
    key = _key(request, model)
    conditions = [objects.equal(key, request.path_params["id"]), *_conditions(request, model, required=False)]
    fields = [quote_ident(f) for f in _fields(request, model)]
    limit = objects.limit(request, wire.PROFILE_DEFAULT_LIMIT)
    rows = await off_loop(
        objects.select,
        backend(request),
        dataspace,
        model,
        fields,
        conditions,
        limit=limit,
        offset=objects.offset(request),
        orderby=request.query_params.get("orderby"),
    )
    return objects.answer(rows, limit)


def _link(child: Entity, parent: Entity) -> Relationship:
    for relationship in child.relationships:
        if relationship.to_entity == parent.name:
            return relationship
    raise ApiError(400, f"{child.name} is not related to {parent.name}", "INVALID_INPUT")


def _parents(backend: Backend, dataspace: str, request: Request, model: Entity, link: Relationship) -> list[dict]:
    """The parent records the ``{id}`` names, with the field the children point at."""
    key = _key(request, model)
    conditions = [objects.equal(key, request.path_params["id"]), *_conditions(request, model, required=False)]
    fields = list(dict.fromkeys([*(c.name for c in model.columns[: wire.PROFILE_DEFAULT_FIELDS]), link.to_attribute]))
    return objects.select(backend, dataspace, model, [quote_ident(f) for f in fields], conditions)


def _nested(
    parents: list[dict], name: str, link: Relationship, children: list[dict], limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """Each parent with its children under the child object's name; done when none was cut."""
    done = True
    out = []
    for parent in parents:
        mine = [c for c in children if c["__parent"] == parent[link.to_attribute]]
        done = done and len(mine) <= limit
        out.append({**parent, name: [{k: v for k, v in c.items() if k != "__parent"} for c in mine[:limit]]})
    return out, done


async def profile_children(request: Request) -> Response:
    _, dataspace = direct_auth(request)
    model = objects.entity(request, request.path_params["model"], dataspace, (DMO,))
    child = objects.entity(request, request.path_params["child"], dataspace, (DMO,))
    link = _link(child, model)
    fields = objects.names(request, "fields") or sorted(c.name for c in child.columns)[: wire.PROFILE_DEFAULT_FIELDS]
    objects.check_fields(child, fields)
    limit, offset = objects.limit(request, wire.PROFILE_DEFAULT_LIMIT), objects.offset(request)
    orderby = request.query_params.get("orderby")

    def read() -> tuple[list[dict[str, Any]], bool]:
        parents = _parents(backend(request), dataspace, request, model, link)
        children: list[dict] = []
        for parent in parents:  # each parent's page of children
            condition = objects.equal(link.from_attribute, str(parent[link.to_attribute]))
            columns = [*(quote_ident(f) for f in fields), f"{quote_ident(link.from_attribute)} AS __parent"]
            rows = objects.select(
                backend(request), dataspace, child, columns, [condition], limit=limit, offset=offset, orderby=orderby
            )
            children += [{**row, "__parent": parent[link.to_attribute]} for row in rows]
        return _nested(parents, child.name, link, children, limit)

    rows, done = await off_loop(read)
    return _answer(rows, done)


async def profile_insight(request: Request) -> Response:
    _, dataspace = direct_auth(request)
    model = objects.entity(request, request.path_params["model"], dataspace, (DMO,))
    insight = objects.entity(request, request.path_params["ci"], dataspace, (CIO,))
    link = _link(insight, model)
    asked = InsightRequest(request, insight)
    limit, offset = objects.limit(request, wire.PROFILE_DEFAULT_LIMIT), objects.offset(request)
    orderby = request.query_params.get("orderby")

    def read() -> tuple[list[dict[str, Any]], bool]:
        parents = _parents(backend(request), dataspace, request, model, link)
        children: list[dict] = []
        for parent in parents:
            condition = objects.equal(link.from_attribute, str(parent[link.to_attribute]))
            rows = asked.rows(backend(request), dataspace, [condition], limit=limit, offset=offset, orderby=orderby)
            children += [{**row, "__parent": parent[link.to_attribute]} for row in rows]
        return _nested(parents, insight.name, link, children, limit)

    rows, done = await off_loop(read)
    return _answer(rows, done)


def _answer(rows: list[dict[str, Any]], done: bool) -> Response:
    return JSON(orjson.dumps({"data": rows, "done": done}, default=str))


_LOOKUP = (Param("searchKey"), Param("fields"), Param("filters"), *objects.PAGING)
ENDPOINTS = [
    Endpoint("GET", wire.PROFILE_METADATA_PATH, profile_metadata, "Profile API metadata", errors=DIRECT_ERRORS),
    Endpoint(
        "GET",
        f"{wire.PROFILE_METADATA_PATH}/{{model}}",
        profile_metadata,
        "Profile API metadata, one object",
        errors=(*DIRECT_ERRORS, 404),
    ),
    Endpoint(
        "GET",
        f"{wire.PROFILE_PATH}/{{model}}",
        profile_search,
        "Profile API search",
        params=(Param("filters", required=True), Param("fields"), *objects.PAGING),
        errors=(*DIRECT_ERRORS, 404, 422),
    ),
    Endpoint(
        "GET",
        f"{wire.PROFILE_PATH}/{{model}}/{{id}}",
        profile_lookup,
        "Profile API lookup by key",
        params=_LOOKUP,
        errors=(*DIRECT_ERRORS, 404, 422),
    ),
    Endpoint(
        "GET",
        f"{wire.PROFILE_PATH}/{{model}}/{{id}}/{wire.PROFILE_INSIGHTS_SEGMENT}/{{ci}}",
        profile_insight,
        "Profile API: a profile's calculated insight",
        params=(
            Param("searchKey"),
            Param("filters"),
            Param("dimensions"),
            Param("measures"),
            Param("timeGranularity"),
            *objects.PAGING,
        ),
        errors=(*DIRECT_ERRORS, 404, 422),
    ),
    Endpoint(
        "GET",
        f"{wire.PROFILE_PATH}/{{model}}/{{id}}/{{child}}",
        profile_children,
        "Profile API: a profile's child records",
        params=_LOOKUP,
        errors=(*DIRECT_ERRORS, 404, 422),
    ),
]
