"""The local Treasure Data's state: parent segments and their tables in the engine, folders,
saved segments (with populations the engine computes), and the small lists. Segments change
through the API (create, update, delete); everything else is read-only. One lock guards changes.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from cdpdb.backends.treasuredata import rules
from cdpdb.backends.treasuredata.local import rulesql
from cdpdb.backends.treasuredata.local.dataset import ANCHOR, Dataset
from cdpdb.backends.treasuredata.local.dataset import catalog as lists
from cdpdb.backends.treasuredata.local.dataset.common import ADMIN, MARKETER, Values
from cdpdb.backends.treasuredata.local.model import Folder, ParentSegment, Segment, User
from cdpdb.local.duckengine import DuckEngine

#: Days of population history ``/segments/{id}/statistics`` answers for a generated segment.
HISTORY_DAYS = 30


class Store:
    def __init__(self, engine: DuckEngine, dialect: rulesql.DuckDialect) -> None:
        self.engine, self.dialect = engine, dialect
        self.parents: dict[str, ParentSegment] = {}
        self.folders: dict[str, Folder] = {}
        self.segments: dict[str, Segment] = {}
        self.activations: dict[str, list[dict[str, Any]]] = {}
        self.funnels: dict[str, list[dict[str, Any]]] = {}
        self.predictive: dict[str, list[dict[str, Any]]] = {}
        self.tokens: dict[str, list[dict[str, Any]]] = {}
        self.journeys: dict[str, list[dict[str, Any]]] = {}
        self._ids = itertools.count(1_600_001)
        self.lock = threading.RLock()

    # -- loading ---------------------------------------------------------------------------------

    def load(self, data: Dataset) -> None:
        for parent, tables in data.parents:
            self.engine.create_database(parent.database)
            for table in tables:
                self.engine.load_arrow(parent.database, table.name, table.data, table.ddl)
            parent.population = tables[0].data.num_rows
            self.parents[parent.id] = parent
        self.folders = {f.id: f for f in data.folders}
        for audience_id, seeds in data.segments.items():
            by_name = {f.name: f.id for f in data.folders if f.audience_id == audience_id}
            root = self.parents[audience_id].folder_id
            for seed in seeds:
                created = ANCHOR - timedelta(days=400)
                segment = Segment(
                    seed.id,
                    audience_id,
                    seed.name,
                    seed.description,
                    by_name.get(seed.folder, root),
                    seed.rule,
                    0,
                    created,
                    ANCHOR - timedelta(days=3),
                    MARKETER,
                    ADMIN,
                )
                self.segments[segment.id] = segment
            for segment in self.of_parent(audience_id):
                segment.population = self.population(segment.audience_id, segment.rule)
                segment.history = _history(segment.population)
        g = Values(data.seed + 1)
        for audience_id, parent in self.parents.items():
            segments = self.of_parent(audience_id)
            folders = [f for f in self.folders.values() if f.audience_id == audience_id]
            names = [a.name for a in parent.attributes]
            self.activations[audience_id] = lists.activations(g, segments, folders)
            self.funnels[audience_id] = lists.funnels(audience_id, parent.folder_id, segments)
            self.predictive[audience_id] = lists.predictive_segments(audience_id, segments, names)
            self.tokens[audience_id] = lists.tokens(g, audience_id, segments, names[0], names[1:])
            self.journeys[audience_id] = lists.journeys(audience_id, parent.folder_id, segments)

    # -- reading -----------------------------------------------------------------------------------

    def of_parent(self, audience_id: str) -> list[Segment]:
        return [s for s in self.segments.values() if s.audience_id == audience_id]

    def folder_tree(self, folder_id: str) -> set[str]:
        """A folder and every folder under it."""
        found, frontier = {folder_id}, [folder_id]
        while frontier:
            current = frontier.pop()
            for f in self.folders.values():
                if f.parent_id == current and f.id not in found:
                    found.add(f.id)
                    frontier.append(f.id)
        return found

    def resolver(self, audience_id: str) -> rulesql.Resolver:
        def resolve(segment_id: str) -> rules.Rule | None:
            segment = self.segments.get(segment_id)
            if segment is None or segment.audience_id != audience_id:
                return None
            return segment.rule or rules.from_json({"type": "And", "conditions": []})

        return resolve

    def sql(
        self, audience_id: str, rule: rules.Rule | None, dialect: rulesql.Dialect, columns: list[str] | None = None
    ) -> str:
        parent = self.parents[audience_id]
        return rulesql.segment_sql(rule, parent.catalog(), dialect, columns=columns, resolve=self.resolver(audience_id))

    def population(self, audience_id: str, rule: rules.Rule | None) -> int:
        """How many profiles ``rule`` selects, counted by the engine."""
        sql = self.sql(audience_id, rule, self.dialect, [rulesql.KEY])
        table = self.engine.query_arrow(self.parents[audience_id].database, f"select count(*) as n from ({sql}) q")
        return int(table.column(0)[0].as_py())

    # -- changing segments ---------------------------------------------------------------------------

    def create(self, audience_id: str, fields: dict[str, Any], user: User, count: bool) -> Segment:
        now = datetime.now(timezone.utc)
        rule = fields.get("rule")
        with self.lock:
            segment = Segment(
                str(next(self._ids)),
                audience_id,
                fields["name"],
                fields.get("description"),
                fields.get("segmentFolderId") or self.parents[audience_id].folder_id,
                rule,
                fields.get("kind", 0),
                now,
                now,
                user,
                user,
            )
            segment.population = self.population(audience_id, rule) if count else None
            segment.history = [(int(now.timestamp()), segment.population, True)] if count else []
            self.segments[segment.id] = segment
        return segment

    def update(self, segment: Segment, fields: dict[str, Any], user: User, count: bool) -> Segment:
        with self.lock:
            for key, attr in (
                ("name", "name"),
                ("description", "description"),
                ("segmentFolderId", "folder_id"),
                ("rule", "rule"),
                ("kind", "kind"),
            ):
                if key in fields:
                    setattr(segment, attr, fields[key])
            segment.updated_at, segment.updated_by = datetime.now(timezone.utc), user
            if count or "rule" in fields:
                segment.population = self.population(segment.audience_id, segment.rule)
                segment.history.append((int(segment.updated_at.timestamp()), segment.population, True))
        return segment

    def delete(self, segment: Segment) -> None:
        with self.lock:
            self.segments.pop(segment.id, None)

    def next_id(self) -> str:
        """A new id (segments, folders, workflow sessions), unique in this server."""
        with self.lock:
            return str(next(self._ids))

    # -- changing folders --------------------------------------------------------------------------

    def create_folder(self, audience_id: str, name: str, description: str | None, parent_id: str, user: User) -> Folder:
        with self.lock:
            folder = Folder(
                str(next(self._ids)), audience_id, name, parent_id, datetime.now(timezone.utc), user, description
            )
            self.folders[folder.id] = folder
        return folder

    def delete_folder(self, folder: Folder) -> None:
        with self.lock:
            self.folders.pop(folder.id, None)

    def referenced_by(self, segment_id: str) -> list[Segment]:
        return [s for s in self.segments.values() if segment_id in set(_references(s.rule))]


def _history(population: int) -> list[tuple[int, int, bool]]:
    """A month of daily populations ending at today's, growing towards it; every third day imputed."""
    start = ANCHOR - timedelta(days=HISTORY_DAYS - 1)
    return [
        (
            int((start + timedelta(days=d)).timestamp()),
            round(population * (0.85 + 0.15 * d / (HISTORY_DAYS - 1))),
            d % 3 != 1,
        )
        for d in range(HISTORY_DAYS)
    ]


def _references(rule: rules.Rule | rules.Group | None) -> Iterable[str]:
    for cond in rule.conditions if rule else ():
        if isinstance(cond, rules.Reference):
            yield cond.id
        elif isinstance(cond, rules.Group):
            yield from _references(cond)
