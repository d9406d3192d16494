"""What a result is, for every backend: its columns, its type table, and its stream of pages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    """One result column as the server described it (``cursor.description`` shows these)."""

    name: str
    type_name: str  # as the server spelled it (cursor.description shows this)
    precision: int | None = None
    scale: int | None = None
    nullable: bool | None = None


class TypeTable(Protocol):
    """A backend's type names, as the vendor-free decoder needs them."""

    def arrow(self, column: Column) -> pa.DataType | None:
        """The Arrow type values of ``column`` decode to; ``None`` for a decimal whose scale
        the values themselves must give (the metadata gave none)."""
        ...

    def name_of(self, arrow_type: pa.DataType) -> str:
        """The backend's type name for a column that arrived as Arrow."""
        ...


class Result:
    """A query's result: columns, the total when known, and its pages as Arrow tables."""

    query_id: str | None = None
    columns: list[Column] | None = None
    row_count: int | None = None
    schema: pa.Schema | None = None  # the pages' Arrow schema, when known before the first page
    continuation: str | None = None  # where a later process can read the rest (after the last page)

    def pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        """The pages in order; ``stop`` (set from any thread) ends the stream with ``fetch.Stopped``."""
        raise NotImplementedError
