"""The Audience API's small lists as tables: folders, funnels, predictive segments, Profiles API
tokens (one GET per parent segment) and journeys (JSON:API, ``/entities/journeys``).

They are short, so each scan reads them whole; what is pushed only narrows which requests are
made (the parent segments listed, the folder journeys are listed for). Activations, the one list
with real server-side filters, live in :mod:`~cdpdb.backends.treasuredata.activations`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import pyarrow as pa

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.client import AudienceApi
from cdpdb.backends.treasuredata.records import UTC_TIME, to_batch, user_fields, user_values
from cdpdb.core.sqlapi.tables import EQ, IN, Field, Predicate, Scan, Table

log = logging.getLogger(__name__)
BY_ID = frozenset({EQ, IN})  # audienceId = / IN: only those parent segments are listed (journeys: folders)
TEXT = pa.string()
JSON_TEXT = "JSON text"


def audience_field() -> Field:
    return Field("audienceId", TEXT, nullable=False, pushdown=BY_ID, comment="the parent segment")


FOLDER_FIELDS = [
    Field("id", TEXT, nullable=False),
    audience_field(),
    Field("name", TEXT),
    Field("description", TEXT),
    Field("parentFolderId", TEXT, comment="NULL for the parent segment's root folder"),
    Field("createdAt", UTC_TIME),
    Field("updatedAt", UTC_TIME),
    *user_fields("createdBy"),
    *user_fields("updatedBy"),
]
FUNNEL_FIELDS = [
    Field("id", TEXT, nullable=False),
    audience_field(),
    Field("segmentFolderId", TEXT),
    Field("name", TEXT),
    Field("population", pa.int64()),
    Field("numSyndications", pa.int64(), comment="its activations"),
    Field("needToRunWorkflow", pa.bool_()),
    Field("stages", TEXT, comment=f"the stages ({JSON_TEXT}: id, name, segmentId...)"),
    Field("createdAt", UTC_TIME),
    Field("updatedAt", UTC_TIME),
    *user_fields("createdBy"),
    *user_fields("updatedBy"),
]
PREDICTIVE_FIELDS = [
    Field("id", TEXT, nullable=False),
    audience_field(),
    Field("name", TEXT),
    Field("baseSegmentId", TEXT),
    Field("segmentId", TEXT),
    Field("scoredSegmentId", TEXT),
    Field("categoricalAsColumnNames", pa.list_(TEXT)),
    Field("categoricalArrayAsColumnNames", pa.list_(TEXT)),
    Field("quantitativeAsColumnNames", pa.list_(TEXT)),
    Field("accuracy", pa.float64()),
    Field("areaUnderRocCurve", pa.float64()),
    Field("gradeThresholds", pa.list_(pa.float64())),
    Field("createdAt", UTC_TIME),
    Field("updatedAt", UTC_TIME),
]
TOKEN_FIELDS = [
    Field("id", TEXT, nullable=False),
    audience_field(),
    Field("token", TEXT, comment="the token the Profiles API (JavaScript SDK) is called with"),
    Field("description", TEXT),
    Field("keyColumn", TEXT, comment="the attribute a profile is looked up by"),
    Field("attributeColumns", pa.list_(TEXT)),
    Field("segments", TEXT, comment=f"the segments it answers ({JSON_TEXT})"),
    Field("v2", pa.bool_()),
    Field("createdAt", UTC_TIME),
    Field("updatedAt", UTC_TIME),
    *user_fields("createdBy"),
    *user_fields("updatedBy"),
]
JOURNEY_FIELDS = [
    Field("id", TEXT, nullable=False),
    Field("audienceId", TEXT, comment="the parent segment"),
    Field("name", TEXT),
    Field("state", TEXT),
    Field(
        "parentFolderId",
        TEXT,
        pushdown=BY_ID,
        comment="relationships.parentFolder (= / IN: listed with folder_id, which may include subfolders)",
    ),
    Field("goal", TEXT, comment=JSON_TEXT),
    Field("journeyStages", TEXT, comment=JSON_TEXT),
    Field("paused", pa.bool_()),
    Field("pausedAt", UTC_TIME),
    Field("allowReentry", pa.bool_()),
    Field("reentryMode", TEXT),
    Field("journeyBundleId", TEXT),
    Field("journeyBundleName", TEXT),
    Field("journeyBundleDescription", TEXT),
    Field("versionNumber", pa.int64()),
    Field("latestExecution", TEXT, comment=JSON_TEXT),
    Field("launchedAt", UTC_TIME),
    Field("createdAt", UTC_TIME),
    Field("updatedAt", UTC_TIME),
    Field("createdById", TEXT, comment="relationships.createdBy (a user id)"),
    Field("updatedById", TEXT, comment="relationships.updatedBy (a user id)"),
]


def row_of(item: Mapping[str, Any], fields: Sequence[Field]) -> dict[str, Any]:
    """An API item as a row of ``fields``: its own keys, and its users flattened."""
    row: dict[str, Any] = {}
    for role in ("createdBy", "updatedBy"):
        if isinstance(item.get(role), Mapping):
            row.update(user_values(role, item[role]))
    row.update({f.name: item[f.name] for f in fields if f.name in item})
    return row


def wanted(values: Iterable[str], scan: Scan, column: str) -> list[str]:
    """``values`` narrowed by the scan's ``=`` / ``IN`` predicates on ``column`` (in their order)."""
    keep = list(values)
    for predicate in scan.predicates_on(column):
        given = {str(v) for v in (predicate.value if predicate.op == IN else (predicate.value,))}
        keep = [v for v in keep if v in given]
    return keep


class ParentList(Table):
    """A list the API gives per parent segment (``GET /audiences/{id}/<what>``), read whole."""

    primary_key = ("id",)

    def __init__(
        self, api: AudienceApi, audiences: Sequence[str], name: str, path: str, fields: list[Field], comment: str
    ) -> None:
        self.api, self.audiences, self.path = api, list(audiences), path
        self.name, self.fields, self.comment = name, fields, comment

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        for audience in wanted(self.audiences, scan, "audienceId"):
            path = self.api.path(self.path, audience_id=audience)
            log.debug("%s: GET %s", self.name, path)
            items = self.api.get(path, what=f"listing the {self.name} of parent segment {audience}")
            rows = [row_of({"audienceId": audience, **item}, self.fields) for item in items]
            yield to_batch(rows, self.fields)


def journey_item(resource: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON:API journey flattened: its attributes, its id, and the ids it is related to."""
    relationships = resource.get("relationships") or {}

    def related(name: str) -> Any:
        data = (relationships.get(name) or {}).get("data")
        return data.get("id") if isinstance(data, Mapping) else None

    return {
        **(resource.get("attributes") or {}),
        "id": resource.get("id"),
        "parentFolderId": related("parentFolder"),
        "createdById": related("createdBy"),
        "updatedById": related("updatedBy"),
    }


class JourneysTable(Table):
    """``/entities/journeys``: every journey the key can see. ``parentFolderId = / IN`` lists
    those folders only (``folder_id``; inexact where TD includes subfolders: DuckDB re-checks)."""

    name, fields, primary_key = "journeys", JOURNEY_FIELDS, ("id",)
    comment = "journeys (JSON:API, attributes flattened)"

    def __init__(self, api: AudienceApi) -> None:
        self.api = api

    def accepts(self, predicate: Predicate) -> bool:
        values = predicate.value if predicate.op == IN else (predicate.value,)
        return super().accepts(predicate) and all(_is_id(v) for v in values)

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        folders: list[str | None] = [None]
        if scan.predicates_on("parentFolderId"):
            folders = list(wanted(_all_ids(scan), scan, "parentFolderId"))
        seen: set[str] = set()
        for folder in folders:
            params = {wire.JOURNEY_FOLDER_FILTER: folder} if folder is not None else None
            path = self.api.path(wire.JOURNEYS)
            log.debug("journeys: GET %s?%s", path, urlencode(params or {}))
            body = self.api.get(path, params, what="listing journeys")
            rows = []
            for resource in body.get("data") or []:
                item = journey_item(resource)
                if str(item["id"]) not in seen:
                    seen.add(str(item["id"]))
                    rows.append(row_of(item, self.fields))
            yield to_batch(rows, self.fields)


def _is_id(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value > 0) or (
        isinstance(value, str) and value.isdigit() and len(value) <= 18
    )


def _all_ids(scan: Scan) -> list[str]:
    """Every id the first ``parentFolderId`` predicate names (the others only narrow it)."""
    first = scan.predicates_on("parentFolderId")[0]
    return [str(int(v)) for v in (first.value if first.op == IN else (first.value,))]


def parent_lists(api: AudienceApi, audiences: Sequence[str]) -> dict[str, Table]:
    """The per-parent-segment lists and journeys, by table name."""
    made: list[Table] = [
        ParentList(api, audiences, "folders", wire.FOLDERS, FOLDER_FIELDS, "segment folders of every parent segment"),
        ParentList(api, audiences, "funnels", wire.FUNNELS, FUNNEL_FIELDS, "funnels of every parent segment"),
        ParentList(
            api,
            audiences,
            "predictive_segments",
            wire.PREDICTIVE_SEGMENTS,
            PREDICTIVE_FIELDS,
            "predictive segments of every parent segment",
        ),
        ParentList(api, audiences, "tokens", wire.TOKENS, TOKEN_FIELDS, "Profiles API tokens of every parent segment"),
        JourneysTable(api),
    ]
    return {table.name: table for table in made}
