"""Everything but entities: sandboxes, union schemas, merge policies, computed attributes, profile
system jobs and export jobs (with their life cycles), the preview sample status and its two
reports, and Query Service's connection parameters."""

from __future__ import annotations

import copy
import time
import uuid
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local import schemas
from cdpdb.backends.adobe.local.routes.common import ERRORS, HEADERS, gate, json_body, page, server
from cdpdb.backends.adobe.local.store import public
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON
from cdpdb.local.routetable import Endpoint

ID = "id"


async def sandboxes(request: Request) -> Response:
    credential, _ = gate(request)
    store = server(request).store
    items = [
        {
            "name": s.name,
            "title": s.title,
            "state": wire.SANDBOX_ACTIVE,
            "type": "production" if s.name == "prod" else "development",
            "region": "VA7",
            "isDefault": s.name == wire.DEFAULT_SANDBOX,
        }
        for s in store.sandboxes.values()
        if credential.sandboxes is None or s.name in credential.sandboxes
    ]
    return JSON({"sandboxes": items, wire.PAGE: {"count": len(items)}})


async def union_schema(request: Request) -> Response:
    _, sandbox = gate(request)
    schema = request.path_params["schema"]
    found = schemas.UNIONS.get(schema)
    if found is None or (schema == wire.ACCOUNT_SCHEMA and not server(request).store.sandboxes[sandbox].has_accounts):
        raise ApiError(404, f"no union schema {schema}__union in the sandbox {sandbox}", "XDM-1010-404")
    return JSON(found)


def _policies(request: Request, sandbox: str) -> dict[str, dict[str, Any]]:
    policies: dict[str, dict[str, Any]] = server(request).store.sandboxes[sandbox].merge_policies
    return policies


async def list_policies(request: Request) -> Response:
    credential, sandbox = gate(request)
    items = [{**p, "imsOrgId": credential.org_id} for p in _policies(request, sandbox).values()]
    return JSON(page(request, items))


async def get_policy(request: Request) -> Response:
    credential, sandbox = gate(request)
    found = _policies(request, sandbox).get(request.path_params[ID])
    if found is None:
        raise ApiError(404, f"merge policy {request.path_params[ID]} was not found", wire.UPS_POLICY_NOT_FOUND)
    return JSON({**found, "imsOrgId": credential.org_id})


def check_policy(policy: dict[str, Any]) -> None:
    """What a merge policy must hold to be applied: 400 naming the first field that does not."""
    merge = policy.get("attributeMerge")
    if not isinstance(policy.get("name"), str) or not policy["name"]:
        raise ApiError(400, "a merge policy needs a name (text)", wire.UPS_BAD_REQUEST)
    if not isinstance(merge, dict) or merge.get("type") not in (
        wire.MERGE_TIMESTAMP_ORDERED,
        wire.MERGE_DATASET_PRECEDENCE,
    ):
        raise ApiError(400, "attributeMerge.type must be timestampOrdered or dataSetPrecedence", wire.UPS_BAD_REQUEST)
    order = merge.get("order")
    if order is not None and not (isinstance(order, list) and all(isinstance(o, str) for o in order)):
        raise ApiError(400, "attributeMerge.order must be a list of dataset ids", wire.UPS_BAD_REQUEST)
    graph = policy.get("identityGraph")
    if graph is not None and not isinstance(graph, dict):
        raise ApiError(400, "identityGraph must be an object", wire.UPS_BAD_REQUEST)
    if not isinstance(policy.get("schema", {}), dict):
        raise ApiError(400, "schema must be an object", wire.UPS_BAD_REQUEST)


async def create_policy(request: Request) -> Response:
    credential, sandbox = gate(request)
    body = await json_body(request)
    check_policy(body)
    policy = {
        **body,
        "id": uuid.uuid4().hex[:24],
        "version": 1,
        "imsOrgId": credential.org_id,
        "updateEpoch": int(time.time()),
        "default": bool(body.get("default")),
    }
    policy.setdefault("schema", {"name": wire.PROFILE_SCHEMA})
    policies = _policies(request, sandbox)
    if policy["default"]:
        for other in policies.values():
            other["default"] = False
    policies[policy["id"]] = policy
    return JSON(policy)


PATCHABLE = {
    "/name",
    "/attributeMerge",
    "/attributeMerge/type",
    "/attributeMerge/order",
    "/isActiveOnEdge",
    "/default",
    "/identityGraph/type",
}


async def patch_policy(request: Request) -> Response:
    """JSON Patch (one operation or a list) of ``add``/``replace`` on a merge policy's fields."""
    credential, sandbox = gate(request)
    policies = _policies(request, sandbox)
    found = policies.get(request.path_params[ID])
    if found is None:
        raise ApiError(404, f"merge policy {request.path_params[ID]} was not found", wire.UPS_POLICY_NOT_FOUND)
    raw = await request.body()
    try:
        ops = orjson.loads(raw or b"null")
    except orjson.JSONDecodeError:
        raise ApiError(400, "the body must be a JSON Patch operation or a list of them", wire.UPS_BAD_REQUEST) from None
    ops = ops if isinstance(ops, list) else [ops]
    updated = copy.deepcopy(found)
    for i, op in enumerate(ops):
        if not isinstance(op, dict) or op.get("op") not in ("add", "replace") or op.get("path") not in PATCHABLE:
            raise ApiError(
                400, f"operation {i}: op must be add or replace on one of {sorted(PATCHABLE)}", wire.UPS_BAD_REQUEST
            )
        parts = op["path"].strip("/").split("/")
        target = updated
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ApiError(400, f"operation {i}: {op['path']} is not an object's field", wire.UPS_BAD_REQUEST)
        target[parts[-1]] = op.get("value")
    check_policy(updated)
    updated["version"] = int(found.get("version", 1)) + 1
    updated["updateEpoch"] = int(time.time())
    updated["default"] = bool(updated.get("default"))
    if updated["default"]:
        for other in policies.values():
            other["default"] = False
    elif found.get("default"):
        raise ApiError(
            400,
            "the default merge policy stays the default until another one is made the default",
            wire.UPS_BAD_REQUEST,
        )
    policies[found["id"]] = updated
    return JSON({**updated, "imsOrgId": credential.org_id})


async def delete_policy(request: Request) -> Response:
    _, sandbox = gate(request)
    policies = _policies(request, sandbox)
    found = policies.get(request.path_params[ID])
    if found is None:
        raise ApiError(404, f"merge policy {request.path_params[ID]} was not found", wire.UPS_POLICY_NOT_FOUND)
    if found.get("default"):
        raise ApiError(
            400, "the default merge policy cannot be deleted: make another one the default first", wire.UPS_BAD_REQUEST
        )
    del policies[found["id"]]
    return Response(status_code=200)


async def computed_attributes(request: Request) -> Response:
    _, sandbox = gate(request)
    return JSON(page(request, server(request).store.sandboxes[sandbox].computed_attributes, "computedAttributes"))


async def list_system_jobs(request: Request) -> Response:
    _, sandbox = gate(request)
    jobs = [public(j) for j in server(request).store.system_jobs[sandbox].values()]
    return JSON(page(request, jobs))


async def create_system_job(request: Request) -> Response:
    _, sandbox = gate(request)
    job = server(request).store.new_system_job(sandbox, await json_body(request))
    return JSON(public(job))


def _system_job(request: Request, sandbox: str) -> dict[str, Any]:
    found = server(request).store.system_jobs[sandbox].get(request.path_params[ID])
    if found is None:
        raise ApiError(404, f"profile system job {request.path_params[ID]} was not found", wire.UPS_NOT_FOUND)
    return found


async def get_system_job(request: Request) -> Response:
    _, sandbox = gate(request)
    return JSON(public(_system_job(request, sandbox)))


async def delete_system_job(request: Request) -> Response:
    _, sandbox = gate(request)
    job = _system_job(request, sandbox)
    server(request).store.system_jobs[sandbox].pop(job["id"], None)
    return Response(status_code=204)


async def list_export_jobs(request: Request) -> Response:
    _, sandbox = gate(request)
    jobs = [public(j) for j in server(request).store.export_jobs[sandbox].values()]
    return JSON(page(request, jobs))


async def create_export_job(request: Request) -> Response:
    _, sandbox = gate(request)
    job = server(request).store.new_export_job(sandbox, await json_body(request))
    return JSON(public(job))


async def get_export_job(request: Request) -> Response:
    _, sandbox = gate(request)
    raw = request.path_params[ID]
    found = server(request).store.export_jobs[sandbox].get(int(raw)) if raw.isascii() and raw.isdigit() else None
    if found is None:
        raise ApiError(404, f"export job {raw} was not found", wire.UPS_NOT_FOUND)
    return JSON(public(found))


async def sample_status(request: Request) -> Response:
    _, sandbox = gate(request)
    return JSON(server(request).store.sample_status(sandbox))


async def dataset_report(request: Request) -> Response:
    _, sandbox = gate(request)
    return JSON(server(request).store.dataset_report(sandbox))


async def namespace_report(request: Request) -> Response:
    _, sandbox = gate(request)
    return JSON(server(request).store.namespace_report(sandbox))


async def connection_parameters(request: Request) -> Response:
    """Interactive Query Service credentials: the caller's own token as the (expiring) password."""
    credential, sandbox = gate(request)
    token = request.headers.get(wire.AUTHORIZATION, "").partition(" ")[2]
    params = {
        "host": server(request).query_host,
        "port": wire.QUERY_SERVICE_PORT,
        "username": credential.org_id,
        "password": token,
        "dbName": f"{sandbox}:all",
    }
    return JSON({"version": 1, "dbName": params["dbName"], "connectionParameters": params, "expiresIn": 86_399})


OBJECT = {"type": "object"}
ENDPOINTS = [
    Endpoint("GET", wire.SANDBOXES, sandboxes, "Sandboxes", HEADERS, errors=ERRORS),
    Endpoint("GET", wire.UNION_SCHEMA, union_schema, "A class's union schema (xed-full)", HEADERS, errors=ERRORS),
    Endpoint("GET", wire.MERGE_POLICIES, list_policies, "Merge policies", HEADERS, errors=ERRORS),
    Endpoint("POST", wire.MERGE_POLICIES, create_policy, "Create a merge policy", HEADERS, body=OBJECT, errors=ERRORS),
    Endpoint("GET", wire.MERGE_POLICY, get_policy, "A merge policy", HEADERS, errors=ERRORS),
    Endpoint(
        "PATCH",
        wire.MERGE_POLICY,
        patch_policy,
        "Change a merge policy (JSON Patch)",
        HEADERS,
        body={"type": "array", "items": {"type": "object"}},
        errors=ERRORS,
    ),
    Endpoint("DELETE", wire.MERGE_POLICY, delete_policy, "Delete a merge policy", HEADERS, errors=ERRORS),
    Endpoint("GET", wire.COMPUTED_ATTRIBUTES, computed_attributes, "Computed attributes", HEADERS, errors=ERRORS),
    Endpoint("GET", wire.SYSTEM_JOBS, list_system_jobs, "Profile system jobs", HEADERS, errors=ERRORS),
    Endpoint(
        "POST", wire.SYSTEM_JOBS, create_system_job, "Create a delete request", HEADERS, body=OBJECT, errors=ERRORS
    ),
    Endpoint("GET", wire.SYSTEM_JOB, get_system_job, "A profile system job", HEADERS, errors=ERRORS),
    Endpoint("DELETE", wire.SYSTEM_JOB, delete_system_job, "Delete a profile system job", HEADERS, errors=ERRORS),
    Endpoint("GET", wire.EXPORT_JOBS, list_export_jobs, "Profile export jobs", HEADERS, errors=ERRORS),
    Endpoint(
        "POST", wire.EXPORT_JOBS, create_export_job, "Start a profile export job", HEADERS, body=OBJECT, errors=ERRORS
    ),
    Endpoint("GET", wire.EXPORT_JOB, get_export_job, "A profile export job", HEADERS, errors=ERRORS),
    Endpoint("GET", wire.PREVIEW_SAMPLE_STATUS, sample_status, "Preview sample status", HEADERS, errors=ERRORS),
    Endpoint("GET", wire.DATASET_REPORT, dataset_report, "Dataset overlap report", HEADERS, errors=ERRORS),
    Endpoint("GET", wire.NAMESPACE_REPORT, namespace_report, "Namespace report", HEADERS, errors=ERRORS),
    Endpoint(
        "GET",
        wire.QUERY_CONNECTION_PARAMETERS,
        connection_parameters,
        "Query Service connection parameters",
        HEADERS,
        errors=ERRORS,
    ),
]
