"""XDM (a union schema's JSON schema, an entity's nested JSON) ↔ flat typed columns.

A union schema's leaf fields become one column each, named by their path with ``_`` between the
parts (``person.name.firstName`` → ``person_name_firstName``, ``_acme.loyalty.points`` →
``_acme_loyalty_points``); the column's comment is the XDM path, which is what ``fields`` is given.
Arrays and maps (``identityMap``, ``segmentMembership``, ``additionalProperties``) stay JSON text:
their shape is the data's, not the schema's. The whole entity is always available as JSON too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa

UTC_TIME = pa.timestamp("us", tz="UTC")
MAX_DEPTH = 12  # XDM nests deeply, but not without end; a cycle in a schema stops here


@dataclass(frozen=True)
class XdmField:
    column: str  # the flat column name
    path: str  # the dotted XDM path
    type: pa.DataType


def _arrow_type(node: Mapping[str, Any]) -> pa.DataType:
    kind, fmt = node.get("type"), node.get("format")
    if kind == "string":
        if fmt == "date-time":
            return UTC_TIME
        if fmt == "date":
            return pa.date32()
        return pa.string()
    if kind == "integer":
        return pa.int64()
    if kind == "number":
        return pa.float64()
    if kind == "boolean":
        return pa.bool_()
    return pa.string()  # arrays, maps, anything else: JSON text


def flatten_schema(schema: Mapping[str, Any], reserved: frozenset[str] = frozenset()) -> list[XdmField]:
    """Every leaf of a union schema (xed-full form), in the schema's order; a column name that
    collides with a reserved one (the table's own columns) gets the suffix ``_xdm``."""
    found: list[XdmField] = []
    seen = set(reserved)

    def walk(node: Mapping[str, Any], path: list[str]) -> None:
        properties = node.get("properties")
        if node.get("type", "object") == "object" and isinstance(properties, Mapping) and len(path) < MAX_DEPTH:
            for name, child in properties.items():
                if isinstance(child, Mapping):
                    walk(child, [*path, str(name)])
            return
        if not path:
            return
        column = "_".join(path)
        while column in seen:
            column += "_xdm"
        seen.add(column)
        found.append(XdmField(column, ".".join(path), _arrow_type(node)))

    walk(schema, [])
    return found


def value_at(entity: Mapping[str, Any] | None, path: str) -> Any:
    node: Any = entity
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def column_value(value: Any, kind: pa.DataType) -> Any:
    """One XDM value in its column's Python form (Arrow builds the column from these)."""
    if value is None:
        return None
    if pa.types.is_string(kind):
        return value if isinstance(value, str) else orjson.dumps(value).decode()
    if pa.types.is_timestamp(kind):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return dt.datetime.fromtimestamp(value / 1000, dt.timezone.utc)
        text = str(value).replace("Z", "+00:00")
        parsed = dt.datetime.fromisoformat(text)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
    if pa.types.is_date(kind):
        return dt.date.fromisoformat(str(value)[:10])
    if pa.types.is_boolean(kind):
        return value if isinstance(value, bool) else None
    if pa.types.is_integer(kind):
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if pa.types.is_floating(kind):
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return value


def rows_to_batch(rows: Sequence[Mapping[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    arrays = [pa.array([row.get(f.name) for row in rows], f.type) for f in schema]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def json_text(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def identities_of(entity: Mapping[str, Any] | None, namespace: str) -> Iterator[str]:
    """The ids of ``namespace`` in an entity's identityMap (how a batch answer meets its lookups)."""
    found = value_at(entity, "identityMap")
    if not isinstance(found, Mapping):
        return
    for item in found.get(namespace) or ():
        if isinstance(item, Mapping) and item.get("id") is not None:
            yield str(item["id"])
