"""The SQL layer's write path: INSERT → one Arrow table in the declared types → ``Table.insert``.

``SinkTable`` keeps what it is handed (an in-memory table that takes writes, as an API would),
so each test checks the exact rows, columns and types a backend receives — by the fast route
(placeholders only, columns straight from the parameter sets) and by DuckDB's (expressions,
literals, INSERT ... SELECT) — and that both give the same table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

import cdpdb
from cdpdb.connection import Connection
from cdpdb.core.sqlapi.session import ApiSession
from cdpdb.core.sqlapi.tables import ArrowTable, Field, Table
from cdpdb.core.sqlapi.writes import plan_insert
from cdpdb.exceptions import WriteReport

UTC = dt.timezone.utc


class SinkTable(Table):
    writable = True

    def __init__(self, name: str = "people", open_columns: bool = False, required: tuple[str, ...] = ()) -> None:
        self.name, self.open_columns, self.required = name, open_columns, required
        self.fields = [
            Field("id", pa.int64()),
            Field("name", pa.string()),
            Field("seen", pa.timestamp("us", tz="UTC")),
            Field("score", pa.decimal128(10, 2)),
            Field("tags", pa.string()),
        ]
        self.inserted: list[pa.Table] = []

    def scan(self, scan):  # pragma: no cover - never read in these tests
        raise AssertionError("a sink is not read")

    def insert(self, rows: pa.Table) -> int:
        self.inserted.append(rows)
        return rows.num_rows


class PartialTable(SinkTable):
    """Accepts the first two rows and reports the rest as not accepted."""

    def insert(self, rows: pa.Table) -> int:
        report = WriteReport(rows.num_rows, (range(0, 2),), ((range(2, rows.num_rows), "the API said no"),))
        raise cdpdb.OperationalError("a request failed after its retries", write=report)


def connect(*tables: Table) -> Connection:
    source = ArrowTable("source", pa.table({"k": [1, 2, 3], "v": ["a", "b", None]}))
    return Connection(ApiSession({t.name: t for t in (*tables, source)}))


def test_a_session_with_a_writable_table_takes_writes_and_one_without_refuses_them():
    assert ApiSession({"people": SinkTable()}).read_only is None
    reader = ApiSession({"source": ArrowTable("source", pa.table({"k": [1]}))})
    with pytest.raises(cdpdb.NotSupportedError, match="read with SELECT"):
        Connection(reader).cursor().execute("INSERT INTO source (k) VALUES (1)")


def test_executemany_hands_every_parameter_set_to_the_table_at_once_in_declared_types():
    sink = SinkTable()
    cursor = connect(sink).cursor()
    seen = dt.datetime(2024, 5, 1, 12, tzinfo=UTC)
    cursor.executemany(
        "INSERT INTO people (id, name, seen, score) VALUES (?, ?, ?, ?)",
        [(1, "a", seen, Decimal("1.50")), (2, None, None, Decimal("2"))],
    )
    assert cursor.rowcount == 2
    assert len(sink.inserted) == 1  # one hand-over, not one per parameter set
    rows = sink.inserted[0]
    assert rows.column_names == ["id", "name", "seen", "score"]  # exactly the named columns
    assert rows.schema.field("seen").type == pa.timestamp("us", tz="UTC")
    assert rows.schema.field("score").type == pa.decimal128(10, 2)
    assert rows.to_pylist() == [
        {"id": 1, "name": "a", "seen": seen, "score": Decimal("1.50")},
        {"id": 2, "name": None, "seen": None, "score": Decimal("2.00")},
    ]


def test_named_placeholders_and_pandas_multi_values_take_the_fast_route():
    sink = SinkTable()
    cursor = connect(sink).cursor()
    cursor.execute(
        "INSERT INTO people (id, name) VALUES (:id_m0, :name_m0), (:id_m1, :name_m1)",
        {"id_m0": 1, "name_m0": "a", "id_m1": 2, "name_m1": "b"},
    )
    cursor.executemany("INSERT INTO people (id, name) VALUES (:id, :name)", [{"id": 3, "name": "c"}])
    assert [t.to_pylist() for t in sink.inserted] == [
        [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
        [{"id": 3, "name": "c"}],
    ]


def test_duckdb_route_gives_the_same_table_as_the_fast_route():
    fast, slow = SinkTable(), SinkTable()
    rows = [(1, "a", "2024-05-01T12:00:00Z"), (2, None, None)]
    connect(fast).cursor().executemany("INSERT INTO people (id, name, seen) VALUES (?, ?, ?)", rows)
    connect(slow).cursor().executemany("INSERT INTO people (id, name, seen) VALUES (? + 0, ?, ?)", rows)
    assert fast.inserted[0].equals(slow.inserted[0])
    literal = SinkTable()
    connect(literal).cursor().execute(
        "INSERT INTO people (id, name, seen) VALUES (1, 'a', TIMESTAMPTZ '2024-05-01 12:00:00+00'), (2, NULL, NULL)"
    )
    assert literal.inserted[0].equals(fast.inserted[0])


def test_insert_select_reads_other_tables_and_binds_parameters():
    sink = SinkTable()
    cursor = connect(sink).cursor()
    cursor.execute("INSERT INTO people (id, name) SELECT k * 10, v FROM source WHERE k >= ?", [2])
    assert cursor.rowcount == 2
    assert sink.inserted[0].to_pylist() == [{"id": 20, "name": "b"}, {"id": 30, "name": None}]


def test_an_insert_without_columns_names_every_declared_one():
    sink = SinkTable()
    connect(sink).cursor().execute("INSERT INTO people VALUES (1, 'a', NULL, 1.5, '[]')")
    assert sink.inserted[0].column_names == ["id", "name", "seen", "score", "tags"]


def test_dicts_and_lists_for_a_text_column_are_sent_as_json_text():
    sink = SinkTable()
    connect(sink).cursor().executemany("INSERT INTO people (id, tags) VALUES (?, ?)", [(1, {"a": [1]}), (2, "x")])
    assert sink.inserted[0].column("tags").to_pylist() == ['{"a":[1]}', "x"]


def test_open_tables_take_undeclared_columns_typed_by_their_values():
    sink = SinkTable(open_columns=True)
    connect(sink).cursor().executemany("INSERT INTO people (id, plan) VALUES (?, ?)", [(1, "pro"), (2, None)])
    assert sink.inserted[0].schema.field("plan").type == pa.string()
    with pytest.raises(cdpdb.ProgrammingError, match="no column.*plan") as caught:
        connect(SinkTable()).cursor().execute("INSERT INTO people (id, plan) VALUES (1, 'x')")
    assert caught.value.sqlstate == "42703"


def test_a_value_that_does_not_convert_names_its_column_and_row():
    cursor = connect(SinkTable()).cursor()
    with pytest.raises(cdpdb.DataError, match="column 'id' in row 2") as caught:
        cursor.executemany("INSERT INTO people (id) VALUES (?)", [(1,), (2,), ("three",)])
    assert caught.value.sqlstate == "22018"


@pytest.mark.parametrize(
    "sql, kind, words",
    [
        ("UPDATE people SET name = 'x'", cdpdb.NotSupportedError, "only take INSERT"),
        ("DELETE FROM people", cdpdb.NotSupportedError, "only take INSERT"),
        ("CREATE TABLE t (a int)", cdpdb.NotSupportedError, "only take INSERT"),
        ("INSERT INTO people (id) VALUES (1) ON CONFLICT DO NOTHING", cdpdb.NotSupportedError, "ON CONFLICT"),
        ("INSERT INTO source (k) VALUES (1)", cdpdb.NotSupportedError, "read-only"),
        ("INSERT INTO nowhere (k) VALUES (1)", cdpdb.ProgrammingError, "no table 'nowhere'"),
        ("INSERT INTO people (id, id) VALUES (1, 2)", cdpdb.ProgrammingError, "named twice"),
        ("INSERT INTO people (id, name) VALUES (1)", cdpdb.ProgrammingError, "1 value"),
        ("INSERT INTO people (id, name) SELECT k FROM source", cdpdb.ProgrammingError, "1 column"),
    ],
)
def test_what_is_refused_says_why(sql, kind, words):
    with pytest.raises(kind, match=words):
        connect(SinkTable()).cursor().execute(sql)


def test_required_columns_are_checked_before_the_table_is_called():
    sink = SinkTable(required=("name",))
    with pytest.raises(cdpdb.ProgrammingError, match="must name the column.*name"):
        connect(sink).cursor().executemany("INSERT INTO people (id) VALUES (?)", [(1,)])
    assert sink.inserted == []


def test_parameter_sets_of_the_wrong_shape_are_refused():
    cursor = connect(SinkTable()).cursor()
    with pytest.raises(cdpdb.ProgrammingError, match="parameter set 1 has 1 value"):
        cursor.executemany("INSERT INTO people (id, name) VALUES (?, ?)", [(1, "a"), (2,)])
    with pytest.raises(cdpdb.ProgrammingError, match="no value: name"):
        cursor.executemany("INSERT INTO people (id, name) VALUES (:id, :name)", [{"id": 1}])
    with pytest.raises(cdpdb.ProgrammingError, match="must be a mapping"):
        cursor.executemany("INSERT INTO people (id) VALUES (:id)", [(1,)])


def test_a_partial_failure_sets_rowcount_to_the_rows_accepted_and_keeps_the_report():
    cursor = connect(PartialTable()).cursor()
    with pytest.raises(cdpdb.OperationalError) as caught:
        cursor.executemany("INSERT INTO people (id) VALUES (?)", [(i,) for i in range(5)])
    assert cursor.rowcount == 2
    report = caught.value.write
    assert report.accepted_rows() == [0, 1] and report.rejected_rows() == [2, 3, 4]
    assert report.why(3) == "the API said no" and report.why(0) is None


def test_executemany_of_nothing_writes_nothing():
    sink = SinkTable()
    cursor = connect(sink).cursor()
    cursor.executemany("INSERT INTO people (id) VALUES (?)", [])
    assert cursor.rowcount == 0 and sink.inserted == []


def test_plan_keeps_none_and_omitted_apart():
    plan = plan_insert("INSERT INTO people (id, name) VALUES (?, ?)", {"people": SinkTable()})
    assert plan.columns == ("id", "name")
    assert "seen" not in plan.columns


def test_constants_beside_placeholders_stay_on_the_fast_route_and_are_evaluated_once():
    sink = SinkTable()
    cursor = connect(sink).cursor()
    cursor.executemany(
        "INSERT INTO people (id, name, seen) VALUES (?, upper('x'), TIMESTAMPTZ '2024-01-01 00:00:00+00')",
        [(1,), (2,)],
    )
    assert plan_insert("INSERT INTO people (id, name) VALUES (?, upper('x'))", {"people": sink}).placeholder_rows()
    assert sink.inserted[0].to_pylist() == [
        {"id": 1, "name": "X", "seen": dt.datetime(2024, 1, 1, tzinfo=UTC)},
        {"id": 2, "name": "X", "seen": dt.datetime(2024, 1, 1, tzinfo=UTC)},
    ]
