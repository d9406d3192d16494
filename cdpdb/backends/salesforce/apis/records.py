"""Rows of the Profile, Calculated Insights and Universal ID Lookup APIs, typed like query results.

These APIs answer with JSON objects whose values carry no type (a NUMERIC arrives as ``"142.61"``
or ``142.61``, a DateTime as ISO text); the Metadata API says what each field is. Decoding by the
driver's type table makes ``ProfileClient(...).search(...)`` and ``SELECT`` agree value for value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

import pyarrow as pa

from cdpdb.backends.salesforce.metadata import Field
from cdpdb.backends.salesforce.types import TYPES
from cdpdb.core.results.decode import decode_column
from cdpdb.core.results.frames import to_pandas, to_polars
from cdpdb.core.results.rows import python_rows
from cdpdb.core.results.schema import Column


def column_of(field: Field | None, name: str) -> Column:
    """A field as a result column, typed as SQL reads the same field; a field the metadata does not
    describe is text (never lost). A NUMBER is exact: DECIMAL(p, s) as the metadata gives it,
    BIGINT when that is a whole number of at most 19 digits (a BIGINT column's; a value beyond
    BIGINT is a DataError, never a wrong number), DOUBLE when no precision is given (what the
    engine stores such a field as)."""
    if field is None:
        return Column(name, "VARCHAR")
    kind = field.type
    if kind == "NUMBER" and field.precision is None:
        kind = "DOUBLE"
    elif kind == "NUMBER" and field.scale == 0 and field.precision is not None and field.precision <= 19:
        kind = "BIGINT"
    return Column(name, kind, field.precision, field.scale, field.nullable)


def decode(objects: Sequence[Mapping[str, Any]], fields: Mapping[str, Field], names: Sequence[str] = ()) -> pa.Table:
    """JSON objects → an Arrow table, columns in the order ``names`` gives, then as the rows bring
    them. A key missing from an object is NULL (the APIs leave out empty fields)."""
    order = list(dict.fromkeys([*names, *(key for row in objects for key in row)]))
    arrays = [
        decode_column([row.get(name) for row in objects], column_of(fields.get(name), name), TYPES) for name in order
    ]
    return pa.Table.from_arrays(arrays, names=order) if order else pa.table({})


class Records(Sequence[dict[str, Any]]):
    """A typed answer: a sequence of dicts (``Decimal``, ``datetime``, ``date``...), or the whole
    of it as Arrow, pandas or Polars."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self._rows: list[dict[str, Any]] | None = None

    @property
    def rows(self) -> list[dict[str, Any]]:
        """As the cursor gives them (UTC instants in ``datetime.timezone.utc``, exact decimals)."""
        if self._rows is None:
            names = self.table.column_names
            self._rows = [dict(zip(names, row, strict=True)) for row in python_rows(self.table)]
        return self._rows

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self.rows[index]

    def __len__(self) -> int:
        return self.table.num_rows

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Records):
            return self.table.equals(other.table)
        return isinstance(other, Sequence) and list(self.rows) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def to_arrow(self) -> pa.Table:
        return self.table

    def to_pandas(self) -> Any:
        return to_pandas(self.table)

    def to_polars(self) -> Any:
        return to_polars(self.table)

    def __repr__(self) -> str:
        return f"<Records: {self.table.num_rows} rows, columns {self.table.column_names}>"
