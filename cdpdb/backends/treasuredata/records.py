"""API items → typed Arrow rows, the one way every list table of the Audience API converts.

How nested values become columns (docs/treasuredata.md says the same):

- a user (``createdBy``, ``updatedBy``: ``{id, td_user_id, name}``) becomes three flat columns,
  ``createdById``, ``createdByTdUserId`` and ``createdByName``, so they can be filtered and joined;
- a list of scalars (``attributeColumns``, ``gradeThresholds``) is a list column (VARCHAR[], DOUBLE[]);
- anything else nested (stages, segments, goals, executions) is JSON text, kept whole: its shape is
  TD's to change and DuckDB's JSON functions read it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import pyarrow as pa

from cdpdb.core.sqlapi.tables import Field

UTC_TIME = pa.timestamp("us", tz="UTC")  # an instant the API gives as ISO text with a zone
LOCAL_TIME = pa.timestamp("us")  # a wall-clock time the API gives without a zone (an activation's startAt)
USER_PARTS = (("Id", "id"), ("TdUserId", "td_user_id"), ("Name", "name"))


def json_text(value: Any) -> str | None:
    """A nested value as JSON text (None stays NULL)."""
    return None if value is None else orjson.dumps(value).decode()


def user_fields(role: str, td_user_pushdown: frozenset[str] = frozenset()) -> list[Field]:
    """The flat columns of a user reference (``role`` is ``createdBy`` or ``updatedBy``); the TD
    user id column takes ``td_user_pushdown`` (where the API filters by it)."""
    return [
        Field(
            f"{role}{suffix}",
            pa.string(),
            comment=f"{role}.{key}",
            pushdown=td_user_pushdown if key == "td_user_id" else frozenset(),
        )
        for suffix, key in USER_PARTS
    ]


def user_values(role: str, user: Mapping[str, Any] | None) -> dict[str, Any]:
    """A user reference as the values of :func:`user_fields` (all NULL when there is none)."""
    return {f"{role}{suffix}": _text((user or {}).get(key)) for suffix, key in USER_PARTS}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _string(value: Any) -> str | None:
    """Text as is, ids given as numbers as their digits, anything nested as JSON text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json_text(value)


def to_batch(rows: Sequence[Mapping[str, Any]], fields: Sequence[Field]) -> pa.RecordBatch:
    """Rows (column name → the API's value) as a record batch of the declared types. Times and
    dates arrive as ISO text and are parsed by Arrow; a missing key is NULL."""
    arrays = []
    for field in fields:
        values = [row.get(field.name) for row in rows]
        if pa.types.is_timestamp(field.type) or pa.types.is_date(field.type):
            arrays.append(pa.array([_text(v) for v in values], pa.string()).cast(field.type))
        elif pa.types.is_string(field.type):
            arrays.append(pa.array([_string(v) for v in values], field.type))
        else:
            arrays.append(pa.array(values, field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema([pa.field(f.name, f.type) for f in fields]))


__all__ = ["LOCAL_TIME", "UTC_TIME", "json_text", "to_batch", "user_fields", "user_values"]
