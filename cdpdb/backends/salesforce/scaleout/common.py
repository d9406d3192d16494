"""What the engine adapters share: running the query once on the driver, reading partitions to
Arrow tables, and a size estimate engines use to plan memory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

import cdpdb
from cdpdb.core.results.partitions import Partition, Partitions

# Bytes per value of the fixed-width Arrow types are exact; text and binary are guessed.
GUESSED_VALUE_BYTES = 32


def partitions_of(sql: str, parameters: Any, partitions: int | None, connect_args: Mapping[str, Any]) -> Partitions:
    """Connect, run ``sql`` once and split its result; the connection is closed again (the
    partitions carry their own short-lived access)."""
    with cdpdb.connect(**connect_args) as connection:
        return connection.cursor().execute_partitions(sql, parameters, partitions)


def read_table(partition: Partition, schema: pa.Schema) -> pa.Table:
    """One partition as one Arrow table of ``schema`` (also when it holds no rows)."""
    return pa.Table.from_batches(list(partition.read()), schema=schema)


def row_bytes(schema: pa.Schema) -> int:
    """About how many bytes one row of ``schema`` takes in memory."""
    total = 0
    for field in schema:
        kind = field.type
        fixed = pa.types.is_primitive(kind) or pa.types.is_decimal(kind)
        total += max(kind.bit_width // 8, 1) if fixed and not pa.types.is_boolean(kind) else GUESSED_VALUE_BYTES
    return max(total, 1)
