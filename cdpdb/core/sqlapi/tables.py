"""What a backend declares about each table of its API, and what the engine asks a scan for."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

# The comparisons a column may let the API apply (the pushdown vocabulary every backend shares).
EQ, NE, LT, LE, GT, GE = "=", "!=", "<", "<=", ">", ">="
IN, NOT_IN, BETWEEN, IS_NULL, IS_NOT_NULL = "in", "not in", "between", "is null", "is not null"
LIKE, NOT_LIKE, REGEXP = "like", "not like", "regexp"
# A list column holds the value as one of its elements: ``list_contains(tags, 'vip')`` (also spelt
# array_contains / list_has / array_has), ``'vip' = ANY(tags)``, and ``tags @> ['a', 'b']`` /
# ``array_has_all(tags, [...])`` (one CONTAINS per element). The value is never NULL.
CONTAINS = "contains"
OPERATORS = frozenset(
    {EQ, NE, LT, LE, GT, GE, IN, NOT_IN, BETWEEN, IS_NULL, IS_NOT_NULL, LIKE, NOT_LIKE, REGEXP, CONTAINS}
)
COMPARISONS = frozenset({EQ, NE, LT, LE, GT, GE})


@dataclass(frozen=True)
class Field:
    """One column: its Arrow type and what the API can filter on it (``pushdown``: operators)."""

    name: str
    type: pa.DataType
    nullable: bool = True
    comment: str | None = None
    pushdown: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = self.pushdown - OPERATORS
        if unknown:
            raise ValueError(f"column {self.name}: unknown pushdown operator(s) {sorted(unknown)}")


@dataclass(frozen=True)
class Predicate:
    """``column op value``: a single value, a tuple for IN/NOT IN, (low, high) for BETWEEN, None for
    the NULL tests, a pattern string for LIKE/REGEXP, one element for CONTAINS (a list column holds
    it). Values are Python values (Decimal, datetime...)."""

    column: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Order:
    column: str
    descending: bool = False


@dataclass(frozen=True)
class Scan:
    """What the engine asks of one table: the columns it needs, the predicates the table accepted
    (every row they reject is rejected by the statement too), and, only when the statement is a
    plain filtered read of this table, the order and the number of rows it needs."""

    columns: tuple[str, ...]
    predicates: tuple[Predicate, ...] = ()
    order: tuple[Order, ...] = ()
    limit: int | None = None
    stop: threading.Event = field(default_factory=threading.Event)  # set: end the scan (cancel, close)

    def predicates_on(self, column: str) -> list[Predicate]:
        return [p for p in self.predicates if p.column == column]


class Table:
    """A table of an API. Subclasses set ``name``, ``fields`` (and optionally ``primary_key``,
    ``comment``, ``orders``, ``limits``) and implement :meth:`scan`.

    A table the API writes to also sets ``writable`` and implements :meth:`insert`; ``required``
    names the columns every INSERT must name, ``open_columns`` lets an INSERT name columns beyond
    the declared ones (an API that folds them into a JSON object, such as a CDP's traits)."""

    name: str
    fields: Sequence[Field]
    primary_key: tuple[str, ...] = ()
    comment: str | None = None
    orders: bool = False  # the API can return rows in a requested order
    limits: bool = False  # the API can stop after N rows
    writable: bool = False  # INSERT hands rows to insert()
    required: tuple[str, ...] = ()  # columns every INSERT must name
    open_columns: bool = False  # an INSERT may name undeclared columns (typed by their values)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(f.name, f.type, f.nullable) for f in self.fields])

    def can_order(self, column: str) -> bool:
        """Whether the API can order rows by ``column`` (by default: any column, if it orders)."""
        return self.orders

    def accepts(self, predicate: Predicate) -> bool:
        """Whether the API applies ``predicate`` (by default: the column's declared pushdown)."""
        column = self.field(predicate.column)
        return column is not None and predicate.op in column.pushdown

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        """Record batches of this table's rows (the columns of ``scan.columns`` at least, in any
        order; extra columns are dropped) that pass at least ``scan.predicates``. A table the API
        cannot list without a predicate raises NotSupportedError naming the predicate it needs."""
        raise NotImplementedError

    def insert(self, rows: pa.Table) -> int:
        """Write ``rows``, which hold exactly the columns the statement named (a column left out
        is absent; a NULL is a null), declared columns in their declared types; return how many
        rows the API accepted. All or nothing is not required, silence is not allowed: when some
        rows are not accepted, raise a cdpdb error whose ``write`` (a ``WriteReport``) says which
        were and which were not, and why."""
        raise NotImplementedError


class ArrowTable(Table):
    """A table whose rows are already in memory (small API collections, tests): filters nothing itself."""

    def __init__(self, name: str, rows: pa.Table, comment: str | None = None, primary_key: tuple[str, ...] = ()):
        self.name, self._rows, self.comment, self.primary_key = name, rows, comment, primary_key
        self.fields = [Field(f.name, f.type, f.nullable) for f in rows.schema]

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        yield from self._rows.select(list(scan.columns)).to_batches()
