"""INSERT / executemany / to_sql into contacts as import tasks, and reading contacts by export."""

from __future__ import annotations

import datetime as dt
import time
import warnings

import pytest

from cdpdb.backends.crescendolab import wire
from cdpdb.backends.crescendolab.tables import StaleDataWarning
from cdpdb.exceptions import DataError, OperationalError, ProgrammingError
from cdpdb.local.faults import Fault

from .conftest import imports_sent


def test_omitted_columns_stay_and_nulls_clear(crescendo, connect):
    crescendo.contacts.add(line_uid="U1", display_name="Ann", display_email="ann@x.com", customer_id="C1")
    cursor = connect().cursor()
    cursor.execute("INSERT INTO contacts (line_uid, display_email) VALUES ('U1', NULL)")
    row = crescendo.contacts.find("line_uid", "U1")
    assert row["display_email"] is None  # NULL cleared it
    assert row["display_name"] == "Ann" and row["customer_id"] == "C1"  # not named: unchanged


def test_rowcount_is_created_plus_updated(crescendo, connect):
    crescendo.contacts.add(line_uid="U1")
    cursor = connect().cursor()
    cursor.executemany(
        "INSERT INTO contacts (line_uid, display_name, birthday) VALUES (?, ?, ?)",
        [("U1", "Ann", dt.date(1990, 1, 2)), ("U2", "Bob", None), ("U3", "Cy", None)],
    )
    assert cursor.rowcount == 3
    assert crescendo.contacts.stats["created"] == 2 and crescendo.contacts.stats["updated"] == 1
    assert crescendo.contacts.find("line_uid", "U1")["birthday"] == "1990-01-02"


def test_rows_go_in_tasks_of_at_most_import_rows_one_at_a_time(crescendo, connect):
    crescendo.faults.set_limits(task_seconds=0.1)  # a task stays running: a second import would get 409
    cursor = connect(import_rows=3).cursor()
    cursor.executemany("INSERT INTO contacts (line_uid) VALUES (?)", [(f"U{i}",) for i in range(7)])
    assert cursor.rowcount == 7
    tasks = [t for t in crescendo.server.tasks.values() if t.kind == "import"]
    assert [t.report["total_num"] for t in tasks] == [3, 3, 1]
    assert crescendo.contacts.stats["busy"] == 0 and len(imports_sent(crescendo)) == 3


def test_the_default_split_is_ten_thousand_rows(crescendo, connect):
    rows = [(f"U{i}",) for i in range(25_000)]
    cursor = connect().cursor()
    cursor.executemany("INSERT INTO contacts (line_uid) VALUES (?)", rows)
    assert cursor.rowcount == 25_000
    assert [t.report["total_num"] for t in crescendo.server.tasks.values()] == [10_000, 10_000, 5_000]


def test_imports_are_paced_to_the_rate(crescendo, connect):
    crescendo.faults.set_limits(rate_requests=2)
    connection = connect(rate_limit=2, import_rows=1)
    started = time.monotonic()
    connection.cursor().executemany("INSERT INTO contacts (line_uid) VALUES (?)", [(f"U{i}",) for i in range(5)])
    assert time.monotonic() - started >= 2 * 1.0  # 5 imports at 2 per 1 s window: two full waits
    assert crescendo.contacts.stats["rate_limited"] == 0  # paced: the server never had to refuse
    assert len(crescendo.contacts.rows) == 5


def test_a_request_slow_to_arrive_counts_from_its_answer(crescendo, connect):
    """The first import reaches the server 0.6 s after it left: counted from its start, the third
    (0 s, then at once, then 1 s) would land in the server's window with both others: a 429."""
    crescendo.faults.set_limits(rate_requests=2)
    late = Fault(kind="delay", seconds=0.6, count=1, path=wire.IMPORT_PATH, method="POST")
    with crescendo.faults.inject(late):
        connect(rate_limit=2, import_rows=1).cursor().executemany(
            "INSERT INTO contacts (line_uid) VALUES (?)", [(f"U{i}",) for i in range(3)]
        )
    assert late.count == 0  # the first import was late
    assert crescendo.contacts.stats["rate_limited"] == 0 and len(crescendo.contacts.rows) == 3


def test_a_429_is_waited_out_and_nothing_is_applied_twice(crescendo, connect):
    crescendo.faults.set_limits(rate_requests=2)
    connection = connect(import_rows=1)  # the client allows itself 15: the server refuses some
    connection.cursor().executemany("INSERT INTO contacts (line_uid) VALUES (?)", [(f"U{i}",) for i in range(4)])
    assert crescendo.contacts.stats["rate_limited"] >= 1
    assert crescendo.contacts.stats["applied"] == 4 and len(crescendo.contacts.rows) == 4


def test_mismatched_rows_raise_with_a_write_report(crescendo, connect):
    cursor = connect(import_rows=2).cursor()
    rows = [("U0", "+886912345678"), ("U1", None), ("U2", "0912"), ("U3", None), ("U4", None)]
    with pytest.raises(DataError) as caught:
        cursor.executemany("INSERT INTO contacts (line_uid, display_mobile) VALUES (?, ?)", rows)
    report = caught.value.write
    assert report.total == 5
    assert report.accepted_rows() == [0, 1, 3]
    assert "E.164" in report.why(2)
    assert report.why(4).startswith("not sent")
    assert caught.value.reason == "row_refused"
    assert sorted(crescendo.contacts.index["line_uid"]) == ["U0", "U1", "U3"]  # U4 was never sent


def test_a_failed_task_applies_nothing_and_says_why(crescendo, connect):
    cursor = connect().cursor()
    with pytest.raises(DataError) as caught:
        cursor.executemany("INSERT INTO contacts (line_uid) VALUES (?)", [("U1",), ("U1",), ("U2",)])
    report = caught.value.write
    assert report.accepted == ()
    assert "duplicate_error" in report.why(1) and "failed as a whole" in report.why(0)
    assert crescendo.contacts.rows == {}


def test_a_blank_match_key_stops_the_statement_before_anything_is_sent(crescendo, connect):
    cursor = connect().cursor()
    with pytest.raises(DataError) as caught:
        cursor.executemany("INSERT INTO contacts (line_uid, display_name) VALUES (?, ?)", [("U1", "a"), (None, "b")])
    assert caught.value.write.rejected_rows() == [1]
    with pytest.raises(DataError, match="match key line_uid"):
        cursor.execute("INSERT INTO contacts (display_name) VALUES ('x')")
    assert imports_sent(crescendo) == []


def test_another_import_key(crescendo, connect):
    crescendo.contacts.add(customer_id="C1", display_name="Ann")
    connect(import_key="customer_id").cursor().execute(
        "INSERT INTO contacts (customer_id, display_name) VALUES ('C1', 'Anna')"
    )
    assert crescendo.contacts.find("customer_id", "C1")["display_name"] == "Anna"
    assert len(crescendo.contacts.rows) == 1


def test_read_only_columns_are_refused(connect):
    with pytest.raises(ProgrammingError, match="set by Crescendo Lab"):
        connect().cursor().execute("INSERT INTO contacts (line_uid, id) VALUES ('U1', 5)")


def test_a_503_on_an_import_is_retried_and_applied_once(crescendo, connect):
    crescendo.faults.add(path="/contact/import/$", method="POST", status=503)
    crescendo.faults.add(path="/contact/import/.+/$", method="GET", status=502)
    connect().cursor().executemany("INSERT INTO contacts (line_uid) VALUES (?)", [("U1",), ("U2",)])
    assert crescendo.contacts.stats["applied"] == 2 and crescendo.faults.stats


def test_a_broken_import_request_is_reported_not_repeated(crescendo, connect):
    crescendo.faults.add(kind="reset", path="/contact/import/$", method="POST")
    with pytest.raises(OperationalError) as caught:
        connect().cursor().executemany("INSERT INTO contacts (line_uid) VALUES (?)", [("U1",), ("U2",)])
    assert caught.value.write.rejected_rows() == [0, 1]
    assert "unknown" in caught.value.write.why(0)


def test_reading_contacts_runs_an_export_and_warns_it_may_be_stale(crescendo, connect):
    crescendo.contacts.add(line_uid="U1", display_name="Ann", birthday="1990-01-02")
    cursor = connect().cursor()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cursor.execute("SELECT id, line_uid, display_name, birthday, updated_at FROM contacts")
        rows = cursor.fetchall()
    assert rows[0][:4] == (1, "U1", "Ann", dt.date(1990, 1, 2))
    assert rows[0][4].tzinfo is not None
    assert any(issubclass(w.category, StaleDataWarning) for w in caught)
    assert [p for m, p, _ in crescendo.requests if m == "POST"] == ["/openapi/v1/contact/export/"]


def test_a_100000_row_to_sql_respects_the_rate_and_applies_every_row_once(crescendo):
    pd = pytest.importorskip("pandas")
    import sqlalchemy as sa

    window = 1.5  # 15 imports per 1.5 s: unpaced, 2,000-row imports would exceed it
    crescendo.faults.set_limits(rate_window_seconds=window)
    url = sa.engine.URL.create(
        "crescendolab", password=crescendo.token, host="127.0.0.1", port=int(crescendo.base_url.rsplit(":", 1)[1])
    )
    engine = sa.create_engine(
        url, connect_args={"ca_bundle": crescendo.ca_path, "rate_window_seconds": window, "import_rows": 2_000}
    )
    frame = pd.DataFrame({"line_uid": [f"U{i}" for i in range(100_000)], "display_name": "n"})
    started = time.monotonic()
    written = frame.to_sql("contacts", engine, if_exists="append", index=False)
    elapsed = time.monotonic() - started
    assert written == 100_000
    assert len(imports_sent(crescendo)) == 50 and elapsed >= 3 * window  # 50 imports at 15 a window
    assert crescendo.contacts.stats["rate_limited"] == 0
    assert crescendo.contacts.stats["created"] == 100_000 and len(crescendo.contacts.rows) == 100_000
    engine.dispose()


def test_a_column_not_named_is_not_sent(crescendo, connect):
    crescendo.contacts.add(line_uid="U1", gender="male")
    connect().cursor().execute("INSERT INTO contacts (line_uid, display_name) VALUES ('U1', 'x')")
    assert crescendo.contacts.find("line_uid", "U1")["gender"] == "male"


def test_an_import_over_10_mb_is_split_until_each_part_fits(crescendo, connect):
    rows = [(f"U{i}", "x" * 1_100) for i in range(10_000)]  # ~11.5 MB as one import: the server would say 413
    cursor = connect().cursor()
    cursor.executemany("INSERT INTO contacts (line_uid, display_name) VALUES (?, ?)", rows)
    assert cursor.rowcount == 10_000
    assert [t.report["total_num"] for t in crescendo.server.tasks.values()] == [5_000, 5_000]


def test_a_long_import_shows_progress(crescendo, connect, capsys, caplog):
    caplog.set_level("INFO", logger="cdpdb.backends.crescendolab.imports")
    cursor = connect(progress=True, import_rows=2).cursor()
    cursor.executemany("INSERT INTO contacts (line_uid) VALUES (?)", [(f"U{i}",) for i in range(5)])
    err = capsys.readouterr().err
    assert "contacts import" in err and "5/5" in err  # the tqdm bar
    assert "imported contacts rows 4-4 of 5 (task 3 of 3)" in caplog.text
