"""``segment_sql``: the SQL each saved segment compiles to, as TD answers ``POST
/audiences/{id}/segments/query`` with ``{"format": "sql", "rule": ...}``; the statement TD runs
on its Trino endpoint (``SELECT sql FROM segment_sql WHERE segmentId = '1500001'``).

A table rather than a view definition: it is read with plain SQL, the DB-API and pandas alike,
can be joined with ``segments``, and one request per segment is sent only for the segments asked
for (``audienceId`` and ``segmentId`` ``=`` / ``IN`` are pushed down)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.client import AudienceApi
from cdpdb.backends.treasuredata.tables import ListTable
from cdpdb.core.sqlapi.tables import EQ, IN, Field, Scan

FIELDS = [
    Field("audienceId", pa.string(), nullable=False, pushdown=frozenset({EQ, IN})),
    Field("segmentId", pa.string(), nullable=False, pushdown=frozenset({EQ, IN})),
    Field("segmentName", pa.string()),
    Field("sql", pa.string(), comment="the Trino SQL TD runs for the segment's rule"),
]


def _wanted(scan: Scan, column: str, every: set[str] | None) -> set[str] | None:
    """The values the pushed ``=``/``IN`` predicates on ``column`` allow (None: any)."""
    for predicate in scan.predicates_on(column):
        given = {str(v) for v in (predicate.value if predicate.op == IN else (predicate.value,))}
        every = given if every is None else every & given
    return every


def segment_sql_table(api: AudienceApi, audiences: Sequence[str]) -> ListTable:
    def fetch(scan: Scan) -> list[dict[str, Any]]:
        parents = _wanted(scan, "audienceId", set(audiences)) or set()
        ids = _wanted(scan, "segmentId", None)
        rows = []
        for audience in sorted(parents):
            listed = api.get(api.path(wire.SEGMENTS, audience_id=audience), what="listing segments")
            for segment in listed:
                if ids is not None and str(segment["id"]) not in ids:
                    continue
                body: dict[str, Any] = {"format": "sql"}
                if segment.get("rule") is not None:
                    body["rule"] = segment["rule"]
                path = api.path(wire.SEGMENT_SQL, audience_id=audience)
                answer = api.post(path, body, what=f"the SQL of segment {segment['id']}", safe=True)
                rows.append(
                    {
                        "audienceId": audience,
                        "segmentId": str(segment["id"]),
                        "segmentName": segment.get("name"),
                        "sql": answer.get("sql") if isinstance(answer, dict) else None,
                    }
                )
        return rows

    table = ListTable("segment_sql", FIELDS, fetch, "the Trino SQL of each saved segment (POST .../segments/query)")
    table.primary_key = ("audienceId", "segmentId")
    return table
