"""Scale-out benchmark: one V3 result read by 1, 2 and 4 worker processes of Ray, Dask and Spark,
against cdpdb's single-process ``fetch_arrow_table``.

    pip install -e ".[test]"          # includes the ray, dask and spark extras (Spark needs Java)
    python benchmarks/scaleout.py --rows 10000000 --latency-ms 50 --repeat 3
    python benchmarks/scaleout.py --rows 200000 --repeat 1 --engines dask   # a quick look

The local Data Cloud runs in its own process (so the readers do not share its interpreter),
serving one object of ``--rows`` rows (id bigint, text, double, decimal(18,2), timestamp) in V3
chunks of ``--chunk-rows`` rows, with ``--latency-ms`` added to every request. Each case is
timed from the call that runs the query (``execute`` / ``read_datacloud`` / ``load``) until
every row is in memory: on the driver for ``fetch_arrow_table``, in the workers for the engines
(Ray: ``materialize()``; Dask: every partition as a pandas DataFrame; Spark: the ``noop``
sink). Engines are started, and their worker processes warmed up by a 1,000-row read, before the
clock starts. "query s" is the part until the result's
partitions are known (the query runs once, on the server); "read s" the rest.

Each worker downloads ``max(1, min(4, 14 // workers))`` chunks at once, so all workers together
stay under the 15 concurrent requests a Data Cloud tenant accepts (more get 429).
Prints a markdown table of medians.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa

TABLE = "Bench__dll"
SQL = f'SELECT * FROM "{TABLE}"'
WARMUP_ROWS = 1000
WARMUP_SQL = f"{SQL} WHERE id < {WARMUP_ROWS}"
CASE_TIMEOUT = 900.0  # seconds one Dask read may take before the run stops with an error


def rows_table(rows: int) -> pa.Table:
    ids = np.arange(rows, dtype=np.int64)
    return pa.table(
        {
            "id": ids,
            "label": pa.array(np.char.add("row-", (ids % 100_000).astype(str)).astype(object)),
            "score": ids.astype(np.float64) / 7.0,
            "amount": pa.array(ids % 1_000_000).cast(pa.decimal128(21, 2)).cast(pa.decimal128(18, 2)),
            "at": pa.array(ids * 1_000_000, pa.timestamp("us", tz="UTC")),
        }
    )


def serve_forever(rows: int, chunk_rows: int, latency_ms: float, pipe: Any) -> None:
    """The child process: a local Data Cloud with the benchmark's object, until told to stop."""
    from cdpdb.local import Limits, serve

    limits = Limits(latency_ms=latency_ms, v3_chunk_rows=chunk_rows)
    with serve(dataset=False, limits=limits) as cloud:
        cloud.load(TABLE, rows_table(rows))
        pipe.send(cloud.connect_args())
        pipe.recv()


def per_worker(workers: int) -> int:
    return max(1, min(4, 14 // workers))


def single(args: dict, rows: int) -> tuple[float, float]:
    import cdpdb

    started = time.perf_counter()
    with cdpdb.connect(**args) as conn:
        cursor = conn.cursor().execute(SQL)
        queried = time.perf_counter()
        table = cursor.fetch_arrow_table()
    assert table.num_rows == rows, table.num_rows
    return queried - started, time.perf_counter() - queried


class Ray:
    def start(self, workers: int, args: dict) -> None:
        import ray

        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
        ray.data.DataContext.get_current().enable_progress_bars = False

    def run(self, args: dict, workers: int, rows: int, sql: str = SQL) -> tuple[float, float]:
        import cdpdb.ray

        started = time.perf_counter()
        dataset = cdpdb.ray.read_datacloud(sql, parallelism=workers * 2, **args, max_workers=per_worker(workers))
        queried = time.perf_counter()
        assert dataset.materialize().count() == rows
        return queried - started, time.perf_counter() - queried

    def stop(self) -> None:
        import ray

        ray.shutdown()


class Dask:
    def start(self, workers: int, args: dict) -> None:
        import distributed

        self.cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        self.client = distributed.Client(self.cluster)

    def run(self, args: dict, workers: int, rows: int, sql: str = SQL) -> tuple[float, float]:
        import cdpdb.dask

        started = time.perf_counter()
        frame = cdpdb.dask.read_datacloud(sql, partitions=workers * 2, **args, max_workers=per_worker(workers))
        queried = time.perf_counter()
        future = self.client.compute(frame.map_partitions(len))
        try:  # a stalled worker must end the run with an error, not hold it forever
            counted = future.result(timeout=CASE_TIMEOUT)
        except TimeoutError:
            raise SystemExit(  # a frozen worker cannot answer client.call_stack(): look from outside
                f"dask with {workers} workers did not finish within {CASE_TIMEOUT:g} s; see what its worker "
                "processes are doing with `py-spy dump --pid <worker pid>`"
            ) from None
        assert int(counted.sum()) == rows
        return queried - started, time.perf_counter() - queried

    def stop(self) -> None:
        self.client.close()
        self.cluster.close()


class Spark:
    def start(self, workers: int, args: dict) -> None:
        import os

        from pyspark.sql import SparkSession

        os.environ["CDPDB_PASSWORD"], os.environ["CDPDB_CLIENT_SECRET"] = args["password"], args["client_secret"]

        from cdpdb.spark import register

        self.spark = (
            SparkSession.builder.master(f"local[{workers}]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", "4g")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")
        register(self.spark)

    def run(self, args: dict, workers: int, rows: int, sql: str = SQL) -> tuple[float, float]:
        started = time.perf_counter()
        reader = self.spark.read.format("cdpdb").option("sql", sql).option("partitions", str(workers * 2))
        for name, value in {**args, "max_workers": per_worker(workers)}.items():
            if name not in ("password", "client_secret"):  # py4j logs options: secrets go by environment
                reader = reader.option(name, str(value))
        frame = reader.load()  # Spark plans here: the schema query runs; the reader (and query) on write
        frame.write.format("noop").mode("overwrite").save()
        return 0.0, time.perf_counter() - started

    def stop(self) -> None:
        self.spark.stop()


ENGINES: dict[str, Callable[[], Any]] = {"ray": Ray, "dask": Dask, "spark": Spark}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--engines", default="ray,dask,spark")
    options = parser.parse_args()
    workers_list = [int(w) for w in options.workers.split(",")]

    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=serve_forever, args=(options.rows, options.chunk_rows, options.latency_ms, theirs), daemon=True
    )
    server.start()
    while not ours.poll(1):
        if not server.is_alive():
            raise SystemExit(f"the local Data Cloud process ended (exit code {server.exitcode}); see its error above")
    args = ours.recv()
    results: list[tuple[str, int, float, float]] = []
    try:
        for _ in range(options.repeat):
            results.append(("cdpdb fetch_arrow_table (1 process, 4 threads)", 1, *single(args, options.rows)))
        for name in options.engines.split(","):
            engine = ENGINES[name]()
            for workers in workers_list:
                engine.start(workers, args)
                try:
                    engine.run(args, workers, WARMUP_ROWS, WARMUP_SQL)  # worker processes up, not timed
                    for _ in range(options.repeat):
                        results.append((name, workers, *engine.run(args, workers, options.rows)))
                finally:
                    engine.stop()
    finally:
        ours.send("stop")
        server.join(timeout=60)

    base = statistics.median(q + r for case, _, q, r in results if case.startswith("cdpdb"))
    print(
        f"\n{options.rows:,} rows in {-(-options.rows // options.chunk_rows)} chunks, "
        f"{options.latency_ms:g} ms per request, median of {options.repeat}\n"
    )
    print("| reader | worker processes | query s | read s | total s | rows/s | speedup vs fetch_arrow_table |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    seen: list[tuple[str, int]] = []
    for case, workers, _, _ in results:
        if (case, workers) not in seen:
            seen.append((case, workers))
    for case, workers in seen:
        runs = [(q, r) for c, w, q, r in results if (c, w) == (case, workers)]
        query = statistics.median(q for q, _ in runs)
        read = statistics.median(r for _, r in runs)
        total = statistics.median(q + r for q, r in runs)
        shown_query = f"{query:.2f}" if case != "spark" else "(in read)"
        print(
            f"| {case} | {workers} | {shown_query} | {read:.2f} | {total:.2f} | "
            f"{options.rows / total:,.0f} | {base / total:.2f} |"
        )


if __name__ == "__main__":
    main()
