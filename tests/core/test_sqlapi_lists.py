"""The list-membership predicate (CONTAINS) of the shared SQL layer: which spellings are pushed,
that OR and NOT never are, and that pushing never changes a result.

``TaggedTable`` applies every CONTAINS it is given, as an API would, and records what it was
asked; each query must give the same rows as over a table that filters nothing."""

from __future__ import annotations

import threading
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cdpdb.core.jobs import QueryControl
from cdpdb.core.sqlapi.session import ApiSession
from cdpdb.core.sqlapi.tables import CONTAINS, EQ, ArrowTable, Field, Predicate, Scan, Table

TAGS = [["vip", "gold"], ["vip"], [], None, ["gold"], ["vip", "gold", "new"], ["new"], ["a,b"]]
ROWS = pa.table(
    {
        "id": pa.array(range(len(TAGS)), pa.int64()),
        "tags": pa.array(TAGS, pa.list_(pa.string())),
    }
)


class TaggedTable(Table):
    name, orders, limits = "people", True, True
    fields: ClassVar[list[Field]] = [
        Field("id", pa.int64(), pushdown=frozenset({EQ})),
        Field("tags", pa.list_(pa.string()), pushdown=frozenset({CONTAINS})),
    ]

    def __init__(self, refuse: str | None = None) -> None:
        self.scans: list[Scan] = []
        self.refuse = refuse  # an element this table cannot filter on (as an API with a separator)

    def accepts(self, predicate: Predicate) -> bool:
        return super().accepts(predicate) and predicate.value != self.refuse

    def scan(self, scan: Scan):
        self.scans.append(scan)
        rows = ROWS
        for p in scan.predicates:
            if p.op == CONTAINS:
                mask = [tags is not None and p.value in tags for tags in rows["tags"].to_pylist()]
            else:
                mask = pc.fill_null(pc.equal(rows[p.column], pa.scalar(p.value, rows[p.column].type)), False)
            rows = rows.filter(mask)
        if scan.order:
            rows = rows.sort_by([(o.column, "descending" if o.descending else "ascending") for o in scan.order])
        if scan.limit is not None:
            rows = rows.slice(0, scan.limit)
        return rows.select(list(scan.columns)).to_batches(max_chunksize=3)


def run(table: Table, sql: str, parameters=None) -> list[tuple]:
    session = ApiSession({"people": table})
    result = session.execute(sql, parameters, QueryControl())
    return [tuple(r.values()) for page in result.pages(threading.Event()) for r in page.to_pylist()]


PUSHED = [
    ("list_contains(tags, 'vip')", ["vip"]),
    ("array_contains(tags, 'vip')", ["vip"]),
    ("list_has(tags, 'vip')", ["vip"]),
    ("array_has(tags, 'vip')", ["vip"]),
    ("'vip' = ANY(tags)", ["vip"]),
    ("'vip' = ANY (people.tags)", ["vip"]),  # SQLAlchemy's ARRAY .any('vip')
    ("list_contains(tags, 'vip') AND list_contains(tags, 'gold')", ["vip", "gold"]),
    ("tags @> ['vip', 'gold']", ["vip", "gold"]),
    ("array_has_all(tags, ['vip', 'gold'])", ["vip", "gold"]),
    ("(list_contains(tags, 'vip') AND id = 5) AND list_contains(tags, 'new')", ["vip", "new"]),
]


@pytest.mark.parametrize(("where", "elements"), PUSHED)
def test_each_spelling_is_pushed_as_one_contains_per_element(where, elements):
    table = TaggedTable()
    sql = f"SELECT id FROM people WHERE {where} ORDER BY id"
    assert run(table, sql) == run(ArrowTable("people", ROWS), sql)
    pushed = [p for p in table.scans[-1].predicates if p.op == CONTAINS]
    assert pushed == [Predicate("tags", CONTAINS, value) for value in elements]


NOT_PUSHED = [
    "list_contains(tags, 'vip') OR list_contains(tags, 'new')",
    "NOT list_contains(tags, 'vip')",
    "NOT 'vip' = ANY(tags)",
    "list_contains(tags, NULL)",
    "list_contains(tags, CAST(id AS VARCHAR))",
    "list_contains(tags, 'vip') = false",
    "(list_contains(tags, 'vip') OR id = 2) AND id < 7",
]


@pytest.mark.parametrize("where", NOT_PUSHED)
def test_or_not_and_non_constants_are_not_pushed_and_the_result_is_the_same(where):
    table = TaggedTable()
    sql = f"SELECT id FROM people WHERE {where} ORDER BY id"
    assert run(table, sql) == run(ArrowTable("people", ROWS), sql)
    assert [p for scan in table.scans for p in scan.predicates if p.op == CONTAINS] == []  # DuckDB may not scan


def test_a_placeholder_element_is_pushed():
    table = TaggedTable()
    assert run(table, "SELECT id FROM people WHERE list_contains(tags, ?) ORDER BY id", ("gold",)) == [(0,), (4,), (5,)]
    assert table.scans[-1].predicates == (Predicate("tags", CONTAINS, "gold"),)


def test_order_and_limit_follow_only_when_every_element_was_accepted():
    table = TaggedTable()
    sql = "SELECT id FROM people WHERE tags @> ['vip', 'gold'] ORDER BY id DESC LIMIT 1"
    assert run(table, sql) == [(5,)]
    assert table.scans[-1].limit == 1

    refusing = TaggedTable(refuse="gold")  # one element of the conjunct stays with DuckDB
    assert run(refusing, sql) == [(5,)]
    assert refusing.scans[-1].predicates == (Predicate("tags", CONTAINS, "vip"),)
    assert refusing.scans[-1].limit is None and refusing.scans[-1].order == ()


def test_a_list_predicate_in_a_join_is_pushed_only_when_qualified():
    table = TaggedTable()
    sql = "SELECT a.id FROM people a JOIN people b ON b.id = a.id WHERE list_contains(a.tags, 'new') ORDER BY 1"
    assert run(table, sql) == [(5,), (6,)]
    assert sorted(len(s.predicates) for s in table.scans[-2:]) == [0, 1]
