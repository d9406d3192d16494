"""The Ingestion API: streamed JSON records and bulk CSV jobs into the data lake objects that
Ingestion API sources feed (see :mod:`cdpdb.backends.salesforce.local.ingestion`)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.catalog import DLO, Entity
from cdpdb.backends.salesforce.local.ingestion import IngestError, Job, schema_field, target_name
from cdpdb.backends.salesforce.local.routes.common import DIRECT_ERRORS, backend, direct_auth, json_body
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.routetable import Endpoint, Param


def _target(request: Request, dataspace: str, source: str, obj: str) -> Entity:
    entity = backend(request).catalog.get(target_name(source, obj), dataspace)
    if entity is None or entity.entity_type != DLO:
        raise ApiError(
            404, f"no Ingestion API source {source!r} with object {obj!r} in dataspace {dataspace!r}", "NOT_FOUND"
        )
    return entity


def _api_error(exc: IngestError) -> ApiError:
    return ApiError(exc.status, str(exc), exc.code)


def _columns(entity: Entity, records: list[Any]) -> dict[str, list[Any]]:
    """The records' values by schema field; a record must carry every field and no other."""
    fields = [schema_field(c.name) for c in entity.columns]
    wanted = set(fields)
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict):
            raise ApiError(400, f"record {number} is not a JSON object", "INVALID_INPUT")
        if record.keys() != wanted:
            missing, extra = sorted(wanted - record.keys()), sorted(record.keys() - wanted)
            detail = "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)} (send every schema field, blank if no value)" if missing else "",
                    f"unknown {', '.join(extra)}" if extra else "",
                )
                if part
            )
            raise ApiError(400, f"record {number}: {detail}", "INVALID_INPUT")
    return {name: [record[name] for record in records] for name in fields}


async def stream(request: Request) -> Response:
    _, dataspace = direct_auth(request)
    entity = _target(request, dataspace, request.path_params["source"], request.path_params["object"])
    raw = await request.body()
    if len(raw) >= wire.INGEST_STREAM_MAX_BYTES:
        raise ApiError(
            413,
            f"the payload is {len(raw):,} bytes; a streaming payload must be under 200 KB: send fewer records",
            "TOO_LARGE",
        )
    body = await json_body(request)
    records = body.get("data")
    if not isinstance(records, list) or not records:
        raise ApiError(400, 'the body must be {"data": [record, ...]} with at least one record', "INVALID_INPUT")
    columns = _columns(entity, records)
    ingestion = backend(request).ingestion

    def apply() -> None:
        try:
            table = ingestion.typed(dataspace, entity, columns, len(records))
        except IngestError as exc:
            raise _api_error(exc) from None
        ingestion.apply(dataspace, entity, table)

    await off_loop(apply)
    return JSON({"accepted": True}, status_code=202)


async def delete_records(request: Request) -> Response:
    _, dataspace = direct_auth(request)
    entity = _target(request, dataspace, request.path_params["source"], request.path_params["object"])
    ids = [i for i in (request.query_params.get("ids") or "").split(",") if i]
    if not ids:
        raise ApiError(400, "give the records' primary keys: ids=a,b,c", "INVALID_INPUT")
    if not entity.primary_keys:
        raise ApiError(400, f"{entity.name} has no primary key, so records cannot be deleted by id", "INVALID_INPUT")
    ingestion = backend(request).ingestion
    await off_loop(ingestion.apply, dataspace, entity, pa.table({"id": ids}), "delete")
    return JSON({"accepted": True}, status_code=202)


# -- bulk jobs ----------------------------------------------------------------------------------


def _job(request: Request) -> tuple[Job, str]:
    user, dataspace = direct_auth(request)
    try:
        return backend(request).ingestion.job(request.path_params["job_id"], user, dataspace), dataspace
    except IngestError as exc:
        raise _api_error(exc) from None


async def create_job(request: Request) -> Response:
    user, dataspace = direct_auth(request)
    body = await json_body(request)
    source, obj, operation = body.get("sourceName"), body.get("object"), body.get("operation")
    if not isinstance(source, str) or not isinstance(obj, str) or not source or not obj:
        raise ApiError(400, "give object and sourceName", "INVALID_INPUT")
    if operation not in wire.INGEST_OPERATIONS:
        raise ApiError(
            400, f"operation must be one of {', '.join(wire.INGEST_OPERATIONS)}, not {operation!r}", "INVALID_INPUT"
        )
    _target(request, dataspace, source, obj)
    job = backend(request).ingestion.create(source, obj, operation, user, dataspace)
    return JSON(job.as_json(), status_code=201)


async def list_jobs(request: Request) -> Response:
    user, dataspace = direct_auth(request)
    jobs = [j for j in backend(request).ingestion.jobs.values() if j.owner == user and j.dataspace == dataspace]
    return JSON({"data": [j.as_json() for j in sorted(jobs, key=lambda j: j.created)]})


async def get_job(request: Request) -> Response:
    job, _ = _job(request)
    return JSON(job.as_json())


async def upload(request: Request) -> Response:
    job, _ = _job(request)
    if not request.headers.get("content-type", "").startswith("text/csv"):
        raise ApiError(415, "upload the data as Content-Type: text/csv", "INVALID_CONTENT_TYPE")
    data = await request.body()
    try:
        backend(request).ingestion.upload(job, data)
    except IngestError as exc:
        raise _api_error(exc) from None
    return Response(status_code=202)


async def change_state(request: Request) -> Response:
    job, dataspace = _job(request)
    body = await json_body(request)
    entity = _target(request, dataspace, job.source, job.object)
    try:
        backend(request).ingestion.change_state(job, str(body.get("state")), entity)
    except IngestError as exc:
        raise _api_error(exc) from None
    return JSON(job.as_json())


async def delete_job(request: Request) -> Response:
    job, _ = _job(request)
    try:
        backend(request).ingestion.delete(job)
    except IngestError as exc:
        raise _api_error(exc) from None
    return Response(status_code=204)


_RECORDS = f"{wire.INGEST_SOURCES_PATH}/{{source}}/{{object}}"
_JOB = f"{wire.INGEST_JOBS_PATH}/{{job_id}}"
_ERRORS = (*DIRECT_ERRORS, 404, 413)
ENDPOINTS = [
    Endpoint(
        "POST",
        _RECORDS,
        stream,
        "Ingestion API: stream records",
        body={"type": "object", "properties": {"data": {"type": "array", "items": {"type": "object"}}}},
        errors=_ERRORS,
    ),
    Endpoint(
        "DELETE", _RECORDS, delete_records, "Ingestion API: delete records", params=(Param("ids"),), errors=_ERRORS
    ),
    Endpoint(
        "POST",
        wire.INGEST_JOBS_PATH,
        create_job,
        "Ingestion API: create a bulk job",
        body={
            "type": "object",
            "properties": {
                "object": {"type": "string"},
                "sourceName": {"type": "string"},
                "operation": {"type": "string"},
            },
        },
        errors=_ERRORS,
    ),
    Endpoint("GET", wire.INGEST_JOBS_PATH, list_jobs, "Ingestion API: the caller's bulk jobs", errors=DIRECT_ERRORS),
    Endpoint("GET", _JOB, get_job, "Ingestion API: a bulk job", errors=_ERRORS),
    Endpoint("PUT", f"{_JOB}/batches", upload, "Ingestion API: upload a CSV file", errors=(*_ERRORS, 409, 415)),
    Endpoint(
        "PATCH",
        _JOB,
        change_state,
        "Ingestion API: close or abort a bulk job",
        body={"type": "object", "properties": {"state": {"type": "string"}}},
        errors=(*_ERRORS, 409),
    ),
    Endpoint("DELETE", _JOB, delete_job, "Ingestion API: delete a bulk job", errors=(*_ERRORS, 409)),
]
