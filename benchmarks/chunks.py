"""The V3 chunk-download phase alone: one finished result read again and again by
``get_results(query_id)`` with 1, 2, 4 and 8 chunk downloads at once.

    pip install -e ".[test,bench]"
    python benchmarks/chunks.py                                  # 1,000,000 rows, 20 chunks, 50 ms
    python benchmarks/chunks.py --rows 1000000 --chunk-rows 50000 --latency-ms 50 --repeat 3

The local Data Cloud runs in its own process, so the client's threads and the server do not share
one interpreter. The query runs once (``execute_async``, then its status is waited for); each
timing is ``get_results(query_id).fetch_arrow_table()`` alone — status, schema and every chunk —
so login and query are out of it. That phase is what parallel downloads can shorten.
"""

from __future__ import annotations

import argparse
import statistics
import time

WORKERS = (1, 2, 4, 8)


def main() -> None:
    from _server import ServerProcess

    import cdpdb

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sql = f'SELECT * FROM "ssot__EmailEngagement__dlm" LIMIT {args.rows}'
    times: dict[int, list[float]] = {workers: [] for workers in WORKERS}
    with ServerProcess(scale=args.rows // 5, v3_chunk_rows=args.chunk_rows, latency_ms=args.latency_ms) as server:
        connections = {w: cdpdb.connect(**server.info["connect_args"], max_workers=w) for w in WORKERS}
        query_id = connections[1].cursor().execute_async(sql)
        for _ in range(args.repeat):  # interleaved: noise falls on every worker count alike
            for workers, conn in connections.items():
                cursor = conn.cursor()
                started = time.perf_counter()
                table = cursor.get_results(query_id).fetch_arrow_table()
                times[workers].append(time.perf_counter() - started)
                assert table.num_rows == args.rows, table.num_rows
    serial = statistics.median(times[1])
    print(
        f"\nV3 chunk-download phase: {args.rows:,} rows in chunks of {args.chunk_rows:,}, "
        f"{args.latency_ms:g} ms per request, median of {args.repeat}\n"
    )
    print("| downloads at once | median s | speedup vs 1 |")
    print("|---:|---:|---:|")
    for workers, values in times.items():
        median = statistics.median(values)
        print(f"| {workers} | {median:.3f} | {serial / median:.2f} |")


if __name__ == "__main__":
    main()
