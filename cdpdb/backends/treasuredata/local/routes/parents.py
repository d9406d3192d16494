"""Parent segments (REST ``/audiences`` and JSON:API ``/entities/parent_segments``) and their
schema: ``/attributes`` (each with its source database, table and column) and ``/behaviors``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.local.model import ParentSegment, iso
from cdpdb.backends.treasuredata.local.routes.common import AUDIENCE, ERRORS, backend, identifier, parent, user
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON
from cdpdb.local.routetable import Endpoint, Param


class JSONAPI(JSON):
    media_type = wire.JSONAPI_MEDIA_TYPE


def audience_json(p: ParentSegment) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "scheduleType": "daily",
        "scheduleOption": "00:00",
        "timezone": "Asia/Tokyo",
        "matrixUpdatedAt": iso(p.created_at.replace(year=2025, month=12, day=30)),
        "workflowHiveOnly": False,
        "hiveEngineVersion": "cdpaudience",
        "hivePoolName": None,
        "prestoPoolName": None,
        "allowActivationBehavior": True,
        "maxActivationBehaviorRow": 1000,
        "llmEnabled": False,
        "llmState": "disabled",
        "population": p.population,
        "enrichmentWordTaggingEnabled": False,
        "enrichmentIpEnabled": False,
        "enrichmentTdJsSdkEnabled": False,
        "master": {"parentDatabaseName": p.master_database, "parentTableName": p.master_table},
        "attributes": [_attribute_brief(a.to_json(p.id)) for a in p.attributes],
        "behaviors": [b.to_json() for b in p.behaviors],
        "customerGroup": None,
        "audienceFilters": [],
        "createdAt": iso(p.created_at),
        "updatedAt": iso(p.created_at),
        "createdBy": p.created_by.to_json(),
        "updatedBy": p.created_by.to_json(),
    }


def _attribute_brief(full: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "audienceId",
        "name",
        "type",
        "parentDatabaseName",
        "parentTableName",
        "parentColumn",
        "parentKey",
        "foreignKey",
        "groupingName",
    )
    return {k: full[k] for k in keys}


def entity_json(p: ParentSegment) -> dict[str, Any]:
    return {
        "data": {
            "id": p.id,
            "type": "parentSegment",
            "attributes": {
                "name": p.name,
                "matrixUpdatedAt": iso(p.created_at.replace(year=2025, month=12, day=30)),
                "population": p.population,
                "scheduleType": "daily",
                "timezone": "Asia/Tokyo",
                "createdAt": iso(p.created_at),
                "updatedAt": iso(p.created_at),
                "v4Id": int(p.id),
                "allowActivationBehavior": True,
                "maxActivationBehaviorRow": 1000,
                "customerGroup": None,
            },
            "relationships": {
                "parentFolder": {"data": {"id": p.folder_id, "type": "folder-segment"}},
                "parentSegmentFolder": {"data": {"id": p.folder_id, "type": "folder-segment"}},
            },
        }
    }


async def list_audiences(request: Request) -> Response:
    user(request)
    return JSON([audience_json(p) for p in backend(request).store.parents.values()])


async def get_audience(request: Request) -> Response:
    user(request)
    return JSON(audience_json(parent(request)))


async def attributes(request: Request) -> Response:
    user(request)
    p = parent(request)
    return JSON([a.to_json(p.id) for a in p.attributes])


async def behaviors(request: Request) -> Response:
    user(request)
    return JSON([b.to_json() for b in parent(request).behaviors])


async def list_entities(request: Request) -> Response:
    user(request)
    return JSONAPI([entity_json(p) for p in backend(request).store.parents.values()])


async def get_entity(request: Request) -> Response:
    user(request)
    found = backend(request).store.parents.get(identifier(request, "id", "the parent segment"))
    if found is None:
        raise ApiError(404, "Record not found", "record-not-found-error")
    return JSONAPI(entity_json(found))


ID = (Param("id", "path", "integer"),)
ENDPOINTS = [
    Endpoint("GET", wire.PARENT_SEGMENTS, list_audiences, "Parent segment configurations", errors=ERRORS),
    Endpoint("GET", wire.PARENT_SEGMENT, get_audience, "A parent segment configuration", (AUDIENCE,), errors=ERRORS),
    Endpoint("GET", wire.ATTRIBUTES, attributes, "Attributes of a parent segment", (AUDIENCE,), errors=ERRORS),
    Endpoint(
        "GET",
        wire.BEHAVIORS,
        behaviors,
        "Behaviours of a parent segment",
        (AUDIENCE, Param("realtime", kind="boolean")),
        errors=ERRORS,
    ),
    Endpoint("GET", wire.ENTITY_PARENT_SEGMENTS, list_entities, "Parent segments (JSON:API)", errors=ERRORS),
    Endpoint("GET", wire.ENTITY_PARENT_SEGMENT, get_entity, "A parent segment (JSON:API)", ID, errors=ERRORS),
]
