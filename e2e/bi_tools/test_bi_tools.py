"""jupysql's ``%sql cdp://...`` in IPython and Streamlit's ``st.connection(type="sql")``, as a user
runs them, against the embedded local Data Cloud (``cdp://local``: the same seed, the same data
in every process). Expected numbers: raw rows fetched through cdpdb here, counted in Python.
Run by ``.ci/bi-tools`` in its own venv (these tools' current releases, SQLAlchemy 2.x)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

HERE = Path(__file__).parent
URL = "cdp://local?scale=1000"


@pytest.fixture(scope="module")
def counts() -> Counter:
    engine = sa.create_engine(URL)
    with engine.connect() as conn:
        statuses = [
            r[0] for r in conn.execute(sa.text('SELECT "ssot__SalesOrderStatusId__c" FROM "ssot__SalesOrder__dlm"'))
        ]
    engine.dispose()
    return Counter(statuses)


def test_jupysql_magic_in_ipython(counts):
    ipython = Path(sys.executable).with_name("ipython")
    done = subprocess.run(
        [str(ipython), "--no-banner", "--colors=NoColor", str(HERE / "jupysql_session.ipy")],
        capture_output=True,
        text=True,
        timeout=300,
        # IPython adds an activated virtualenv's packages to its own (CI activates the main .venv,
        # whose pyspark then breaks jupysql's import): this IPython sees its own venv only.
        env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
    )
    assert done.returncode == 0, f"ipython exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    lines = done.stdout.splitlines()
    rows = next(line for line in lines if line.startswith("ROWS\t")).split("\t", 1)[1]
    assert ast.literal_eval(rows) == dict(counts)
    listed = done.stdout.split("TABLES", 1)[1]
    assert "ssot__EmailEngagement__dlm" in listed and "ssot__SalesOrder__dlm" not in listed  # the marketing dataspace


def test_streamlit_sql_connection(counts):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(HERE / "streamlit_app.py"), default_timeout=120).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.metric[0].value == str(sum(counts.values()))
    shown = {(s if isinstance(s, str) else None): int(n) for s, n in app.dataframe[0].value.itertuples(index=False)}
    assert shown == dict(counts)
