"""The local Data Cloud's JSON rows, encoded lazily in blocks: the same bytes, page sizes and
byte counts as one encoding of the whole result (what it sent before), and the first page does
not wait for the whole result to be encoded."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pyarrow as pa
import pytest

from cdpdb.backends.salesforce.local.encoding import JsonRows, json_fragments

N = 500


def _table() -> pa.Table:
    n = range(N)
    return pa.table(
        {
            "text": pa.array([None if i % 7 == 0 else f'v{i}"\\\n\x01é😀' if i % 2 else f"plain{i}" for i in n]),
            "plain": pa.array([None if i % 4 == 0 else f"abc{i}" for i in n]),
            "no_nulls": pa.array([f"abc{i}" if i % 3 else 'say "hi"' for i in n]),  # quoted in the row join
            "int": pa.array([None if i % 5 == 0 else i * 12345678901 for i in n], pa.int64()),
            "double": pa.array(
                [
                    float("nan") if i % 11 == 0 else -0.0 if i % 13 == 0 else float("inf") if i % 17 == 0 else i / 3
                    for i in n
                ]
            ),
            "decimal": pa.array([Decimal(i) / 100 for i in n], pa.decimal128(18, 2)),
            "bool": pa.array([None if i % 3 == 0 else i % 2 == 0 for i in n]),
            "date": pa.array([dt.date(1, 1, 1) + dt.timedelta(days=i * 1000) for i in n]),
            "stamp": pa.array(
                [dt.datetime(1960, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=i * 1000.5) for i in n],
                pa.timestamp("us", tz="UTC"),
            ),
            "list": pa.array([[1, 2] if i % 2 else None for i in n]),
        }
    )


@pytest.mark.parametrize("mode", ["string", "number", "typed"])
@pytest.mark.parametrize("block_rows", [1, 7, 64, 499])
def test_blocks_give_the_bytes_of_one_whole_encoding(mode, block_rows):
    table = _table()
    modes = [mode] * table.num_columns
    whole, blocks = JsonRows(table, modes, block_rows=N), JsonRows(table, modes, block_rows=block_rows)
    fragments = [json_fragments(column, mode).to_pylist() for column in table.columns]
    rows = ["[" + ",".join(values) + "]" for values in zip(*fragments, strict=True)]
    assert whole.array_bytes(0, N) == ("[" + ",".join(rows) + "]").encode()  # the page text, built apart
    assert blocks.array_bytes(5, 9) == ("[" + ",".join(rows[5:9]) + "]").encode()
    for start, stop in [(0, N), (1, N // 2), (63, 129), (N - 1, N), (10, 10)]:
        assert blocks.array_bytes(start, stop) == whole.array_bytes(start, stop), (start, stop)
        assert blocks.nbytes(start, stop) == whole.nbytes(start, stop)
    for start in (0, 3, 250, N - 1, N):
        for limit in (1, 50, 1000, 40_000, 1 << 30):
            for rows in (None, 1, 100):
                assert blocks.rows_within(start, limit, rows) == whole.rows_within(start, limit, rows)


def test_the_first_page_does_not_wait_for_the_whole_result():
    table = _table()
    rows = JsonRows(table, ["typed"] * table.num_columns, block_rows=50)
    count = rows.rows_within(0, 2_000)
    assert 0 < count < 50 and len(rows._blocks) == 1  # only the block the first page needs
    assert rows.array_bytes(0, count).startswith(b"[[")
    deadline = time.monotonic() + 30
    while len(rows._blocks) < N // 50 and time.monotonic() < deadline:  # the rest, in the background
        time.sleep(0.01)
    assert len(rows._blocks) == N // 50
