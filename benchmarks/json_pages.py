"""JSON pages → DataFrame next to Arrow → DataFrame, one server, one run.

    pip install -e ".[test]"
    python benchmarks/json_pages.py                        # 100,000 and 1,000,000 rows, median of 3
    python benchmarks/json_pages.py --rows 100000 --repeat 1
    python benchmarks/json_pages.py --serve 1000000 --args-file /tmp/dc.json   # the server alone, to profile it

A local Data Cloud runs **in its own process** (so client and server do not share an
interpreter), serving ``ssot__EmailEngagement__dlm`` (10 columns: text, timestamp with time zone,
date, boolean, bigint, double, decimal(18,2), nulls in each) with ``--rows`` rows at most; smaller
sizes read ``LIMIT n`` of it. Each case connects, runs ``SELECT *`` and builds the DataFrame
(``fetch_pandas_all``), timed from ``connect()`` to the DataFrame, in this process; the cases are
interleaved so that machine noise spreads over all of them, after one untimed warm-up each.
Prints a markdown table of medians: seconds, each JSON path's time over V2 Arrow's in the same
run, and the CPU seconds the client (this process) and the server process spent on it — the
steadier figure on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import time
from typing import Any

TABLE = "ssot__EmailEngagement__dlm"
CASES = {
    "V2 JSON → DataFrame": {"api": "v2", "arrow": False},
    "V2 Arrow → DataFrame": {"api": "v2", "arrow": True},
    "Connect JSON → DataFrame": {"api": "connect"},
}
BASELINE = "V2 Arrow → DataFrame"


def serve_forever(rows: int, pipe: Any) -> None:
    """The server process: a local Data Cloud with ``rows`` engagements, until told to stop."""
    from cdpdb.local import serve

    with serve(scale=max(rows // 5, 1)) as cloud:
        pipe.send(cloud.connect_args())
        pipe.recv()


def start_server(rows: int) -> tuple[Any, Any, dict]:
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve_forever, args=(rows, theirs), daemon=True)
    server.start()
    while not ours.poll(1):
        if not server.is_alive():
            raise SystemExit(f"the local Data Cloud process ended (exit code {server.exitcode}); see its error above")
    return server, ours, ours.recv()


def sql_for(api: str, rows: int, total: int) -> str:
    name = TABLE if api in ("v1", "v2") else f'"{TABLE}"'
    return f"SELECT * FROM {name}" + (f" LIMIT {rows}" if rows < total else "")


def server_cpu(pid: int) -> float:
    """User + system CPU seconds of the server process so far (Linux; NaN elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def run(args: dict, options: dict, rows: int, total: int, pid: int) -> tuple[float, float, float]:
    """Seconds from connect() to the DataFrame, and the CPU seconds the client and the server spent."""
    import cdpdb

    server_before, client_before = server_cpu(pid), time.process_time()
    started = time.perf_counter()
    with cdpdb.connect(**args, **options) as conn:
        frame = conn.cursor().execute(sql_for(options["api"], rows, total)).fetch_pandas_all()
    seconds = time.perf_counter() - started
    client = time.process_time() - client_before
    time.sleep(0.2)  # the server's background encoding of the result may still be finishing
    if len(frame) != rows:
        raise RuntimeError(f"{options} returned {len(frame)} rows, not {rows}")
    return seconds, client, server_cpu(pid) - server_before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serve", type=int, metavar="ROWS", help="only run the server, until Ctrl-C")
    parser.add_argument("--args-file", help="with --serve: where to write its connect() arguments (mode 0600)")
    options = parser.parse_args()
    if options.serve:
        server, pipe, args = start_server(options.serve)
        if options.args_file:  # the arguments hold the local server's password: a private file, never printed
            with open(os.open(options.args_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
                json.dump(args, handle)
        print(f"serving {options.serve:,} rows at {args['login_url']} (pid {server.pid}); Ctrl-C stops", flush=True)
        try:
            server.join()
        except KeyboardInterrupt:
            pipe.send("stop")
        return
    total = max(options.rows)
    started = time.perf_counter()
    server, pipe, args = start_server(total)
    times: dict[tuple[int, str], list[tuple[float, float, float]]] = {}
    try:
        for rows in options.rows:
            for case in CASES.values():
                run(args, case, rows, total, server.pid)  # warm-up: imports, connection pools, caches
            for _ in range(options.repeat):
                for name, case in CASES.items():
                    times.setdefault((rows, name), []).append(run(args, case, rows, total, server.pid))
    finally:
        pipe.send("stop")
        server.join(timeout=60)
    print(f"\nmedian of {options.repeat}, server in its own process\n")
    print("| rows | path | median s | rows/s | time / V2 Arrow | client CPU s | server CPU s |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for rows in options.rows:
        base = statistics.median(t for t, _, _ in times[(rows, BASELINE)])
        for name in CASES:
            median, client, served = (statistics.median(run[i] for run in times[(rows, name)]) for i in range(3))
            print(
                f"| {rows:,} | {name} | {median:.2f} | {rows / median:,.0f} | {median / base:.2f} | "
                f"{client:.2f} | {served:.2f} |"
            )
    print(f"\n(total benchmark time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
