"""INSERT over declared tables: the statement's rows as one Arrow table, handed to the table.

Two routes, one result. The fast route takes ``INSERT INTO t (a, b) VALUES (?, ?)`` (or ``:a``,
or several such tuples, as pandas' ``method="multi"`` sends) with any number of parameter sets
and builds each column straight from the parameter values: no SQL text per row, so a
million-row ``executemany`` stays columnar end to end. Everything else — expressions, literals,
``INSERT ... SELECT`` over other tables — is bound inline and evaluated by DuckDB (through the
engine, so declared tables can be read). Either way the rows hold exactly the columns the
statement named, in the table's declared types: a column left out stays absent and a NULL stays
a null, which is what lets an API tell "unchanged" from "clear".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from cdpdb.core import binding
from cdpdb.core.sqlapi.duckdb_sql import literal
from cdpdb.core.sqlapi.engine import Engine, syntax_error
from cdpdb.core.sqlapi.tables import Field, Table
from cdpdb.exceptions import DataError, NotSupportedError, ProgrammingError

_UNSUPPORTED_INSERT = {
    "conflict": "ON CONFLICT",
    "returning": "RETURNING",
    "overwrite": "OVERWRITE",
    "ignore": "IGNORE",
    "by_name": "BY NAME",
}


@dataclass(frozen=True)
class InsertPlan:
    """An INSERT's target, the columns it names (declared ones typed) and its source."""

    table: Table
    columns: tuple[str, ...]
    fields: tuple[Field | None, ...]  # None: an undeclared column of an open table
    source: exp.Expr

    def placeholder_rows(self) -> list[list[exp.Expr]] | None:
        """The VALUES tuples when each item is a bare placeholder or a constant (the fast route), else None."""
        if not isinstance(self.source, exp.Values):
            return None
        rows = []
        for row in self.source.expressions:
            items = [_bare(item) for item in (row.expressions if isinstance(row, exp.Tuple) else [row])]
            if not all(isinstance(item, exp.Placeholder) or _constant(item) for item in items):
                return None
            rows.append(items)
        styles = {bool(item.this) for row in rows for item in row if isinstance(item, exp.Placeholder)}
        return rows if len(styles) == 1 else None  # ? and :name are not mixed; at least one placeholder


def _bare(item: exp.Expr) -> exp.Expr:
    """A placeholder under a cast (SQLAlchemy's ``:name::VARCHAR`` bind casts) is the placeholder:
    its value becomes the column's declared type either way."""
    if isinstance(item, exp.Cast) and isinstance(item.this, exp.Placeholder):
        return item.this
    return item


def _constant(item: exp.Expr) -> bool:
    """An expression with no placeholder, column or subquery: one value for every row."""
    return not any(item.find_all(exp.Placeholder, exp.Column, exp.Query, exp.Star))


def plan_insert(sql: str, tables: Mapping[str, Table]) -> InsertPlan:
    """Parse ``sql`` as one INSERT into a writable declared table; anything else is refused with why."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except ParseError as exc:
        raise syntax_error(sql, exc) from None
    if len(statements) != 1:
        raise ProgrammingError(f"give one statement, not {len(statements)}", sqlstate="42601")
    statement = statements[0]
    if not isinstance(statement, exp.Insert):
        raise NotSupportedError(
            f"{statement.key.upper()} cannot run here: these tables only take INSERT "
            "(the API appends what it is sent; it cannot change or delete it, nor create tables)",
            sqlstate="0A000",
        )
    for arg, words in _UNSUPPORTED_INSERT.items():
        if statement.args.get(arg):
            raise NotSupportedError(f"INSERT ... {words} is not supported: the API only appends", sqlstate="0A000")
    target = statement.this
    named = [i.name for i in target.expressions] if isinstance(target, exp.Schema) else None
    node = target.this if isinstance(target, exp.Schema) else target
    if not isinstance(node, exp.Table) or node.args.get("db"):
        raise ProgrammingError(f"INSERT needs a table of this connection, not {node.sql()!r}", sqlstate="42P01")
    table = _lookup(tables, node.name)
    if table is None:
        raise ProgrammingError(f"there is no table {node.name!r}", sqlstate="42P01")
    if not table.writable:
        raise NotSupportedError(f"the table {table.name} is read-only: the API cannot write it", sqlstate="0A000")
    columns = tuple(named) if named is not None else tuple(f.name for f in table.fields)
    return InsertPlan(table, columns, _fields(table, columns), statement.expression)


def _lookup(tables: Mapping[str, Table], name: str) -> Table | None:
    return tables.get(name) or next((t for n, t in tables.items() if n.lower() == name.lower()), None)


def _fields(table: Table, columns: tuple[str, ...]) -> tuple[Field | None, ...]:
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise ProgrammingError(f"column {column!r} is named twice in the INSERT", sqlstate="42701")
        seen.add(column)
    fields = tuple(table.field(c) for c in columns)
    unknown = [c for c, f in zip(columns, fields, strict=True) if f is None]
    if unknown and not table.open_columns:
        declared = ", ".join(f.name for f in table.fields)
        raise ProgrammingError(
            f"the table {table.name} has no column(s) {', '.join(unknown)}; its columns are: {declared}",
            sqlstate="42703",
        )
    missing = [c for c in table.required if c not in seen]
    if missing:
        raise ProgrammingError(
            f"an INSERT into {table.name} must name the column(s) {', '.join(missing)}", sqlstate="42601"
        )
    return fields


class Writer:
    """Runs INSERT statements over ``tables``; SELECT sources are evaluated by ``engine``."""

    def __init__(self, tables: Mapping[str, Table], engine: Engine) -> None:
        self.tables, self.engine = tables, engine

    def run(self, sql: str, parameter_sets: Sequence[Any] | None) -> int:
        """Insert the rows of ``sql`` bound with each parameter set in turn (None: no parameters)
        as one Arrow table; the number of rows the table accepted."""
        plan = plan_insert(sql, self.tables)
        rows = self.rows(plan, sql, parameter_sets)
        if rows.num_rows == 0:
            return 0
        return plan.table.insert(rows)

    def rows(self, plan: InsertPlan, sql: str, parameter_sets: Sequence[Any] | None) -> pa.Table:
        placeholders = plan.placeholder_rows()
        if placeholders is not None and parameter_sets is not None:
            return _from_parameters(plan, placeholders, parameter_sets, self._constants(placeholders))
        if parameter_sets is None:
            return self._evaluate(plan, plan.source)
        if not parameter_sets:
            return _empty(plan)
        if isinstance(plan.source, exp.Values):  # every set's tuples in one VALUES: one evaluation
            tuples = ", ".join(t.sql(dialect="duckdb") for t in plan.source.expressions)
            bound = [binding.inline(tuples, parameters, literal) for parameters in parameter_sets]
            return self._evaluate(plan, _parsed_values("VALUES " + ", ".join(bound)))
        pieces = [
            self._evaluate(plan, plan_insert(binding.inline(sql, parameters, literal), self.tables).source)
            for parameters in parameter_sets
        ]
        return pa.concat_tables(pieces)

    def _constants(self, rows: list[list[exp.Expr]]) -> dict[int, Any]:
        """The value of each constant item of the VALUES tuples (by ``id``), evaluated once by DuckDB."""
        items = [item for row in rows for item in row if not isinstance(item, exp.Placeholder)]
        if not items:
            return {}
        text = "SELECT " + ", ".join(f'{item.sql(dialect="duckdb")} AS "c{i}"' for i, item in enumerate(items))
        result = self.engine.run(text, threading.Event())
        values = pa.concat_tables(list(result.pages(threading.Event()))).to_pylist()[0]
        return {id(item): values[f"c{i}"] for i, item in enumerate(items)}

    def _evaluate(self, plan: InsertPlan, source: exp.Expr) -> pa.Table:
        """DuckDB evaluates the (bound) INSERT's source; its columns become the named ones."""
        if isinstance(source, exp.Values):
            for number, row in enumerate(source.expressions, 1):
                width = len(row.expressions) if isinstance(row, exp.Tuple) else 1
                if width != len(plan.columns):
                    raise ProgrammingError(
                        f"row {number} of VALUES has {width} value(s) for {len(plan.columns)} column(s)",
                        sqlstate="42601",
                    )
        aliases = ", ".join(f'"c{i}"' for i in range(len(plan.columns)))
        text = f"SELECT * FROM ({source.sql(dialect='duckdb')}) AS __cdpdb_source({aliases})"
        result = self.engine.run(text, threading.Event())
        pages = list(result.pages(threading.Event()))
        table = pa.concat_tables(pages) if pages else (result.schema or pa.schema([])).empty_table()
        if table.num_columns != len(plan.columns):
            raise ProgrammingError(
                f"the SELECT gives {table.num_columns} column(s) for {len(plan.columns)} named in the INSERT",
                sqlstate="42601",
            )
        arrays = [conform(table.column(i).combine_chunks(), plan, i) for i in range(len(plan.columns))]
        return pa.table(arrays, names=list(plan.columns))


def _parsed_values(sql: str) -> exp.Expr:
    """VALUES tuples bound here (literals only), parsed back for evaluation."""
    try:
        return sqlglot.parse_one(sql, read="duckdb")
    except ParseError as exc:
        raise syntax_error(sql, exc) from None


def _empty(plan: InsertPlan) -> pa.Table:
    return pa.table([pa.array([], f.type if f else pa.null()) for f in plan.fields], names=list(plan.columns))


def _from_parameters(
    plan: InsertPlan, rows: list[list[exp.Expr]], parameter_sets: Sequence[Any], constants: dict[int, Any]
) -> pa.Table:
    """The fast route: column ``i`` is the values its placeholder got, parameter set by parameter set."""
    width = len(plan.columns)
    for number, row in enumerate(rows, 1):
        if len(row) != width:
            raise ProgrammingError(
                f"row {number} of VALUES has {len(row)} value(s) for {width} column(s)", sqlstate="42601"
            )
    named = any(isinstance(item, exp.Placeholder) and item.this for row in rows for item in row)
    keys: list[list[Any]] = []  # per VALUES tuple, per column: the parameter's name or index, or a constant
    position = 0
    for row in rows:
        keys.append([])
        for item in row:
            if not isinstance(item, exp.Placeholder):
                keys[-1].append(_Constant(constants[id(item)]))
            elif named:
                keys[-1].append(str(item.this))
            else:
                keys[-1].append(position)
                position += 1
    _check_shapes(parameter_sets, named, position, rows)
    arrays = []
    for column in range(width):
        try:
            if len(keys) == 1 and isinstance(keys[0][column], _Constant):
                values = [keys[0][column].value] * len(parameter_sets)
            elif len(keys) == 1:
                values = list(map(itemgetter(keys[0][column]), parameter_sets))
            else:
                getters = [_getter(row[column]) for row in keys]
                values = [get(p) for p in parameter_sets for get in getters]
        except KeyError as exc:
            raise ProgrammingError(f"the SQL has placeholders with no value: {exc.args[0]}") from None
        arrays.append(conform(values, plan, column))
    return pa.table(arrays, names=list(plan.columns))


@dataclass(frozen=True)
class _Constant:
    value: Any


def _getter(key: Any) -> Callable[[Any], Any]:
    if isinstance(key, _Constant):
        return lambda parameters: key.value
    return itemgetter(key)


def _check_shapes(parameter_sets: Sequence[Any], named: bool, expected: int, rows: list[list[exp.Expr]]) -> None:
    """Each parameter set is of the placeholders' style; a ``?`` set has one value per placeholder."""
    for number, parameters in enumerate(parameter_sets):
        if binding.style_of(parameters) != ("NAMED" if named else "QUESTION_MARK"):
            kind = "a mapping (for :name placeholders)" if named else "a sequence (for ? placeholders)"
            raise ProgrammingError(f"parameter set {number} must be {kind}, not {type(parameters).__name__}")
        if not named and len(parameters) != expected:
            raise ProgrammingError(
                f"parameter set {number} has {len(parameters)} value(s) for {expected} ? placeholder(s)"
            )
        if named and number == 0:
            names = {str(item.this) for row in rows for item in row if isinstance(item, exp.Placeholder)}
            missing = sorted(names - set(parameters))
            if missing:
                raise ProgrammingError(f"the SQL has placeholders with no value: {', '.join(missing)}")


def conform(values: list[Any] | pa.Array, plan: InsertPlan, column: int) -> pa.Array:
    """Values of one named column in its declared type (an undeclared column: the values' own
    type). A value that cannot be converted raises DataError naming the column and the row."""
    field = plan.fields[column]
    target = field.type if field is not None else None
    try:
        return _converted(values, target)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError, TypeError) as exc:
        row = _first_bad(values, target)
        where = f" in row {row}" if row is not None else ""
        wanted = f" to {target}" if target is not None else ""
        raise DataError(
            f"column {plan.columns[column]!r}{where}: the value cannot be converted{wanted} ({exc})",
            sqlstate="22018",
        ) from None


def _converted(values: list[Any] | pa.Array, target: pa.DataType | None) -> pa.Array:
    if isinstance(values, pa.Array):
        array = values
    else:
        try:
            return pa.array(values, type=target)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            if target is None:
                raise
        if pa.types.is_string(target) and any(isinstance(v, (dict, list, tuple)) for v in values):
            values = [orjson.dumps(v).decode() if isinstance(v, (dict, list, tuple)) else v for v in values]
        array = pa.array(values)
    if target is None or array.type == target:
        return array
    return pc.cast(array, target)


def _first_bad(values: list[Any] | pa.Array, target: pa.DataType | None) -> int | None:
    """The 0-based row of the first value that does not convert (only looked for after a failure)."""
    for row in range(len(values)):
        one = values.slice(row, 1) if isinstance(values, pa.Array) else [values[row]]
        try:
            _converted(one, target)
        except Exception:
            return row
    return None
