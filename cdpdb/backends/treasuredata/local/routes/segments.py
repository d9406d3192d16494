"""Saved segments: list, create, read, update, delete, population history; folders and the
segments in them. A segment's population is counted by the engine from its rule."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.treasuredata import rules, wire
from cdpdb.backends.treasuredata.local.model import Folder, ParentSegment, iso
from cdpdb.backends.treasuredata.local.routes.common import (
    AUDIENCE,
    ERRORS,
    FOLDER,
    SEGMENT,
    backend,
    identifier,
    json_body,
    parent,
    rule_of,
    segment,
    unsupported,
    user,
)
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.routetable import Endpoint, Param

_RULE_SCHEMA: dict[str, Any] = {"type": "object", "description": "a v5 segment rule (partial_v5_rule.yaml)"}
SEGMENT_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "audienceId": {"type": "integer"},
        "name": {"type": "string"},
        "description": {"type": "string", "nullable": True},
        "kind": {"type": "integer"},
        "realtime": {"type": "boolean"},
        "segmentFolderId": {"type": "integer"},
        "rule": _RULE_SCHEMA,
        "countPopulation": {"type": "boolean"},
    },
}


def folder_json(f: Folder) -> dict[str, Any]:
    return {
        "id": f.id,
        "audienceId": f.audience_id,
        "name": f.name,
        "description": f.description,
        "parentFolderId": f.parent_id,
        "createdAt": iso(f.created_at),
        "updatedAt": iso(f.created_at),
        "createdBy": f.created_by.to_json(),
        "updatedBy": f.created_by.to_json(),
    }


def _folder(request: Request, audience: ParentSegment) -> Folder:
    folder_id = identifier(request, "folder_id", "the folder")
    found = backend(request).store.folders.get(folder_id)
    if found is None or found.audience_id != audience.id:
        raise ApiError(404, f"folder {folder_id} was not found in parent segment {audience.id}")
    return found


def _fields(body: dict[str, Any], audience: ParentSegment, request: Request, creating: bool) -> dict[str, Any]:
    """The segment fields of a POST/PUT body, checked; 400 naming the bad one."""
    out: dict[str, Any] = {}
    name = body.get("name")
    if creating or "name" in body:
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "name must be non-empty text")
        out["name"] = name.strip()
    if "description" in body:
        if body["description"] is not None and not isinstance(body["description"], str):
            raise ApiError(400, "description must be text or null")
        out["description"] = body["description"]
    if body.get("segmentFolderId") is not None:
        raw = body["segmentFolderId"]
        folder = backend(request).store.folders.get(str(raw)) if isinstance(raw, (int, str)) else None
        if isinstance(raw, bool) or folder is None or folder.audience_id != audience.id:
            raise ApiError(400, f"segmentFolderId {raw!r} is not a folder of parent segment {audience.id}")
        out["segmentFolderId"] = folder.id
    kind = body.get("kind", wire.KIND_BATCH if creating else None)
    if body.get("realtime") is True:
        kind = 1
    if kind is not None:
        if kind not in wire.SEGMENT_KINDS or isinstance(kind, bool):
            raise ApiError(400, f"kind must be one of {sorted(wire.SEGMENT_KINDS)}, not {kind!r}")
        if kind != wire.KIND_BATCH:
            raise ApiError(422, f"{wire.SEGMENT_KINDS[kind]} segments are not served by the local server")
        out["kind"] = kind
    if creating or "rule" in body:
        out["rule"] = rule_of(body)
    return out


def _count(body: dict[str, Any]) -> bool:
    value = body.get("countPopulation", True)
    if not isinstance(value, bool):
        raise ApiError(400, "countPopulation must be true or false")
    return value


async def list_segments(request: Request) -> Response:
    user(request)
    audience = parent(request)
    return JSON([s.to_json() for s in backend(request).store.of_parent(audience.id)])


async def create_segment(request: Request) -> Response:
    who = user(request)
    audience = parent(request)
    body = await json_body(request)
    fields = _fields(body, audience, request, creating=True)
    store = backend(request).store
    if any(s.name == fields["name"] for s in store.of_parent(audience.id)):
        raise ApiError(400, f"a segment named {fields['name']!r} already exists in parent segment {audience.id}")
    try:
        created = await off_loop(store.create, audience.id, fields, who, _count(body))
    except rules.RuleError as exc:
        raise unsupported(exc) from None
    return JSON(created.to_json())


async def get_segment(request: Request) -> Response:
    user(request)
    audience = parent(request)
    return JSON(segment(request, audience).to_json())


async def update_segment(request: Request) -> Response:
    who = user(request)
    audience = parent(request)
    found = segment(request, audience)
    body = await json_body(request)
    fields = _fields(body, audience, request, creating=False)
    try:
        updated = await off_loop(backend(request).store.update, found, fields, who, _count(body))
    except rules.RuleError as exc:
        raise unsupported(exc) from None
    return JSON(updated.to_json())


async def delete_segment(request: Request) -> Response:
    user(request)
    audience = parent(request)
    found = segment(request, audience)
    store = backend(request).store
    users = [s.name for s in store.referenced_by(found.id)]
    if users:
        raise ApiError(400, f"segment {found.id} is referenced by {', '.join(users)}; change those first")
    store.delete(found)
    return JSON(found.to_json())


def _day(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, f"query parameter {name} must be a date (YYYY-MM-DD), not {raw!r}") from None


async def statistics(request: Request) -> Response:
    """``[[epoch, population, real], ...]``: the segment's daily populations (``real`` false: imputed)."""
    user(request)
    found = segment(request, parent(request))
    low, high = _day(request, "from"), _day(request, "to")

    def day(epoch: int) -> date:
        return datetime.fromtimestamp(epoch, timezone.utc).date()

    kept = [
        [epoch, population, real]
        for epoch, population, real in found.history
        if (low is None or day(epoch) >= low) and (high is None or day(epoch) <= high)
    ]
    return JSON(kept)


async def list_folders(request: Request) -> Response:
    user(request)
    audience = parent(request)
    return JSON([folder_json(f) for f in backend(request).store.folders.values() if f.audience_id == audience.id])


async def get_folder(request: Request) -> Response:
    user(request)
    return JSON(folder_json(_folder(request, parent(request))))


FOLDER_BODY: dict[str, Any] = {  # the OpenAPI's SegmentFolderCreateRepresentation
    "type": "object",
    "required": ["name", "description"],
    "properties": {"name": {"type": "string"}, "description": {"type": "string"}},
}


async def create_folder(request: Request) -> Response:
    """A new folder in the parent segment's root folder (the REST body has no parent: nesting is
    the JSON:API's). Names are unique among siblings (UNCONFIRMED: TD's UI refuses duplicates)."""
    who = user(request)
    audience = parent(request)
    body = await json_body(request)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "name must be non-empty text")
    description = body.get("description")
    if not isinstance(description, str):
        raise ApiError(400, "description is required and must be text ('' for none)")
    store = backend(request).store
    with store.lock:
        root = audience.folder_id
        if any(f.parent_id == root and f.name == name.strip() for f in store.folders.values()):
            raise ApiError(400, f"folder {root} already has a folder named {name.strip()!r}")
        created = store.create_folder(audience.id, name.strip(), description or None, root, who)
    return JSON(folder_json(created))


async def delete_folder(request: Request) -> Response:
    """Only an empty folder goes (no segments, no folders in it); the root folder stays. The
    answer is an empty 200, as the OpenAPI documents no body."""
    user(request)
    audience = parent(request)
    found = _folder(request, audience)
    store = backend(request).store
    if found.id == audience.folder_id:
        raise ApiError(
            400, f"folder {found.id} is the root folder of parent segment {audience.id}; it cannot be deleted"
        )
    with store.lock:
        inside = [s.name for s in store.of_parent(audience.id) if s.folder_id == found.id]
        inside += [f.name for f in store.folders.values() if f.parent_id == found.id]
        if inside:
            raise ApiError(
                400, f"folder {found.id} is not empty ({', '.join(sorted(inside))}); move or delete those first"
            )
        store.delete_folder(found)
    return Response(status_code=200)


async def folder_segments(request: Request) -> Response:
    user(request)
    audience = parent(request)
    folder = _folder(request, audience)
    return JSON([s.to_json() for s in backend(request).store.of_parent(audience.id) if s.folder_id == folder.id])


_DAY = {"type": "string", "format": "date"}
ENDPOINTS = [
    Endpoint("GET", wire.SEGMENTS, list_segments, "Segments of a parent segment", (AUDIENCE,), errors=ERRORS),
    Endpoint(
        "POST", wire.SEGMENTS, create_segment, "Create a segment", (AUDIENCE,), SEGMENT_BODY, errors=(*ERRORS, 422)
    ),
    Endpoint("GET", wire.SEGMENT, get_segment, "A segment", (AUDIENCE, SEGMENT), errors=ERRORS),
    Endpoint(
        "PUT",
        wire.SEGMENT,
        update_segment,
        "Update a segment",
        (AUDIENCE, SEGMENT),
        SEGMENT_BODY,
        errors=(*ERRORS, 422),
    ),
    Endpoint("DELETE", wire.SEGMENT, delete_segment, "Delete a segment", (AUDIENCE, SEGMENT), errors=ERRORS),
    Endpoint(
        "GET",
        wire.SEGMENT_STATISTICS,
        statistics,
        "Daily populations of a segment",
        (AUDIENCE, SEGMENT, Param("from"), Param("to")),
        errors=ERRORS,
    ),
    Endpoint("GET", wire.FOLDERS, list_folders, "Folders of a parent segment", (AUDIENCE,), errors=ERRORS),
    Endpoint("POST", wire.FOLDERS, create_folder, "Create a folder", (AUDIENCE,), FOLDER_BODY, errors=ERRORS),
    Endpoint("GET", wire.FOLDER, get_folder, "A folder", (AUDIENCE, FOLDER), errors=ERRORS),
    Endpoint("DELETE", wire.FOLDER, delete_folder, "Delete an empty folder", (AUDIENCE, FOLDER), errors=ERRORS),
    Endpoint("GET", wire.FOLDER_SEGMENTS, folder_segments, "Segments in a folder", (AUDIENCE, FOLDER), errors=ERRORS),
]
