"""Activations (TD's old name: syndications). The folder listing filters on the server
(``name_include``, ``segment_name_include``, ``start_after``/``start_before``, ``connection_type``,
``schedule_status``, ``created_by_td_user_id``, ``activation_template_id``, ``repeat_unit``),
sorts (``sorted_by=key:asc|desc``) and pages with a cursor (``page[after]``, ``page[size]``),
answering ``{syndications, pagination: {hasNext, nextPage, approximateCount}}``."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.local.routes.common import (
    AUDIENCE,
    ERRORS,
    FOLDER,
    SEGMENT,
    backend,
    identifier,
    int_param,
    limits,
    parent,
    segment,
    user,
)
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON
from cdpdb.local.routetable import Endpoint, Param

SORT_FIELDS = wire.ACTIVATION_SORT_FIELDS  # sorted_by keys → the activation field they order by
_LISTS = {  # repeatable filters: query parameter → activation field
    "connection_type": "connectionType",
    "schedule_status": "scheduleStatus",
    "repeat_unit": "repeatUnit",
}


def _values(request: Request, name: str) -> list[str]:
    """A list filter, repeated (``a=x&a=y``), bracketed (``a[]=x``) or comma-separated."""
    raw = request.query_params.getlist(name) + request.query_params.getlist(f"{name}[]")
    return [part for item in raw for part in item.split(",") if part]


def _moment(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"{name} must be an ISO 8601 date-time, not {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _start(item: dict[str, Any]) -> datetime | None:
    text = item.get("startAt")
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc) if text else None


def filtered(request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    q = request.query_params
    if q.get("name_include"):
        needle = q["name_include"].lower()
        items = [a for a in items if needle in a["name"].lower()]
    if q.get("segment_name_include"):
        needle = q["segment_name_include"].lower()
        items = [a for a in items if needle in a["segmentName"].lower()]
    after, before = _moment(request, "start_after"), _moment(request, "start_before")
    if after or before:
        items = [
            a
            for a in items
            if (s := _start(a)) is not None and (after is None or s >= after) and (before is None or s <= before)
        ]
    for param, key in _LISTS.items():
        wanted = _values(request, param)
        if wanted:
            items = [a for a in items if a[key] in wanted]
    creators = _values(request, "created_by_td_user_id")
    if creators:
        if not all(c.isdigit() for c in creators):
            raise ApiError(400, "created_by_td_user_id takes user ids (integers)")
        items = [a for a in items if a["createdBy"]["td_user_id"] in creators]
    templates = _values(request, "activation_template_id")
    if templates:
        items = [a for a in items if (a["activationTemplateId"] or "none") in templates]
    return items


def _sorted(request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    raw = request.query_params.get("sorted_by") or "updated_at:desc"  # UNCONFIRMED: the default order
    key, _, direction = raw.partition(":")
    if key not in SORT_FIELDS or direction not in ("asc", "desc", ""):
        keys = ", ".join(wire.ACTIVATION_SORT_KEYS)
        raise ApiError(400, f"sorted_by must be key:asc or key:desc with key one of {keys}, not {raw!r}")
    field = SORT_FIELDS[key]
    descending = direction == "desc"
    present = sorted((a for a in items if a[field] is not None), key=lambda a: (a[field], int(a["id"])))
    if descending:
        present.reverse()
    return present + sorted((a for a in items if a[field] is None), key=lambda a: int(a["id"]))  # nulls last


def _cursor(activation_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"after": activation_id})).decode().rstrip("=")


def _after(text: str) -> str:
    try:
        decoded = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        return str(decoded["after"])
    except (ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        raise ApiError(400, f"page[after] is not a cursor this server gave: {text!r}") from None


async def folder_activations(request: Request) -> Response:
    user(request)
    audience = parent(request)
    folder_id = identifier(request, "folder_id", "the folder")
    store = backend(request).store
    folder = store.folders.get(folder_id)
    if folder is None or folder.audience_id != audience.id:
        raise ApiError(404, f"folder {folder_id} was not found in parent segment {audience.id}")
    tree = store.folder_tree(folder_id)  # UNCONFIRMED: the folder's subfolders count too
    items = [a for a in store.activations.get(audience.id, []) if a["folder"][0]["id"] in tree]
    items = _sorted(request, filtered(request, items))
    size = int_param(
        request, wire.PAGE_SIZE, limits(request).activation_page_size, 1, limits(request).max_activation_page_size
    )
    start = 0
    if request.query_params.get(wire.PAGE_AFTER):
        after = _after(request.query_params[wire.PAGE_AFTER])
        positions = [i for i, a in enumerate(items) if a["id"] == after]
        if not positions:
            raise ApiError(400, "page[after] names an activation outside this listing; start again without it")
        start = positions[0] + 1
    page = items[start : start + size]
    has_next = start + size < len(items)
    return JSON(
        {
            "syndications": [{k: v for k, v in a.items() if k != "audienceId"} for a in page],
            "pagination": {
                "hasNext": has_next,
                "nextPage": _cursor(page[-1]["id"]) if has_next else None,
                "approximateCount": len(items),
            },
        }
    )


def segment_activation_json(a: dict[str, Any]) -> dict[str, Any]:
    """An activation as the per-segment listing answers it (its own shape in the OpenAPI)."""
    return {
        "id": a["id"],
        "audienceId": a["audienceId"],
        "segmentId": a["segmentId"],
        "name": a["name"],
        "allColumns": True,
        "columns": [],
        "scheduleType": "none" if a["repeatUnit"] in ("none", "once") else "daily",
        "scheduleOption": None,
        "startAt": a["startAt"],
        "endOn": a["endOn"],
        "repeatUnit": a["repeatUnit"],
        "repeatFrequency": a["repeatFrequency"],
        "repeatSubFrequency": [],
        "timezone": a["timezone"],
        "connectionId": a["connectionId"],
        "connectorConfig": None,
        "createdAt": a["createdAt"],
        "updatedAt": a["updatedAt"],
        "createdBy": a["createdBy"],
        "updatedBy": a["updatedBy"],
        "valid": a["connectionValid"],
        "executions": [a["lastExecution"]] if a.get("lastExecution") else [],
        "notifyOn": [],
        "emailRecipients": [],
        "activationTemplateId": a["activationTemplateId"],
    }


async def segment_activations(request: Request) -> Response:
    user(request)
    audience = parent(request)
    found = segment(request, audience)
    items = [a for a in backend(request).store.activations.get(audience.id, []) if a["segmentId"] == found.id]
    return JSON([segment_activation_json(a) for a in items])


async def run_activation(request: Request) -> Response:
    """Start an activation: a new workflow session (``SyndicationExecution``), left ``running`` (the
    local server has no workflows to finish it); it becomes the activation's ``lastExecution``."""
    user(request)
    audience = parent(request)
    found = segment(request, audience)
    activation_id = identifier(request, "activation_id", "the activation")
    store = backend(request).store
    with store.lock:
        activation = next(
            (
                a
                for a in store.activations.get(audience.id, [])
                if a["id"] == activation_id and a["segmentId"] == found.id
            ),
            None,
        )
        if activation is None:
            raise ApiError(404, f"activation {activation_id} was not found in segment {found.id}")
        session = store.next_id()
        execution = {
            "workflowId": str(int(activation_id) + 7_000_000),  # one workflow per activation
            "workflowSessionId": session,
            "workflowAttemptId": session,
            "createdAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "finishedAt": None,
            "status": "running",
            "syndicationId": activation_id,
        }
        activation["lastExecution"], activation["runStatus"] = execution, "running"
    return JSON(execution)


FILTERS = (
    Param("sorted_by"),
    Param("name_include"),
    Param("segment_name_include"),
    Param("start_after"),
    Param("start_before"),
    Param("connection_type"),
    Param("schedule_status"),
    Param("created_by_td_user_id"),
    Param("activation_template_id"),
    Param("repeat_unit"),
    Param(wire.PAGE_AFTER),
    Param(wire.PAGE_SIZE, kind="integer"),
)
ENDPOINTS = [
    Endpoint(
        "GET",
        wire.ACTIVATIONS,
        folder_activations,
        "Activations in a folder (filters, cursor paging)",
        (AUDIENCE, FOLDER, *FILTERS),
        errors=ERRORS,
    ),
    Endpoint(
        "GET",
        wire.SEGMENT_ACTIVATIONS,
        segment_activations,
        "Activations of a segment",
        (AUDIENCE, SEGMENT),
        errors=ERRORS,
    ),
    Endpoint(
        "POST",
        wire.ACTIVATION_RUN,
        run_activation,
        "Run an activation now",
        (AUDIENCE, SEGMENT, Param("activation_id", "path", "integer")),
        errors=ERRORS,
    ),
]
