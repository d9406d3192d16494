"""A SQL WHERE clause → a v5 segment rule, for saving a segment written as SQL.

The same pushdown as a SELECT on a profiles table (sqlglot, then :mod:`compile`), with one
difference: a SELECT may leave part of its WHERE to DuckDB, a saved segment cannot — TD evaluates
the rule alone. So every conjunct must become a rule condition, or the clause is refused naming
the conjunct that does not (an OR, a function, an array attribute...).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from cdpdb.backends.treasuredata import compile, rules
from cdpdb.core.sqlapi.pushdown import table_uses
from cdpdb.core.sqlapi.tables import Field, Predicate, Scan, Table
from cdpdb.exceptions import NotSupportedError, ProgrammingError

_TABLE = "profiles"
SYNTAX_ERROR = "42601"
UNDEFINED_COLUMN = "42703"
NO_RULE = "0A000"  # feature not supported: the clause has no exact rule


class _Attributes(Table):
    """The attributes as a table whose pushdown is exactly what a rule can express."""

    def __init__(self, types: Mapping[str, str]) -> None:
        self.name, self.types = _TABLE, dict(types)
        self.fields = [
            Field(n, pa.string(), pushdown=compile.OPERATORS_BY_TYPE.get(t, frozenset())) for n, t in types.items()
        ]

    def accepts(self, predicate: Predicate) -> bool:
        td_type = self.types.get(predicate.column)
        return td_type is not None and compile.convertible(predicate, td_type)

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:  # never scanned: only planned
        raise NotImplementedError


def _conjuncts(node: exp.Expr) -> Iterator[exp.Expr]:
    if isinstance(node, exp.And):
        yield from _conjuncts(node.left)
        yield from _conjuncts(node.right)
    elif isinstance(node, exp.Paren):
        yield from _conjuncts(node.this)
    else:
        yield node


def rule_from_where(where: str, types: Mapping[str, str]) -> rules.Rule | None:
    """The rule selecting the profiles ``where`` selects (attribute name → TD type in ``types``);
    None for an empty clause (every profile)."""
    if not where.strip():
        return None
    try:
        parsed = sqlglot.parse(f"SELECT * FROM {_TABLE} WHERE {where}", read="duckdb")
    except ParseError as exc:
        raise ProgrammingError(
            f"the WHERE clause {where!r} is not valid SQL: {(exc.errors or [{}])[0].get('description') or exc}",
            sqlstate=SYNTAX_ERROR,
        ) from None
    select = parsed[0] if len(parsed) == 1 else None
    extra = (
        [k for k, v in select.args.items() if v and k not in ("expressions", "from", "from_", "where")]
        if isinstance(select, exp.Select)
        else ["?"]
    )
    if extra:
        raise ProgrammingError(f"give only a WHERE clause's condition, not {where!r}", sqlstate=SYNTAX_ERROR)
    table = _Attributes(types)
    predicates: list[Predicate] = []
    for conjunct in _conjuncts(select.args["where"].this):
        one = sqlglot.parse_one(f"SELECT * FROM {_TABLE} WHERE {conjunct.sql('duckdb')}", read="duckdb")
        found = table_uses(one, {_TABLE: table})[0].predicates
        if len(found) != 1:
            names = ", ".join(f"{n} ({t})" for n, t in types.items())
            known = {n.lower() for n in types}
            unknown = sorted({c.name for c in conjunct.find_all(exp.Column) if c.name.lower() not in known})
            if unknown:
                raise ProgrammingError(
                    f"{', '.join(unknown)}: no such attribute of the parent segment; its attributes are {names}",
                    sqlstate=UNDEFINED_COLUMN,
                )
            raise NotSupportedError(
                f"{conjunct.sql('duckdb')!r} has no segment rule condition: a rule takes AND-ed comparisons, "
                f"IN, BETWEEN, IS NULL, LIKE prefix/suffix/contains and regexp_matches on scalar attributes "
                f"({names}); give the rule as JSON for anything else",
                sqlstate=NO_RULE,
            )
        predicates.append(found[0])
    return compile.rule_for(tuple(predicates), table.types)
