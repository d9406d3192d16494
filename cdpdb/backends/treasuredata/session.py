"""A Treasure Data session: the Audience API's objects as tables of the shared SQL layer.

Tables (docs/treasuredata.md lists their columns and what each pushes down):

- ``parent_segments`` and ``segments``: the configurations, small lists read whole;
- ``folders``, ``funnels``, ``predictive_segments``, ``tokens``, ``journeys`` (lists.py), read whole;
- ``activations`` (activations.py): filtered, sorted and paged by the API;
- ``profiles_<parent segment id>``: the profiles of a parent segment, one column per attribute;
  a SELECT runs as an asynchronous segment query whose rule is the WHERE clause's pushable part;
- ``segment_<segment id>``: the profiles of a saved segment (its rule, plus the pushed WHERE);
- ``behavior_<parent segment id>_<name>`` (behaviors.py): a behaviour's columns; no rows (the API has none);
- ``segment_statistics`` (statistics.py): each segment's daily population.

Named procedures (``cursor.callproc``, procedures.py) create, change and delete segments and
folders through the typed client (audience.py); the tables of saved segments follow at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import pyarrow as pa

from cdpdb.backends.treasuredata import procedures, rules, wire
from cdpdb.backends.treasuredata.activations import ActivationsTable
from cdpdb.backends.treasuredata.audience import AudienceClient
from cdpdb.backends.treasuredata.behaviors import BehaviorTable
from cdpdb.backends.treasuredata.client import AudienceApi
from cdpdb.backends.treasuredata.lists import parent_lists
from cdpdb.backends.treasuredata.settings import Settings
from cdpdb.backends.treasuredata.statistics import StatisticsTable
from cdpdb.backends.treasuredata.tables import UTC_TIME, ListTable, ProfilesTable
from cdpdb.core.results.schema import Result
from cdpdb.core.sqlapi.session import ApiSession, ArrowResult
from cdpdb.core.sqlapi.tables import EQ, IN, Field, Scan, Table

log = logging.getLogger(__name__)

PARENT_FIELDS = [
    Field("id", pa.string(), nullable=False),
    Field("name", pa.string()),
    Field("description", pa.string()),
    Field("population", pa.int64()),
    Field("scheduleType", pa.string()),
    Field("timezone", pa.string()),
    Field("createdAt", UTC_TIME),
    Field("updatedAt", UTC_TIME),
]
SEGMENT_FIELDS = [
    Field("audienceId", pa.string(), nullable=False, pushdown=frozenset({EQ, IN})),
    Field("id", pa.string(), nullable=False),
    Field("name", pa.string()),
    Field("kind", pa.int64()),
    Field("description", pa.string()),
    Field("segmentFolderId", pa.string()),
    Field("population", pa.int64()),
    Field("createdAt", UTC_TIME),
    Field("updatedAt", UTC_TIME),
    Field("rule", pa.string(), comment="the segment's v5 rule, as JSON text"),
]


def open_session(arguments: Mapping[str, Any]) -> TreasureDataSession:
    return TreasureDataSession(Settings.from_arguments(arguments))


class TreasureDataSession(ApiSession):
    backend = "treasuredata"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.api = AudienceApi(settings)
        self.client = AudienceClient(self.api)
        self._attributes_of: dict[str, list[dict[str, Any]]] = {}
        try:
            self.parents = list(self.api.get(self.api.path(wire.PARENT_SEGMENTS), what="listing parent segments"))
            tables = self._tables()
        except BaseException:
            self.api.close()
            raise
        read_only = (
            "Treasure Data's tables are read with SELECT; create, change or delete segments with the "
            "Audience API (cdpdb.backends.treasuredata) instead"
        )
        super().__init__(tables, read_only=read_only)
        log.debug("connected to %s: %d parent segments", settings.base_url, len(self.parents))

    @property
    def progress(self) -> bool:  # type: ignore[override]
        return self.settings.progress

    def _tables(self) -> dict[str, Table]:
        tables: dict[str, Table] = {
            "parent_segments": ListTable(
                "parent_segments", PARENT_FIELDS, lambda scan: self.parents, "parent segments"
            ),
            "segments": ListTable("segments", SEGMENT_FIELDS, self._segments, "saved segments of every parent segment"),
        }
        audiences = [str(p["id"]) for p in self.parents]
        tables.update(parent_lists(self.api, audiences))
        tables["activations"] = ActivationsTable(self.api, audiences, self.settings.activation_page_size)
        tables["segment_statistics"] = StatisticsTable(
            self.api, audiences, lambda audience: [str(s["id"]) for s in self._segments_of(audience)]
        )
        timeout = self.settings.query_timeout
        for parent in self.parents:
            audience = str(parent["id"])
            attributes = self._attributes_of[audience] = self._attributes(parent)
            name = f"profiles_{audience}"
            comment = f"profiles of the parent segment {parent.get('name')!r}"
            tables[name] = ProfilesTable(self.api, audience, name, attributes, comment, query_timeout=timeout)
            for behavior in self._behaviors(parent):
                table = BehaviorTable(audience, behavior, parent.get("name"))
                tables[table.name] = table
            for segment in self._segments_of(audience):
                table = self._segment_table(segment)
                tables[table.name] = table
        return tables

    def _segment_table(self, segment: Mapping[str, Any]) -> ProfilesTable:
        """The profiles of a saved segment: its rule replayed on its parent segment's profiles."""
        audience = str(segment["audienceId"])
        parent = next((p for p in self.parents if str(p["id"]) == audience), {})
        name = f"segment_{segment['id']}"
        comment = f"profiles of the segment {segment.get('name')!r} of {parent.get('name')!r}"
        rule = rules.from_json(segment.get("rule"))
        attributes = self._attributes_of[audience]
        return ProfilesTable(self.api, audience, name, attributes, comment, rule, self.settings.query_timeout)

    def _behaviors(self, parent: dict[str, Any]) -> list[dict[str, Any]]:
        """A parent segment's behaviours: listed in ``/audiences`` too (else ``/behaviors``)."""
        listed = parent.get("behaviors")
        if isinstance(listed, list) and all(isinstance(b, dict) and "name" in b for b in listed):
            return listed
        path = self.api.path(wire.BEHAVIORS, audience_id=str(parent["id"]))
        return list(self.api.get(path, what="behaviours"))

    def call(self, procedure: str, parameters: Sequence[Any]) -> tuple[Sequence[Any], Result | None]:
        """Run one of :data:`procedures.PROCEDURES`; a segment's table is added, replaced or dropped with it."""
        found = procedures.find(procedure)
        done = found.run(self.client, found.arguments(parameters))
        tables = dict(self.tables)  # copied, not changed in place: other threads may be planning over it
        if done.segment is not None and done.segment.audience_id in self._attributes_of:
            table = self._segment_table(done.segment.raw)
            tables[table.name] = table
        if done.removed_segment is not None:
            tables.pop(f"segment_{done.removed_segment}", None)
        self.tables = self.engine.tables = tables
        log.debug("%s: %s", found.name, done.id)
        return parameters, ArrowResult(procedures.id_row(done.id))

    def _attributes(self, parent: dict[str, Any]) -> list[dict[str, Any]]:
        """A parent segment's attributes: ``/audiences`` already lists each one's name and type
        (all a profiles table needs); ``/attributes`` only when that answer lacks them."""
        listed = parent.get("attributes")
        if isinstance(listed, list) and all(isinstance(a, dict) and "name" in a and "type" in a for a in listed):
            return listed
        path = self.api.path(wire.ATTRIBUTES, audience_id=str(parent["id"]))
        return list(self.api.get(path, what="attributes"))

    def _segments_of(self, audience: str) -> list[dict[str, Any]]:
        return list(self.api.get(self.api.path(wire.SEGMENTS, audience_id=audience), what="listing segments"))

    def _segments(self, scan: Scan) -> list[dict[str, Any]]:
        wanted = {str(p["id"]) for p in self.parents}
        for predicate in scan.predicates_on("audienceId"):
            given = predicate.value if predicate.op == IN else (predicate.value,)
            wanted &= {str(v) for v in given}
        rows = []
        for audience in sorted(wanted):
            for segment in self._segments_of(audience):
                rows.append({**segment, "rule": None if segment.get("rule") is None else _json(segment["rule"])})
        return rows

    def close(self) -> None:
        self.api.close()

    def __repr__(self) -> str:
        return f"<TreasureDataSession {self.settings.base_url}: {len(self.tables)} tables>"


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()
