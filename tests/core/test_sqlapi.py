"""The shared SQL layer: what is pushed to an API's table, and that pushing never changes a result.

``FilteringTable`` applies every predicate it accepts (and its order and limit) the way an API
would, and records what it was asked; each query must give the same rows as over a table that
filters nothing."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cdpdb.core.jobs import QueryControl
from cdpdb.core.sqlapi import tables as t
from cdpdb.core.sqlapi.session import ApiSession
from cdpdb.core.sqlapi.tables import ArrowTable, Field, Predicate, Scan, Table

ROWS = pa.table(
    {
        "id": pa.array(range(20), pa.int64()),
        "name": [f"n{i}" if i % 7 else None for i in range(20)],
        "amount": pa.array([Decimal(i) / 4 for i in range(20)], pa.decimal128(10, 2)),
        "day": [dt.date(2024, 1, 1 + i) for i in range(20)],
        "team": pa.array([i % 3 for i in range(20)], pa.int64()),
    }
)
ALL_OPS = frozenset(t.OPERATORS)


class FilteringTable(Table):
    name, orders, limits = "facts", True, True
    fields: ClassVar[list[Field]] = [Field(f.name, f.type, pushdown=ALL_OPS) for f in ROWS.schema]

    def __init__(self) -> None:
        self.scans: list[Scan] = []

    def scan(self, scan: Scan):
        self.scans.append(scan)
        rows = ROWS
        for p in scan.predicates:
            rows = rows.filter(_mask(rows[p.column], p))
        if scan.order:
            rows = rows.sort_by([(o.column, "descending" if o.descending else "ascending") for o in scan.order])
        if scan.limit is not None:
            rows = rows.slice(0, scan.limit)
        return rows.select(list(scan.columns)).to_batches(max_chunksize=4)


def _mask(column: pa.ChunkedArray, p: Predicate) -> pa.ChunkedArray:
    compare = {t.EQ: pc.equal, t.NE: pc.not_equal, t.LT: pc.less, t.LE: pc.less_equal, t.GT: pc.greater}
    compare[t.GE] = pc.greater_equal
    if p.op in compare:
        return pc.fill_null(compare[p.op](column, pa.scalar(p.value, column.type)), False)
    if p.op in (t.IN, t.NOT_IN):
        found = pc.is_in(column, pa.array(p.value, column.type))
        return pc.fill_null(pc.invert(found) if p.op == t.NOT_IN else found, p.op == t.NOT_IN)
    if p.op == t.BETWEEN:
        low, high = (pa.scalar(v, column.type) for v in p.value)
        return pc.fill_null(pc.and_(pc.greater_equal(column, low), pc.less_equal(column, high)), False)
    if p.op in (t.IS_NULL, t.IS_NOT_NULL):
        return pc.is_null(column) if p.op == t.IS_NULL else pc.is_valid(column)
    if p.op in (t.LIKE, t.NOT_LIKE):
        found = pc.match_like(column, p.value)
        return pc.fill_null(pc.invert(found) if p.op == t.NOT_LIKE else found, False)
    return pc.fill_null(pc.match_substring_regex(column, p.value), False)


QUERIES = [
    "SELECT * FROM facts WHERE id = 3",
    "SELECT id FROM facts WHERE 5 < id AND team IN (0, 2) ORDER BY id",
    "SELECT id FROM facts WHERE NOT team IN (1) AND amount BETWEEN 1 AND 3.5 ORDER BY id",
    "SELECT id, name FROM facts WHERE name IS NULL OR id = 1 ORDER BY id",
    "SELECT id FROM facts WHERE name IS NOT NULL AND name LIKE 'n1%' ORDER BY id",
    "SELECT id FROM facts WHERE name NOT LIKE '%1' AND regexp_matches(name, '^n[23]') ORDER BY id",
    "SELECT id FROM facts WHERE day >= DATE '2024-01-15' AND amount <> -0.25 ORDER BY id DESC LIMIT 3",
    "SELECT id FROM facts WHERE id > 2 ORDER BY amount DESC LIMIT 2 OFFSET 1",
    "SELECT id FROM facts WHERE id > 2 AND id * 2 < 30 ORDER BY id LIMIT 3",  # one filter the API cannot apply
    "SELECT team, count(*) AS n, sum(amount) AS s FROM facts WHERE id < 15 GROUP BY team ORDER BY team LIMIT 2",
    "SELECT a.id, b.id FROM facts a LEFT JOIN facts b ON b.id = a.id + 1 WHERE b.id IS NULL ORDER BY 1",
    "SELECT a.id FROM facts a JOIN facts b ON b.team = a.team WHERE a.id = 4 AND b.id > 10 ORDER BY 1",
    "WITH facts AS (SELECT 1 AS id) SELECT * FROM facts",
    "SELECT id, row_number() OVER (PARTITION BY team ORDER BY id) FROM facts WHERE team = 1 ORDER BY id LIMIT 4",
]


def run(table: Table, sql: str) -> list[tuple]:
    session = ApiSession({"facts": table})
    result = session.execute(sql, None, QueryControl())
    return [tuple(r.values()) for page in result.pages(threading.Event()) for r in page.to_pylist()]


@pytest.mark.parametrize("sql", QUERIES)
def test_pushing_down_never_changes_the_result(sql):
    assert run(FilteringTable(), sql) == run(ArrowTable("facts", ROWS), sql)


def test_what_each_scan_is_asked():
    table = FilteringTable()
    run(table, "SELECT id FROM facts WHERE day >= DATE '2024-01-15' AND amount <> -0.25 ORDER BY id DESC LIMIT 3")
    scan = table.scans[-1]
    assert set(scan.columns) == {"id", "day", "amount"}
    assert scan.predicates == (
        Predicate("day", ">=", dt.date(2024, 1, 15)),
        Predicate("amount", "!=", Decimal("-0.25")),
    )
    assert [(o.column, o.descending) for o in scan.order] == [("id", True)] and scan.limit == 3

    run(table, "SELECT id FROM facts WHERE id > 2 AND id * 2 < 30 ORDER BY id LIMIT 3")
    assert table.scans[-1].predicates == (Predicate("id", ">", 2),) and table.scans[-1].limit is None

    run(table, "SELECT team, count(*) FROM facts WHERE id < 15 GROUP BY team LIMIT 2")
    assert table.scans[-1].predicates == (Predicate("id", "<", 15),) and table.scans[-1].limit is None


def test_nothing_is_pushed_to_the_null_filled_side_of_an_outer_join():
    table = FilteringTable()
    run(table, "SELECT a.id FROM facts a LEFT JOIN facts b ON b.id = a.id + 1 WHERE b.id IS NULL AND a.id < 5")
    outer, inner = table.scans[-2:]
    assert {outer.predicates, inner.predicates} == {(Predicate("id", "<", 5),), ()}


def test_a_table_that_accepts_nothing_gets_no_predicate():
    class Plain(FilteringTable):
        fields: ClassVar[list[Field]] = [Field(f.name, f.type) for f in ROWS.schema]

    table = Plain()
    assert run(table, "SELECT id FROM facts WHERE id = 3") == [(3,)]
    assert table.scans[-1].predicates == () and table.scans[-1].columns == ("id",)
