"""A finished result split into partitions that other processes read: what every backend's
partitions share, and the split of numbered chunks into contiguous ranges.

A query that runs once and leaves its result on the server as numbered chunks (such as a
chunked query API's) can be read by many workers of Ray, Dask or Spark at once, each reading its own
range of chunks. The partitions are plain picklable values: they carry what a worker needs to
read (query id, chunk range, how to authenticate) and nothing that must stay on the driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import pyarrow as pa


class Partition(Protocol):
    """One part of a finished result: a contiguous range of its chunks, readable on any machine."""

    @property
    def query_id(self) -> str: ...

    @property
    def index(self) -> int:
        """Its place among the result's partitions (0-based): the rows of partition 0 come first."""
        ...

    @property
    def row_count(self) -> int | None:
        """Its rows, when the server said (else None; see ``estimated_rows``)."""
        ...

    @property
    def estimated_rows(self) -> int:
        """Its rows if chunks are of equal size: exact when ``row_count`` is known."""
        ...

    @property
    def expires_at(self) -> datetime | None:
        """When the server frees the result (UTC); reading after that raises OperationalError."""
        ...

    def read(self) -> Iterator[pa.RecordBatch]:
        """Its rows as Arrow record batches of the result's schema, in order."""
        ...


@dataclass(frozen=True)
class Partitions:
    """A finished result as partitions: every chunk in exactly one of them, none empty of chunks.

    Picklable; ``partitions[i].read()`` may run in any process on any machine."""

    query_id: str
    schema: pa.Schema
    partitions: tuple[Partition, ...]
    row_count: int | None  # of the whole result, when the server said
    chunk_count: int
    expires_at: datetime | None

    def __len__(self) -> int:
        return len(self.partitions)

    def __iter__(self) -> Iterator[Partition]:
        return iter(self.partitions)

    def __getitem__(self, index: int) -> Partition:
        return self.partitions[index]


def split_ranges(count: int, parts: int | None) -> list[range]:
    """``range(count)`` cut into ``parts`` contiguous, non-overlapping, non-empty ranges of sizes
    differing by at most one (the larger ones first); never more ranges than items, and one range
    per item when ``parts`` is None. Every item lands in exactly one range, for any count."""
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    if parts is not None and parts < 1:
        raise ValueError(f"partitions must be 1 or more, not {parts}")
    if count == 0:
        return []
    parts = count if parts is None else min(parts, count)
    size, larger = divmod(count, parts)
    ranges, start = [], 0
    for i in range(parts):
        stop = start + size + (1 if i < larger else 0)
        ranges.append(range(start, stop))
        start = stop
    return ranges
