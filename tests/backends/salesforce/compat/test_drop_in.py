"""The same user scripts through Salesforce's connectors and through cdpdb.compat agree.

Each script of :mod:`scripts` runs, unchanged, through the pinned official connector and through
its cdpdb replacement — both in subprocesses of the same harness
(``tests/backends/salesforce/client/official_clients.py``), against one local Data Cloud with
small V2 batches and Connect pages, so every result spans several of them. The outputs are
compared value by value; where they differ, the difference must be one that docs/migrating.md
documents (by id), and the rule checks the corrected value's type, so nothing else can hide
behind it.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from cdpdb.local import Limits, serve
from tests.backends.salesforce.compat import scripts
from tests.backends.salesforce.compat.compare import (
    Raised,
    Report,
    compare_cdp_description,
    compare_dc_description,
    compare_frames,
    compare_rows,
    decode,
    server_message,
)

HARNESS = Path(__file__).parents[1] / "client" / "official_clients.py"
GUIDE = Path(__file__).parents[4] / "docs" / "migrating.md"


@pytest.fixture(scope="module")
def cloud():
    """Small V2 batches and Connect pages: the 1,500-row results span several of each."""
    with serve(scale=300, seed=5, limits=Limits(v2_batch_bytes=60_000, connect_page_bytes=60_000)) as instance:
        yield instance


def _run(cloud, connector: str, impl: str, sources: dict[str, str]) -> dict:
    creds = cloud.credentials
    args = {
        "login_url": cloud.login_url,
        "username": creds.username,
        "password": creds.password,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
    }
    job = {"client": "scripts", "connector": connector, "impl": impl, "scripts": sources, "args": args}
    # The scripts' arguments are the same for both; cdpdb verifies TLS, so it is told the local CA
    # the way a user would tell it without touching the script (docs: CDP-12).
    env = {**os.environ, "CDPDB_CA_BUNDLE": cloud.ca_path}
    done = subprocess.run(
        [sys.executable, str(HARNESS), json.dumps(job)], capture_output=True, text=True, timeout=600, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {name: (decode(out["result"]), decode(out["raised"])) for name, out in json.loads(done.stdout).items()}


@pytest.fixture(scope="module")
def cdp(cloud) -> dict:
    return {impl: _run(cloud, "cdp", impl, scripts.CDP) for impl in ("official", "compat")}


@pytest.fixture(scope="module")
def datacloud(cloud) -> dict:
    return {impl: _run(cloud, "datacloud", impl, scripts.DATACLOUD) for impl in ("official", "compat")}


def _pair(runs: dict, name: str) -> tuple[dict, dict]:
    (old, _), (new, new_raised) = runs["official"][name], runs["compat"][name]
    assert new_raised is None, new_raised
    return old, new


def _done(report: Report, *expected: str) -> None:
    """No unexplained difference, and the corrections ``expected`` were really needed."""
    report.assert_clean()
    assert set(expected) <= report.used, sorted(set(expected) - report.used)


# -- salesforce-cdp-connector 1.0.20 -------------------------------------------------------------


def test_cdp_fetchall(cdp):
    (old, raised), new = cdp["official"]["fetchall"], cdp["compat"]["fetchall"][0]
    assert raised is None and len(new["rows"]) == 1500
    report = Report()
    compare_cdp_description(report, old["description"], new["description"], new["rows"])
    compare_rows(report, "rows", old["rows"], new["rows"], [d[1] for d in old["description"]], cdp=True)
    _done(report, "CDP-1", "CDP-2", "CDP-3", "CDP-4")


def test_cdp_paging(cdp):
    """fetchone, then fetchmany(700) until an empty page: the old cursor raised on the call after
    a short page (CDP-9); the rows it gave before are the same."""
    (old, raised), new = cdp["official"]["paging"], cdp["compat"]["paging"][0]
    assert isinstance(raised, Raised) and raised.cls == "Error" and "No results" in raised.message
    types = [d[1] for d in old["description"]]
    report = Report()
    compare_cdp_description(report, old["description"], new["description"], new["rows"])
    report.check(old["pages"] == new["pages"] and new["pages"][-1] < 700, "pages", old["pages"], new["pages"])
    compare_rows(report, "first", [old["first"]], [new["first"]], types, cdp=True)
    compare_rows(report, "rows", old["rows"], new["rows"], types, cdp=True)
    _done(report)


def test_cdp_aggregate(cdp):
    old, new = _pair(cdp, "aggregate")
    assert cdp["official"]["aggregate"][1] is None
    report = Report()
    compare_cdp_description(report, old["description"], new["description"], new["rows"])
    compare_rows(report, "rows", old["rows"], new["rows"], [d[1] for d in old["description"]], cdp=True)
    _done(report)


@pytest.mark.parametrize("name", ["pandas", "pandas_empty"])
def test_cdp_pandas(cdp, name):
    old, new = _pair(cdp, name)
    assert cdp["official"][name][1] is None
    report = Report()
    compare_frames(report, "frame", old["frame"], new["frame"], "CDP-5")
    _done(report, "CDP-5")


def test_cdp_list_tables(cdp):
    """The Metadata API's objects, filtered by the server: every attribute identical."""
    old, new = _pair(cdp, "list_tables")
    assert cdp["official"]["list_tables"][1] is None
    assert old == new
    assert old["one"][0][0] == "ssot__SalesOrder__dlm" and old["insights"] and old["engagement"]


def test_cdp_bad_query(cdp):
    """The old connector raised a bare Error; cdpdb the PEP 249 class, still an Error (CDP-7)."""
    old, new = _pair(cdp, "bad_query")
    assert "rows" not in old and "rows" not in new
    assert old["error"].cls == "Error" and new["error"].cls == "ProgrammingError"
    assert "Error" in new["error"].bases and "DatabaseError" in new["error"].bases
    assert server_message(old["error"]) in new["error"].message


def test_cdp_parameters(cdp):
    """The old connector refused parameters with a plain Exception; cdpdb binds them (CDP-8),
    giving what the old connector gives for the same query with the value written in."""
    raised = cdp["official"]["parameters"][1]
    assert isinstance(raised, Raised) and raised.cls == "Exception" and "Parameters" in raised.message
    bound = cdp["compat"]["parameters"][0]["rows"]
    inlined_old, inlined_new = _pair(cdp, "parameters_inlined")
    report = Report()
    compare_rows(report, "bound", inlined_old["rows"], bound, ["VARCHAR", "VARCHAR"], cdp=True)
    compare_rows(report, "inlined", inlined_old["rows"], inlined_new["rows"], ["VARCHAR", "VARCHAR"], cdp=True)
    _done(report)
    assert bound and any("'" in row[1] for row in bound)  # a quote in a value survives binding


# -- salesforce-datacloud-connector 2.0.0b1 ------------------------------------------------------


def test_datacloud_fetchall(datacloud):
    old, new = _pair(datacloud, "fetchall")
    report = Report()
    compare_dc_description(report, old["description"], new["description"])
    compare_rows(report, "rows", old["rows"], new["rows"], [d[1] for d in new["description"]], cdp=False)
    _done(report)
    assert old["rowcount"] == -1 and new["rowcount"] == len(new["rows"]) == 1500  # DC-4


@pytest.mark.parametrize("name", ["paging", "iterate"])
def test_datacloud_paging_and_iteration(datacloud, name):
    old, new = _pair(datacloud, name)
    types = [d[1] for d in datacloud["compat"]["paging"][0]["description"]]
    report = Report()
    for key in ("first",) if name == "paging" else ():
        compare_rows(report, key, [old[key]], [new[key]], types, cdp=False)
    compare_rows(report, "rows", old["rows"], new["rows"], types, cdp=False)
    if name == "paging":
        report.check(old["pages"] == new["pages"], "pages", old["pages"], new["pages"])
        report.check(old["after_end"] == new["after_end"] == [None, [], []], "after the end", old, new)
    _done(report)


def test_datacloud_aggregate(datacloud):
    old, new = _pair(datacloud, "aggregate")
    report = Report()
    compare_dc_description(report, old["description"], new["description"])
    compare_rows(report, "rows", old["rows"], new["rows"], [d[1] for d in new["description"]], cdp=False)
    _done(report, "DC-1", "DC-2")  # the script does reach the corrected types


def test_datacloud_pandas(datacloud):
    old, new = _pair(datacloud, "pandas")
    report = Report()
    compare_frames(report, "frame", old["frame"], new["frame"], "DC-5")
    _done(report, "DC-5")


def test_datacloud_list_tables(datacloud):
    """pg_catalog's tables and columns: identical but for type names (DC-11: a text column is
    'Varchar', as the query APIs' own metadata calls it, not 'Text')."""
    old, new = _pair(datacloud, "list_tables")
    renamed = {"Text": "Varchar"}

    def corrected(summary):
        name, display, category, dataspace, fields = summary
        return [name, display, category, dataspace, [[f[0], f[1], renamed.get(f[2], f[2]), *f[3:]] for f in fields]]

    for key in ("all", "sales"):
        assert [corrected(t) for t in old[key]] == new[key], key
    for key in ("one", "qualified"):
        assert corrected(old[key]) == new[key], key
    for key in ("tables_only", "views_only", "public", "field", "missing"):
        assert old[key] == new[key], key
    assert old["field"] == 18 and old["missing"] is None and len(old["all"]) == old["public"] > 5


def test_datacloud_bad_query(datacloud):
    old, new = _pair(datacloud, "bad_query")
    for key in ("error", "syntax"):
        assert old[key].cls == new[key].cls == "ProgrammingError", key
        assert server_message(old[key]) in new[key].message  # DC-6: the message, not the raw body
        assert not new[key].message.startswith("[{")


def test_datacloud_bad_arguments(datacloud):
    """Still a ValueError, now also the PEP 249 ProgrammingError (DC-7)."""
    old, new = _pair(datacloud, "bad_arguments")
    for key in ("missing", "unknown"):
        assert old[key].cls == "ValueError" and {"ValueError", "ProgrammingError"} <= set(new[key].bases)
    assert new["missing"].message.startswith(old["missing"].message)
    assert "kerberos" in old["unknown"].message and "kerberos" in new["unknown"].message


def test_datacloud_parameters(datacloud):
    old, new = _pair(datacloud, "parameters")
    report = Report()
    compare_rows(report, "rows", old["rows"], new["rows"], ["Varchar", "Numeric"], cdp=False)
    _done(report)
    assert new["rows"] and all(row[1] > 250 for row in new["rows"])


# -- the comparison itself -----------------------------------------------------------------------


def test_the_comparison_sees_a_changed_value(cdp, datacloud):
    """Not vacuous: a cent more in one decimal, or one row fewer, is reported."""
    old, new = cdp["official"]["fetchall"][0], cdp["compat"]["fetchall"][0]
    types = [d[1] for d in old["description"]]
    row = next(i for i, r in enumerate(new["rows"]) if isinstance(r[6], Decimal))
    changed = [list(r) for r in new["rows"]]
    changed[row][6] += Decimal("0.01")
    report = Report()
    compare_rows(report, "rows", old["rows"], changed, types, cdp=True)
    assert len(report.problems) == 1 and "(DECIMAL)" in report.problems[0]
    report = Report()
    frame_old, frame_new = datacloud["official"]["pandas"][0]["frame"], datacloud["compat"]["pandas"][0]["frame"]
    shorter = copy.deepcopy(frame_new)
    shorter.values[0].pop()
    compare_frames(report, "frame", frame_old, shorter, "DC-5")
    assert report.problems


def test_every_correction_the_comparison_allows_is_documented():
    """Each correction id the comparison rules and these tests rely on is in docs/migrating.md."""
    ids = re.compile(r"\b((?:CDP|DC)-\d+)\b")
    cited = set(ids.findall(Path(__file__).read_text() + Path(__file__).with_name("compare.py").read_text()))
    assert {"CDP-1", "DC-1"} <= cited
    assert cited <= set(ids.findall(GUIDE.read_text())), sorted(cited - set(ids.findall(GUIDE.read_text())))
