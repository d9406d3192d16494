"""``/access/entities``: one profile (or account) by identity, many in one POST, an identity's
experience events with time range, order and paging, and deletion of a profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local.routes.common import HEADERS, gate, int_param, json_body, limits, server
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.routetable import COMMON_ERRORS, Endpoint, Param

ERRORS = (*COMMON_ERRORS, 403)


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if not value:
        raise ApiError(400, f"the query parameter {name} is required", wire.UPS_BAD_REQUEST)
    return value


def _fields(text: str | None) -> list[str] | None:
    return [f for f in text.split(",") if f.strip()] if text else None


async def get_entity(request: Request) -> Response:
    _, sandbox = gate(request)
    schema = _required(request, wire.P_SCHEMA)
    if schema == wire.EVENT_SCHEMA:
        return JSON(_events(request, sandbox))
    store = server(request).store
    value = _required(request, wire.P_ENTITY_ID)
    namespace = request.query_params.get(wire.P_ENTITY_NS, "")
    policy = store.policy(sandbox, request.query_params.get(wire.P_MERGE_POLICY))
    profile = store.find(sandbox, schema, namespace, value)
    if profile is None:
        raise ApiError(
            404, f"no entity with {wire.P_ENTITY_NS}={namespace} {wire.P_ENTITY_ID}={value}", wire.UPS_NOT_FOUND
        )
    answer = store.answer(profile, policy, _fields(request.query_params.get(wire.P_FIELDS)))
    return JSON({profile.xid: answer})


def _batch(sandbox: str, body: dict[str, Any], store: Any, most: int) -> dict[str, Any]:
    schema = (body.get("schema") or {}).get("name") if isinstance(body.get("schema"), dict) else None
    if not schema:
        raise ApiError(400, "schema.name is required", wire.UPS_BAD_REQUEST)
    identities = body.get(wire.BATCH_IDENTITIES)
    if not isinstance(identities, list) or not identities:
        raise ApiError(
            400, "identities must be a non-empty list of {entityId, entityIdNS: {code}}", wire.UPS_BAD_REQUEST
        )
    if len(identities) > most:
        raise ApiError(400, f"at most {most} identities per request, not {len(identities)}", wire.UPS_TOO_MANY)
    fields = body.get("fields")
    if fields is not None and not (isinstance(fields, list) and all(isinstance(f, str) for f in fields)):
        raise ApiError(400, "fields must be a list of XDM paths", wire.UPS_BAD_REQUEST)
    policy = store.policy(sandbox, body.get(wire.P_MERGE_POLICY))
    found: dict[str, Any] = {}
    for i, item in enumerate(identities):
        namespace = item.get("entityIdNS") if isinstance(item, dict) else None
        ns = (namespace or {}).get("code", "") if isinstance(namespace, dict) or namespace is None else None
        value = item.get("entityId") if isinstance(item, dict) else None
        if not isinstance(value, str) or not isinstance(ns, str):
            raise ApiError(400, f"identities[{i}] needs entityId and entityIdNS.code", wire.UPS_BAD_REQUEST)
        profile = store.find(sandbox, schema, ns, value)
        if profile is not None and profile.xid not in found:
            found[profile.xid] = store.answer(profile, policy, fields)
    return found


async def post_entities(request: Request) -> Response:
    _, sandbox = gate(request)
    body = await json_body(request)
    store, most = server(request).store, limits(request).max_batch_identities
    return JSON(await off_loop(_batch, sandbox, body, store, most))


async def delete_entity(request: Request) -> Response:
    _, sandbox = gate(request)
    store = server(request).store
    schema = _required(request, wire.P_SCHEMA)
    value = _required(request, wire.P_ENTITY_ID)
    profile = store.find(sandbox, schema, request.query_params.get(wire.P_ENTITY_NS, ""), value)
    if profile is None:
        raise ApiError(404, f"no entity {value} to delete", wire.UPS_NOT_FOUND)
    store.delete(sandbox, schema, profile)
    return Response(status_code=202)


def _ms(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def _events(request: Request, sandbox: str) -> dict[str, Any]:
    store = server(request).store
    related = request.query_params.get(wire.P_RELATED_SCHEMA)
    if related != wire.PROFILE_SCHEMA:
        raise ApiError(400, f"{wire.P_RELATED_SCHEMA} must be {wire.PROFILE_SCHEMA}", wire.UPS_BAD_REQUEST)
    value = _required(request, wire.P_RELATED_ENTITY_ID)
    namespace = request.query_params.get(wire.P_RELATED_ENTITY_NS, "")
    most = limits(request).max_event_limit
    limit = int_param(request, wire.P_LIMIT, wire.DEFAULT_EVENT_LIMIT, 1, most)
    start = int_param(request, wire.P_START_TIME, 0, 0, 2**62)
    end = int_param(request, wire.P_END_TIME, 2**62, 0, 2**62)
    offset = int_param(request, wire.P_START, 0, 0, 10**9)
    order = request.query_params.get(wire.P_ORDER_BY, wire.ORDER_TIMESTAMP)
    if order not in (wire.ORDER_TIMESTAMP, "-" + wire.ORDER_TIMESTAMP, "+" + wire.ORDER_TIMESTAMP):
        raise ApiError(400, f"orderby must be timestamp or -timestamp, not {order!r}", wire.UPS_BAD_REQUEST)
    profile = store.find(sandbox, wire.PROFILE_SCHEMA, namespace, value)
    events = [] if profile is None else [e for e in profile.events if start <= _ms(e["timestamp"]) < end]
    if order.startswith("-"):
        events = events[::-1]
    chunk = events[offset : offset + limit]
    following = str(offset + limit) if offset + limit < len(events) else ""
    children = [
        {
            "relatedEntityId": profile.xid if profile else None,
            "entityId": e["_id"],
            "timestamp": _ms(e["timestamp"]),
            "entity": e,
        }
        for e in chunk
    ]
    links = {}
    if following:
        query = {**request.query_params, wire.P_START: following}
        links = {"next": {"href": "/entities?" + "&".join(f"{k}={v}" for k, v in query.items())}}
    return {
        wire.PAGE: {"orderby": order, "start": str(offset), "count": len(children), "next": following},
        wire.CHILDREN: children,
        wire.LINKS: links,
    }


GET_PARAMS = (
    *HEADERS,
    Param(wire.P_SCHEMA, required=True),
    Param(wire.P_ENTITY_ID),
    Param(wire.P_ENTITY_NS),
    Param(wire.P_FIELDS),
    Param(wire.P_MERGE_POLICY),
    Param(wire.P_RELATED_SCHEMA),
    Param(wire.P_RELATED_ENTITY_ID),
    Param(wire.P_RELATED_ENTITY_NS),
    Param(wire.P_START_TIME, kind="integer"),
    Param(wire.P_END_TIME, kind="integer"),
    Param(wire.P_LIMIT, kind="integer"),
    Param(wire.P_ORDER_BY),
    Param(wire.P_START),
)
BATCH = {
    "type": "object",
    "required": ["schema", "identities"],
    "properties": {
        "schema": {"type": "object", "properties": {"name": {"type": "string"}}},
        "fields": {"type": "array", "items": {"type": "string"}},
        "mergePolicyId": {"type": "string"},
        "identities": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "entityId": {"type": "string"},
                    "entityIdNS": {"type": "object", "properties": {"code": {"type": "string"}}},
                },
            },
        },
    },
}
ENDPOINTS = [
    Endpoint(
        "GET",
        wire.ENTITIES,
        get_entity,
        "An entity by identity, or an identity's experience events",
        GET_PARAMS,
        errors=ERRORS,
    ),
    Endpoint("POST", wire.ENTITIES, post_entities, "Entities of many identities", HEADERS, body=BATCH, errors=ERRORS),
    Endpoint(
        "DELETE",
        wire.ENTITIES,
        delete_entity,
        "Delete an entity",
        (
            *HEADERS,
            Param(wire.P_SCHEMA, required=True),
            Param(wire.P_ENTITY_ID, required=True),
            Param(wire.P_ENTITY_NS),
        ),
        errors=ERRORS,
    ),
]
