"""The import's error paths where the service's own report fails us: a mismatch report that cannot
be downloaded, and a task report whose counts do not add up. Either way the statement raises, and
its WriteReport says exactly which rows were accepted (earlier tasks), which are unknown (this
task) and which were never sent (later tasks). The local server injects both faults."""

from __future__ import annotations

import pytest

from cdpdb.exceptions import Error, InternalError, OperationalError

# Five rows in tasks of two: task 1 (rows 0-1) applies cleanly, task 2 (rows 2-3) has row 2
# mismatched (not E.164), row 4 is for a third task that must never be sent.
ROWS = [("U0", None), ("U1", None), ("U2", "0912"), ("U3", None), ("U4", None)]
INSERT = "INSERT INTO contacts (line_uid, display_mobile) VALUES (?, ?)"


@pytest.mark.parametrize(("status", "attempts"), [(503, 2), (404, 1)])
def test_a_mismatch_report_that_cannot_be_downloaded_fails_the_write(crescendo, connect, status, attempts):
    crescendo.faults.add(path="^/files/", method="GET", status=status, count=-1)
    injected = crescendo.faults.stats.get("faults_injected", 0)  # the module's server counts from its start
    cursor = connect(import_rows=2, max_retries=1, retry_max_seconds=1).cursor()
    with pytest.raises(OperationalError) as caught:
        cursor.executemany(INSERT, ROWS)
    error = caught.value
    assert error.reason == "report_unavailable" and error.status == status and error.query_id
    assert f"HTTP {status}" in error.message and "applied 1 of 2 rows and mismatched 1" in error.message
    report = error.write
    assert report.total == 5
    assert report.accepted_rows() == [0, 1]  # task 1; task 2's applied row is not claimed
    assert report.rejected_rows() == [2, 3, 4]
    assert "unknown" in report.why(2) and "unknown" in report.why(3)
    assert report.why(4).startswith("not sent")
    assert crescendo.faults.stats["faults_injected"] - injected == attempts  # a 5xx is retried, a 404 is not
    assert sorted(crescendo.contacts.index["line_uid"]) == ["U0", "U1", "U3"]  # the server applied U3
    assert len([t for t in crescendo.server.tasks.values() if t.kind == "import"]) == 2  # no third task


def test_a_download_that_fails_once_is_retried_and_the_mismatches_are_reported(crescendo, connect):
    crescendo.faults.add(path="^/files/", method="GET", status=503)
    injected = crescendo.faults.stats.get("faults_injected", 0)
    cursor = connect(import_rows=2, max_retries=1, retry_max_seconds=1).cursor()
    with pytest.raises(Error) as caught:
        cursor.executemany(INSERT, ROWS)
    assert caught.value.reason == "row_refused"
    assert caught.value.write.accepted_rows() == [0, 1, 3] and "E.164" in caught.value.write.why(2)
    assert crescendo.faults.stats["faults_injected"] - injected == 1
    assert [p for m, p, _ in crescendo.requests if p.startswith("/files/")] != []  # the retry got through


@pytest.mark.parametrize("by", [1, -1])
def test_a_task_report_whose_counts_do_not_add_up_is_an_error(crescendo, connect, by):
    crescendo.miscount(created=by)
    cursor = connect(import_rows=2).cursor()
    with pytest.raises(InternalError) as caught:
        cursor.executemany("INSERT INTO contacts (line_uid) VALUES (?)", [("U0",), ("U1",), ("U2",)])
    error = caught.value
    assert error.reason == "bad_answer" and error.query_id
    assert f"{2 + by} created + 0 updated + 0 mismatched of 2 rows sent" in error.message
    report = error.write
    assert report.accepted == ()  # counts that do not add up prove nothing about any row
    assert "unknown" in report.why(0) and "unknown" in report.why(1)
    assert report.why(2).startswith("not sent")
    assert len([t for t in crescendo.server.tasks.values() if t.kind == "import"]) == 1


def test_a_later_task_that_miscounts_keeps_the_earlier_tasks_accepted(crescendo, connect):
    cursor = connect(import_rows=2).cursor()
    cursor.executemany("INSERT INTO contacts (line_uid) VALUES (?)", [("U0",), ("U1",)])
    assert cursor.rowcount == 2
    crescendo.miscount(updated=-1)
    with pytest.raises(InternalError) as caught:
        cursor.executemany("INSERT INTO contacts (line_uid) VALUES (?)", [("U0",), ("U1",), ("U2",), ("U3",)])
    assert caught.value.write.accepted == ()  # the first task of this statement is the one miscounted
    assert caught.value.write.rejected_rows() == [0, 1, 2, 3]


def test_a_mismatch_report_listing_fewer_rows_than_counted_is_an_error(crescendo, connect):
    crescendo.miscount(created=-1, mismatched=1)  # still 2 rows in all, but 2 mismatches of which 1 listed
    cursor = connect(import_rows=2).cursor()
    with pytest.raises(InternalError) as caught:
        cursor.executemany(INSERT, [("U0", None), ("U1", "0912"), ("U2", None)])
    assert (
        caught.value.reason == "bad_answer"
        and "reports 2 mismatched rows but its report lists 1" in caught.value.message
    )
    assert caught.value.write.accepted == () and "unknown" in caught.value.write.why(0)
    assert caught.value.write.why(2).startswith("not sent")
