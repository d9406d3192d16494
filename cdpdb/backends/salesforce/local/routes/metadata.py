"""The Metadata API: the objects (DLO, DMO, calculated insights) a dataspace holds, in the
documented shape, filtered by type, category or name."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.catalog import CATEGORIES, CIO, ENTITY_TYPES, Column, Entity
from cdpdb.backends.salesforce.local.routes.common import DIRECT_ERRORS, backend, direct_auth
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON
from cdpdb.local.routetable import Endpoint, Param


def _field_json(column: Column) -> dict[str, Any]:
    item: dict[str, Any] = {"name": column.name, "displayName": column.label, "type": column.metadata_type}
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


def entity_json(entity: Entity) -> dict[str, Any]:
    body: dict[str, Any] = {"name": entity.name, "displayName": entity.label}
    if entity.entity_type == CIO:
        body["dimensions"] = [_field_json(c) for c in entity.columns if c.role == "dimension"]
        body["measures"] = [
            {**_field_json(c), "rollupable": c.rollupable} for c in entity.columns if c.role == "measure"
        ]
        body["relationships"] = [{"fromEntity": r.from_entity, "toEntity": r.to_entity} for r in entity.relationships]
    else:
        if entity.category:  # an object loaded without one (cloud.load) has none to tell
            body["category"] = entity.category
        body["fields"] = [_field_json(c) for c in entity.columns]
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
    kind = request.query_params.get(wire.METADATA_ENTITY_TYPE)
    category = request.query_params.get(wire.METADATA_ENTITY_CATEGORY)
    name = request.query_params.get(wire.METADATA_ENTITY_NAME)
    if kind and kind not in ENTITY_TYPES:
        raise ApiError(400, f"entityType must be one of {', '.join(ENTITY_TYPES)}, not {kind!r}", "INVALID_INPUT")
    if category and category not in CATEGORIES:
        raise ApiError(400, f"entityCategory must be one of {', '.join(CATEGORIES)}, not {category!r}", "INVALID_INPUT")
    entities = backend(request).catalog.visible(dataspace)
    if name:
        entities = [e for e in entities if e.name == name]
        if not entities:
            raise ApiError(404, f"entity {name!r} does not exist in dataspace {dataspace!r}", "NOT_FOUND")
    entities = [e for e in entities if (not kind or e.entity_type == kind) and (not category or e.category == category)]
    return JSON({"metadata": [entity_json(e) for e in entities]})


_FILTERS = (Param(wire.METADATA_ENTITY_TYPE), Param(wire.METADATA_ENTITY_CATEGORY), Param(wire.METADATA_ENTITY_NAME))
ENDPOINTS = [
    Endpoint("GET", wire.METADATA_PATH, metadata, "Metadata API", params=_FILTERS, errors=DIRECT_ERRORS),
    Endpoint("GET", f"{wire.METADATA_PATH}/", metadata, "Metadata API", params=_FILTERS, described=False),
]
