"""Building a parent segment from column specs: its attribute and behaviour definitions and its
engine tables (``customers`` and ``behavior_<name>``), so each family module lists columns only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cdpdb.backends.treasuredata.local.dataset.common import ADMIN, ANCHOR, Table, Values
from cdpdb.backends.treasuredata.local.model import AttributeDef, BehaviorDef, ParentSegment
from cdpdb.backends.treasuredata.local.rulesql import KEY, TIME
from cdpdb.local.sqlengine import quote_ident

#: TD attribute type → DuckDB column type (numbers are DOUBLE unless the spec says BIGINT).
DUCK_TYPES = {
    "string": "VARCHAR",
    "number": "DOUBLE",
    "integer": "BIGINT",  # a TD "number" holding whole values
    "timestamp": "TIMESTAMPTZ",
    "date": "DATE",
    "string_array": "VARCHAR[]",
    "number_array": "DOUBLE[]",
    "boolean": "BOOLEAN",
}


@dataclass(frozen=True)
class Spec:
    """One column: its name, its type (a TD type, or ``integer``), where it comes from, its values."""

    name: str
    type: str
    source_table: str
    make: Callable[[], pa.Array]
    grouping: str | None = None

    @property
    def td_type(self) -> str:
        return "number" if self.type == "integer" else self.type


def ddl(columns: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{quote_ident(name)} {DUCK_TYPES[kind]}" for name, kind in columns)


def customers_table(keys: pa.Array, specs: Sequence[Spec]) -> Table:
    arrays = {KEY: keys}
    for spec in specs:
        arrays[spec.name] = spec.make()
    data = pa.table(arrays)
    return Table("customers", data, ddl([(KEY, "string"), *((s.name, s.type) for s in specs)]))


#: A behaviour column: name, type (a TD type or ``integer``), values for n events.
EventSpec = tuple[str, str, Callable[[int], pa.Array]]


def behavior(
    g: Values,
    keys: pa.Array,
    behavior_id: str,
    name: str,
    source: tuple[str, str],
    mean: float,
    specs: Sequence[EventSpec],
) -> tuple[BehaviorDef, Table]:
    """A behaviour and its events: Poisson(``mean``) per profile, with TD's ``time`` and ``specs``'s columns."""
    table = _events(g, keys, mean, specs)
    columns = tuple((col, "number" if kind == "integer" else kind) for col, kind, _ in specs)
    definition = BehaviorDef(behavior_id, name, source[0], source[1], columns)
    table.name = definition.table
    return definition, table


def _events(g: Values, keys: pa.Array, mean_events: float, specs: Sequence[EventSpec]) -> Table:
    counts = g.rng.poisson(mean_events, len(keys))
    owners = keys.take(pa.array(np.repeat(np.arange(len(keys)), counts)))
    n = len(owners)
    arrays: dict[str, pa.Array] = {KEY: owners, TIME: pa.array(g.epochs(n))}
    for name, _, make in specs:
        arrays[name] = make(n)
    columns = [(KEY, "string"), (TIME, "integer"), *((name, kind) for name, kind, _ in specs)]
    return Table("", pa.table(arrays), ddl(columns))


def parent_segment(
    audience_id: str,
    name: str,
    description: str,
    database: str,
    specs: Sequence[Spec],
    behaviors: Sequence[BehaviorDef],
) -> ParentSegment:
    attributes = tuple(
        AttributeDef(s.name, s.td_type, database, s.source_table, s.name, s.grouping, str(i + 1))
        for i, s in enumerate(specs)
    )
    return ParentSegment(
        audience_id,
        name,
        description,
        database,
        "customers_master",
        attributes,
        tuple(behaviors),
        ANCHOR.replace(year=2023),
        ADMIN,
    )
