"""What the scale-out tests share: one query, its single-process answer, and the exactness check."""

from __future__ import annotations

import pyarrow as pa
import pytest

SQL = 'SELECT * FROM "ssot__EmailEngagement__dlm"'  # 5,000 rows at the session's scale
KEY = "ssot__Id__c"


@pytest.fixture(scope="session")
def reference(cloud) -> pa.Table:
    """The result read by cdpdb's single-process ``fetch_arrow_table``, in key order."""
    import cdpdb

    with cdpdb.connect(**cloud.connect_args()) as conn:
        return conn.cursor().execute(SQL).fetch_arrow_table().sort_by(KEY)


def assert_same_rows(union: pa.Table, reference: pa.Table) -> None:
    """Same multiset of rows: no duplicate, none missing, every value equal."""
    keys = union.column(KEY).to_pylist()
    assert len(keys) == len(set(keys)), f"{len(keys) - len(set(keys))} duplicate rows"
    assert union.num_rows == reference.num_rows
    assert union.sort_by(KEY).equals(reference)
