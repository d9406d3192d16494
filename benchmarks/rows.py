"""Arrow → Python rows (what ``fetchall()`` does with each page) against the DataFrame of the
same table and pyarrow's own ``to_pylist``, on one synthetic result.

    python benchmarks/rows.py [--rows 1000000] [--repeat 3]

Columns as Data Cloud results have them: text, NUMERIC(38,2), DATE (5 % nulls), TIMESTAMP WITH
TIME ZONE, BIGINT, DOUBLE, BOOLEAN. No server: this measures the client's conversion alone.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.core.results.rows import python_rows


def table(rows: int) -> pa.Table:
    rng = np.random.default_rng(1)
    return pa.table(
        {
            "text": pa.array([f"id{i}" for i in range(rows)]),
            "numeric": pc.cast(pa.array(rng.integers(1, 10**9, rows)), pa.decimal128(38, 2)),
            "date": pa.array(rng.integers(0, 20_000, rows).astype("int32"), mask=rng.random(rows) < 0.05).cast(
                pa.date32()
            ),
            "timestamptz": pa.array(rng.integers(0, 1_700_000_000_000_000, rows), pa.timestamp("us", tz="UTC")),
            "bigint": pa.array(rng.integers(0, 10**6, rows)),
            "double": pa.array(rng.random(rows)),
            "boolean": pa.array(rng.random(rows) < 0.5),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = table(args.rows)
    ways = {
        "cdpdb python_rows (fetchall)": lambda: python_rows(data),
        "pyarrow Table.to_pylist (dicts)": data.to_pylist,
        "pyarrow Table.to_pandas": data.to_pandas,
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.repeat):  # interleaved, so machine noise spreads over every way
        for name, way in ways.items():
            started = time.perf_counter()
            way()
            times[name].append(time.perf_counter() - started)
    frame = statistics.median(times["pyarrow Table.to_pandas"])
    print(f"{args.rows:,} rows x 7 columns, median of {args.repeat}\n")
    print("| conversion | median s | / DataFrame |")
    print("|---|---:|---:|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {median / frame:.2f} |")


if __name__ == "__main__":
    main()
