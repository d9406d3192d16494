"""What the by-size benchmarks of the newer backends share, and only that: a local server in a
process of its own, each client in a process of its own, the HTTP requests a client made (counted
by the server's fault middleware), medians, and markdown tables. Each benchmark keeps its own
clients, cases and checks.

The server runs apart so that the clients do not share its interpreter (its GIL, its garbage
collector), as with a real service. It is started with ``spawn``: a script using it needs an
``if __name__ == "__main__":`` guard."""

from __future__ import annotations

import importlib
import json
import multiprocessing
import resource
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterable
from typing import Any


def peak_rss_mb() -> float:
    """VmHWM: this process's own peak (ru_maxrss would include the parent's memory from before exec)."""
    return _status_mb("VmHWM:")


def current_rss_mb() -> float:
    return _status_mb("VmRSS:")


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> float:
    """User and system time of this process, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


#: What a cdpdb client imports on first use, not at its own import: sqlglot loads a dialect when
#: a statement first names it (cdpdb's SQL layer reads DuckDB's), pyarrow its pandas glue at the
#: first ``to_pandas``, pandas sqlite3 in ``to_sql``. Clients import what they use before their
#: clock (imports are not what is measured; a process pays them once).
CDPDB_LAZY = ("sqlglot.dialects.duckdb", "pyarrow.pandas_compat", "sqlite3", "cdpdb.core.results.frames")
#: The same for cdpdb's Trino path (Treasure Data): the trino package and sqlglot's Trino dialect.
TRINO_LAZY = ("trino.dbapi", "sqlglot.dialects.trino")


def preimport(*modules: str) -> None:
    """Import ``modules`` before a client's clock starts."""
    for name in modules:
        importlib.import_module(name)


def _serve(target: str, options: dict[str, Any], pipe: Any) -> None:
    """The server process: ``target`` is "module:function", a backend's ``serve(**options)``
    context manager; then it answers the parent's calls on the running server until "stop"."""
    module, _, name = target.partition(":")
    serve = getattr(importlib.import_module(module), name)
    with serve(**options) as server:
        pipe.send(("ok", None))
        while True:
            path, args, kwargs = pipe.recv()
            if path is None:
                return
            try:
                value: Any = server
                for part in path.split("."):
                    value = getattr(value, part)
                pipe.send(("ok", value(*args, **kwargs) if callable(value) else value))
            except Exception as exc:  # the parent raises it, with the server's message
                pipe.send(("error", f"{type(exc).__name__}: {exc}"))


class ServerProcess:
    """``with ServerProcess("cdpdb.backends.x.local:serve", scale=...) as server``; then
    ``server.call("connect_args")`` (any attribute or method of the running server, by dotted
    path, whose value pickles), ``server.set_limits(latency_ms=50)``, ``server.requests()``."""

    def __init__(self, target: str, **options: Any) -> None:
        self._target, self._options = target, options

    def __enter__(self) -> ServerProcess:
        self._pipe, theirs = multiprocessing.Pipe()
        context = multiprocessing.get_context("spawn")
        self._process = context.Process(target=_serve, args=(self._target, self._options, theirs), daemon=True)
        self._process.start()
        self._answer()
        return self

    def _answer(self) -> Any:
        if not self._pipe.poll(3600):
            raise RuntimeError(f"the server {self._target} did not answer within an hour")
        status, value = self._pipe.recv()
        if status != "ok":
            raise RuntimeError(f"the server {self._target}: {value}")
        return value

    def call(self, path: str, *args: Any, **kwargs: Any) -> Any:
        self._pipe.send((path, args, kwargs))
        return self._answer()

    def set_limits(self, **limits: Any) -> None:
        self.call("faults.set_limits", **limits)

    def requests(self) -> int:
        """HTTP requests the server has answered so far (the fault middleware counts every one; it
        fills its stats at the first request, when Starlette builds the middleware)."""
        return int(self.call("faults.stats").get("requests", 0))

    def __exit__(self, *exc: object) -> None:
        if self._process.is_alive():
            self._pipe.send((None, (), {}))
        self._process.join(timeout=60)


def run_json(command: list[str], what: str, timeout: float = 3600) -> dict[str, Any]:
    """Run one client process; what it printed last, as JSON. Its error output if it failed."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def python(script: Any, *args: str) -> list[str]:
    return [sys.executable, str(script), *args]


def measure(
    server: ServerProcess, latencies: Iterable[float], repeat: int, cases: dict[str, Callable[[], dict[str, Any]]]
) -> dict[float, dict[str, dict[str, Any]]]:
    """{latency: {case: medians}}: every case ``repeat`` times per latency, interleaved so that
    machine noise falls on every client alike; each run's requests are the server's count
    before and after it."""
    results: dict[float, dict[str, dict[str, Any]]] = {}
    for latency in latencies:
        server.set_limits(latency_ms=latency)
        samples: dict[str, list[dict[str, Any]]] = {name: [] for name in cases}
        for _ in range(repeat):
            for name, run in cases.items():
                before = server.requests()
                out = run()
                samples[name].append({**out, "requests": server.requests() - before})
        results[latency] = {name: medians(runs) for name, runs in samples.items()}
    server.set_limits(latency_ms=0)
    return results


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of every number the runs reported; ``runs`` keeps each run's seconds."""
    keys = [k for k, v in runs[0].items() if isinstance(v, int | float) and not isinstance(v, bool)]
    out: dict[str, Any] = {k: statistics.median(r[k] for r in runs) for k in keys}
    out["runs"] = [r["seconds"] for r in runs]
    return out


def markdown(headers: list[str], rows: list[list[str]]) -> str:
    """A markdown table, the first column left-aligned, the others (numbers) right-aligned."""
    lines = ["| " + " | ".join(headers) + " |", "|---|" + "---:|" * (len(headers) - 1)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
