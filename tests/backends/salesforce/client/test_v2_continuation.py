"""A V2 result read partly in one process and finished in another, through its continuation —
every row once, none twice — and the batch id's single use said loudly."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import cdpdb

SQL = 'SELECT "ssot__Id__c", "ssot__GrandTotalAmount__c" FROM "ssot__SalesOrder__dlm" ORDER BY 1'

CONTINUE = """
import json, sys, cdpdb
args, token = json.loads(sys.argv[1]), sys.argv[2]
with cdpdb.connect(**args) as conn:
    cur = conn.cursor()
    cur.get_results(token)
    print(json.dumps([[r[0], str(r[1])] for r in cur.fetchall()]))
"""


def test_another_process_reads_the_rest(cloud, connect):
    args = cloud.connect_args(api="v2")
    with cloud.faults.inject(v2_batch_rows=700):
        with connect(api="v2") as conn:
            cur = conn.cursor()
            cur.execute(SQL, max_batches=2)
            with pytest.raises(cdpdb.InterfaceError, match="read every row"):
                _ = cur.continuation
            head = [[r[0], str(r[1])] for r in cur.fetchall()]
            token = cur.continuation
            everything = [[r[0], str(r[1])] for r in conn.cursor().execute(SQL).fetchall()]
        assert len(head) == 1400 and token
        done = subprocess.run(
            [sys.executable, "-c", CONTINUE, json.dumps(args), token], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert head + json.loads(done.stdout) == everything and len(everything) > 2000
        with connect(api="v2") as again, pytest.raises(cdpdb.Error, match="single-use"):
            again.cursor().get_results(token)


def test_a_result_that_fits_leaves_no_continuation(connect):
    with connect(api="v2") as conn:
        cur = conn.cursor().execute('SELECT 1 AS "one"', max_batches=1)
        assert cur.fetchall() == [(1,)] and cur.continuation is None


def test_options_an_api_does_not_take_are_refused(connect):
    with connect(api="v3") as conn, pytest.raises(cdpdb.ProgrammingError, match="max_batches do not apply to api='v3'"):
        conn.cursor().execute("SELECT 1", max_batches=1)
    with connect(api="v2") as conn, pytest.raises(cdpdb.ProgrammingError, match="at least 1"):
        conn.cursor().execute("SELECT 1", max_batches=0)
