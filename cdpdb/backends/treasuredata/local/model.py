"""The local Treasure Data's records: parent segments with their attributes and behaviours,
folders, saved segments, users. Plain values; the store holds them, the routes render them in
the API's shapes, the dataset generates them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from cdpdb.backends.treasuredata import rules, wire
from cdpdb.backends.treasuredata.local.rulesql import KEY, Behavior, Catalog


def iso(moment: datetime) -> str:
    """TD's time format in JSON: ISO 8601 in UTC with milliseconds and ``Z``."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class User:
    id: str
    td_user_id: str
    name: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "td_user_id": self.td_user_id, "name": self.name}


@dataclass(frozen=True)
class AttributeDef:
    """One attribute: its name (= its column of ``customers``), TD type and source column."""

    name: str
    type: str
    parent_database: str
    parent_table: str
    parent_column: str
    grouping: str | None = None
    id: str | None = None

    def to_json(self, audience_id: str) -> dict[str, Any]:
        return {
            "audienceId": audience_id,
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "parentDatabaseName": self.parent_database,
            "parentTableName": self.parent_table,
            "parentColumn": self.parent_column,
            "parentKey": "customer_id",
            "foreignKey": "customer_id",
            "matrixColumnName": self.name,
            "matrixColumnDescription": None,
            "usedBySegmentInsight": False,
            "groupingName": self.grouping,
            "visibility": "clear",
        }


@dataclass(frozen=True)
class BehaviorDef:
    """One behaviour: a table of events (``behavior_<name>``) with typed columns."""

    id: str
    name: str
    parent_database: str
    parent_table: str
    columns: tuple[tuple[str, str], ...]  # (name, TD type); besides cdp_customer_id and time

    @property
    def table(self) -> str:
        return wire.BEHAVIOR_TABLE.format(name=self.name)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "parentDatabaseName": self.parent_database,
            "parentTableName": self.parent_table,
            "parentKey": "customer_id",
            "foreignKey": "customer_id",
            "schema": [
                {
                    "name": name,
                    "type": kind,
                    "parentColumn": name,
                    "matrixColumnName": name,
                    "matrixColumnDescription": None,
                    "visibility": "clear",
                }
                for name, kind in self.columns
            ],
            "scheduleType": "daily",
            "scheduleOption": None,
            "defaultTimeFilterEnabled": True,
        }


@dataclass
class ParentSegment:
    id: str
    name: str
    description: str
    master_database: str
    master_table: str
    attributes: tuple[AttributeDef, ...]
    behaviors: tuple[BehaviorDef, ...]
    created_at: datetime
    created_by: User
    population: int | None = None
    folder_id: str = ""  # its root folder

    @property
    def database(self) -> str:
        """Where its tables live, as in TD: ``cdp_audience_<id>``."""
        return wire.AUDIENCE_DATABASE.format(audience_id=self.id)

    def catalog(self) -> Catalog:
        return Catalog(
            self.database,
            {a.name: a.type for a in self.attributes},
            {
                b.name: Behavior(b.name, b.table, {"time": "number", KEY: "string", **dict(b.columns)})
                for b in self.behaviors
            },
        )


@dataclass
class Folder:
    id: str
    audience_id: str
    name: str
    parent_id: str | None
    created_at: datetime
    created_by: User
    description: str | None = None


@dataclass
class Segment:
    id: str
    audience_id: str
    name: str
    description: str | None
    folder_id: str
    rule: rules.Rule | None
    kind: int
    created_at: datetime
    updated_at: datetime
    created_by: User
    updated_by: User
    population: int | None = None
    history: list[tuple[int, int, bool]] = field(default_factory=list)  # (epoch, population, real)

    def to_json(self) -> dict[str, Any]:
        return {
            "audienceId": self.audience_id,
            "id": self.id,
            "name": self.name,
            "realtime": self.kind == 1,
            "kind": self.kind,
            "description": self.description,
            "segmentFolderId": self.folder_id,
            "population": self.population,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
            "createdBy": self.created_by.to_json(),
            "updatedBy": self.updated_by.to_json(),
            "rule": self.rule.to_json() if self.rule else {},
        }
