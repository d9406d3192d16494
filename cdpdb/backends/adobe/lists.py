"""The Profile API's configuration lists as tables: merge policies, computed attributes, profile
system jobs (delete requests), export jobs, the preview sample status and its two reports.
Each is small and read whole; DuckDB filters them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.client import PlatformApi
from cdpdb.backends.adobe.tables import UTC_TIME, Column, ListTable, col
from cdpdb.core.sqlapi.tables import Table

S, INT, F, B, J = pa.string(), pa.int64(), pa.float64(), pa.bool_(), pa.string()  # J: JSON text

MERGE_POLICIES = [
    col("id", S),
    col("name", S),
    col("imsOrgId", S),
    col("schema_name", S, "schema.name"),
    col("version", INT),
    col("identityGraph_type", S, "identityGraph.type"),
    col("attributeMerge_type", S, "attributeMerge.type"),
    col(
        "attributeMerge_order",
        J,
        "attributeMerge.order",
        "dataset ids in precedence order (JSON), for dataSetPrecedence",
    ),
    col("isActiveOnEdge", B),
    col("default", B),
    col("updateEpoch", INT),
]
COMPUTED_ATTRIBUTES = [
    col("id", S),
    col("name", S),
    col("displayName", S),
    col("description", S),
    col("path", S),
    col("type", S),
    col("status", S),
    col("expression", J, "expression", "the rule (JSON)"),
    col("mergeFunction", J, "mergeFunction.value"),
    col("duration", J, "duration", "the lookback (JSON)"),
    col("createEpoch", INT),
    col("updateEpoch", INT),
]
SYSTEM_JOBS = [
    col("id", S),
    col("imsOrgId", S),
    col("dataSetId", S),
    col("batchId", S),
    col("jobType", S),
    col("status", S),
    col("createEpoch", INT),
    col("updateEpoch", INT),
]
EXPORT_JOBS = [
    col("id", INT),
    col("jobType", S),
    col("status", S),
    col("schema_name", S, "schema.name"),
    col("mergePolicy_id", S, "mergePolicy.id"),
    col("destination_datasetId", S, "destination.datasetId"),
    col("fields", S),
    col("profileInstancesCount", INT, "metrics.profileExportTime.profileInstancesCount"),
    col("creationTime", UTC_TIME),
    col("updateTime", UTC_TIME),
    col("requestId", S),
]
SAMPLE_STATUS = [
    col("numRowsToRead", INT),
    col("sampleJobRunning", B),
    col("cosmosDocCount", INT),
    col("totalFragmentCount", INT),
    col("lastSuccessfulBatchTimestamp", INT),
    col("streamingDriven", B),
    col("totalRows", INT),
    col("lastBatchId", S),
    col("lastSampledTimestamp", INT),
]
DATASET_REPORT = [
    col("reportTimestamp", UTC_TIME),
    col("sandboxName", S),
    col("id", S),
    col("name", S),
    col("description", S),
    col("value", INT, comment="profile fragments from this dataset"),
    col("streamingIngestionEnabled", B),
    col("createdUser", S),
]
NAMESPACE_REPORT = [
    col("reportTimestamp", UTC_TIME),
    col("sandboxName", S),
    col("code", S),
    col("idsCount", INT, "value"),
    col("fullIDsFragmentCount", INT),
    col("fullIDsCount", INT),
    col("fullIDsPercentage", F),
]


def _paged(api: PlatformApi, url: str, sandbox: str, key: str, what: str) -> list[dict[str, Any]]:
    """Every item of a list that pages with ``_page.next`` (given back as ``start``)."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {}
    for _ in range(100_000):
        body = api.get(url, params or None, sandbox=sandbox, what=what)
        page = body.get(key) or [] if isinstance(body, dict) else []
        items.extend(p for p in page if isinstance(p, dict))
        token = (body.get(wire.PAGE) or {}).get(wire.PAGE_NEXT) if isinstance(body, dict) else None
        if not token or not page:
            return items
        params[wire.P_START] = token
    return items


def _report(api: PlatformApi, url: str, sandbox: str, what: str) -> Callable[[], list[dict[str, Any]]]:
    """A report: ``{"reportTimestamp", "data": [{"sandboxName", "value": [...]}]}`` flattened to rows."""

    def fetch() -> list[dict[str, Any]]:
        body = api.get(url, sandbox=sandbox, what=what)
        rows = []
        for part in (body.get("data") or []) if isinstance(body, dict) else []:
            for item in part.get("value") or []:
                rows.append(
                    {"reportTimestamp": body.get("reportTimestamp"), "sandboxName": part.get("sandboxName"), **item}
                )
        return rows

    return fetch


def list_tables(api: PlatformApi, sandbox: str) -> dict[str, Table]:
    def lister(template: str, key: str, what: str) -> Callable[[], list[dict[str, Any]]]:
        return lambda: _paged(api, api.url(template), sandbox, key, what)

    def status() -> list[dict[str, Any]]:
        body = api.get(api.url(wire.PREVIEW_SAMPLE_STATUS), sandbox=sandbox, what="reading the preview sample status")
        return [body] if isinstance(body, dict) else []

    specs: list[tuple[str, list[Column], Callable[[], list[dict[str, Any]]], str, tuple[str, ...]]] = [
        (
            "merge_policies",
            MERGE_POLICIES,
            lister(wire.MERGE_POLICIES, wire.CHILDREN, "listing merge policies"),
            "merge policies (which dataset's value a profile shows)",
            ("id",),
        ),
        (
            "computed_attributes",
            COMPUTED_ATTRIBUTES,
            lister(wire.COMPUTED_ATTRIBUTES, "computedAttributes", "listing computed attributes"),
            "computed attributes",
            ("id",),
        ),
        (
            "profile_system_jobs",
            SYSTEM_JOBS,
            lister(wire.SYSTEM_JOBS, wire.CHILDREN, "listing profile system jobs"),
            "delete requests of the Profile store (by dataset or batch)",
            ("id",),
        ),
        (
            "profile_export_jobs",
            EXPORT_JOBS,
            lister(wire.EXPORT_JOBS, wire.CHILDREN, "listing profile export jobs"),
            "profile export jobs (into a dataset)",
            ("id",),
        ),
        ("preview_sample_status", SAMPLE_STATUS, status, "the last profile sample job's status (one row)", ()),
        (
            "preview_sample_dataset_report",
            DATASET_REPORT,
            _report(api, api.url(wire.DATASET_REPORT), sandbox, "reading the dataset overlap report"),
            "profile fragments per dataset, from the last sample job",
            ("id",),
        ),
        (
            "preview_sample_namespace_report",
            NAMESPACE_REPORT,
            _report(api, api.url(wire.NAMESPACE_REPORT), sandbox, "reading the namespace report"),
            "identities per namespace, from the last sample job",
            ("code",),
        ),
    ]
    return {name: ListTable(name, columns, fetch, comment, key) for name, columns, fetch, comment, key in specs}
