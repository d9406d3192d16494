"""The Crescendo Lab import benchmark: a DataFrame of contacts imported with ``to_sql`` into a local
Crescendo Lab under the documented limits (10,000 rows per import, one import at a time, 15 imports a
minute), then checked: every row created exactly once.

    pip install -e ".[test,bench]"
    python benchmarks/crescendolab.py                # 100,000 rows, 3 runs
    python benchmarks/crescendolab.py --rows 20000 --runs 1

Each run gets a fresh local server (HTTPS, in this process), so its minute of 15 imports starts
empty: 100,000 rows are 10 imports and never wait for the rate; past 150,000 rows a run would wait
out the minute (the computed ceiling, 15 x 10,000 rows a minute = 2,500 rows/s, is printed beside).
Prints a markdown table of medians.
"""

from __future__ import annotations

import argparse
import statistics
import time


def run(rows: int) -> dict[str, float]:
    import pandas as pd
    import sqlalchemy as sa

    from cdpdb.backends.crescendolab.local import LocalCrescendo

    with LocalCrescendo() as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        url = sa.engine.URL.create("crescendolab", password=server.token, host="127.0.0.1", port=port)
        engine = sa.create_engine(url, connect_args={"ca_bundle": server.ca_path})
        frame = pd.DataFrame(
            {
                "line_uid": [f"U{i:09d}" for i in range(rows)],
                "display_name": [f"name {i}" for i in range(rows)],
                "display_email": [f"user{i}@example.com" for i in range(rows)],
                "customer_id": [f"C{i}" for i in range(rows)],
            }
        )
        started = time.perf_counter()
        written = frame.to_sql("contacts", engine, if_exists="append", index=False)
        seconds = time.perf_counter() - started
        engine.dispose()
        stats = server.contacts.stats
        if written != rows or stats["created"] != rows or len(server.contacts.rows) != rows:
            raise SystemExit(f"lost or repeated rows: to_sql {written}, created {stats['created']} of {rows}")
        imports = stats["imports"]
    return {"seconds": seconds, "rows_per_s": rows / seconds, "imports": imports}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = [run(args.rows) for _ in range(args.runs)]
    seconds = statistics.median(r["seconds"] for r in results)
    print(f"### {args.rows:,} contacts through to_sql, median of {args.runs}\n")
    print("| where | imports | median s | rows/s |")
    print("|---|---:|---:|---:|")
    print(f"| local server (measured) | {results[0]['imports']:.0f} | {seconds:.2f} | {args.rows / seconds:,.0f} |")
    print("| real limits, sustained (computed: 15 imports/min x 10,000 rows) | 15/min | — | 2,500 |")
    print("\nruns (s): " + ", ".join(f"{r['seconds']:.2f}" for r in results))


if __name__ == "__main__":
    main()
