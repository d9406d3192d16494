"""Universal ID Lookup: from one source record, every source record linked to the same unified
profile (the identity-link object's rows that share its ``UnifiedRecordId__c``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.catalog import DMO
from cdpdb.backends.salesforce.local.routes import objects
from cdpdb.backends.salesforce.local.routes.common import DIRECT_ERRORS, backend, direct_auth
from cdpdb.local.engine import quote_ident
from cdpdb.local.errors import ApiError
from cdpdb.local.http import off_loop
from cdpdb.local.routetable import Endpoint, Param

SOURCE, UNIFIED = "SourceRecordId__c", "UnifiedRecordId__c"
DATA_SOURCE, DATA_SOURCE_OBJECT = "ssot__DataSourceId__c", "ssot__DataSourceObjectId__c"
DEFAULT_FIELDS = [SOURCE, UNIFIED, DATA_SOURCE_OBJECT, DATA_SOURCE]
MAX_FIELDS = 50


async def lookup(request: Request) -> Response:
    _, dataspace = direct_auth(request)
    link = objects.entity(request, request.path_params["entity"], dataspace, (DMO,))
    missing = [f for f in DEFAULT_FIELDS if f not in {c.name for c in link.columns}]
    if missing:
        raise ApiError(
            400, f"{link.name} is not an identity link object (it has no {', '.join(missing)})", "INVALID_INPUT"
        )
    fields = objects.names(request, "fields") or DEFAULT_FIELDS
    if len(fields) > MAX_FIELDS:
        raise ApiError(400, f"at most {MAX_FIELDS} fields per request, not {len(fields)}", "INVALID_INPUT")
    objects.check_fields(link, fields)
    filters = objects.filters(request, False)
    objects.check_fields(link, [f for f, _ in filters])
    limit = objects.limit(request, wire.UNIVERSAL_ID_MAX_ROWS, wire.UNIVERSAL_ID_MAX_ROWS)
    table = quote_ident(link.name)
    same_profile = (
        f"{quote_ident(UNIFIED)} IN (SELECT {quote_ident(UNIFIED)} FROM {table} WHERE "
        + " AND ".join(
            objects.equal(column, request.path_params[name])
            for column, name in ((DATA_SOURCE, "source"), (DATA_SOURCE_OBJECT, "object"), (SOURCE, "record"))
        )
        + ")"
    )
    conditions = [same_profile, *(objects.equal(f, v) for f, v in filters)]
    rows = await off_loop(
        objects.select,
        backend(request),
        dataspace,
        link,
        [quote_ident(f) for f in fields],
        conditions,
        limit=limit,
        offset=objects.offset(request),
        orderby=request.query_params.get("orderby") or f"{DATA_SOURCE_OBJECT} ASC, {SOURCE} ASC",
    )
    return objects.answer(rows, limit)


ENDPOINTS = [
    Endpoint(
        "GET",
        f"{wire.UNIVERSAL_ID_PATH}/{{entity}}/{{source}}/{{object}}/{{record}}",
        lookup,
        "Universal ID Lookup",
        params=(Param("fields"), Param("filters"), *objects.PAGING),
        errors=(*DIRECT_ERRORS, 404, 422),
    ),
]
