"""Results to stdout and files: formats, grids, and files that appear only when complete."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import click

FORMATS = ("table", "csv", "jsonl", "parquet")
EXPORT_FORMATS = ("parquet", "csv", "jsonl")
SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
PROGRESS_HINT = 'progress bar off: tqdm is not installed; pip install "cdpdb[progress]" for one (or pass --no-progress)'


def format_from_suffix(output: str) -> str:
    """The export format named by the file's suffix; an unknown suffix is an error, never a guess
    (``out.xlsx`` used to get Parquet)."""
    suffix = Path(output).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    known = ", ".join(SUFFIXES)
    raise click.ClickException(
        f"cannot tell the format of {output!r} from its suffix {suffix or '(none)'}: "
        f"name the file {known}, or pass --format {'|'.join(EXPORT_FORMATS)}"
    )


def progress_available() -> bool:
    """Whether tqdm can draw the progress bar; if not, say how to get it rather than dropping it silently."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        click.echo(PROGRESS_HINT, err=True)
        return False
    return True


def check_output(path: str) -> None:
    """Fail before connecting (a query may run for minutes first) when ``path`` cannot be written."""
    folder = Path(path).expanduser().absolute().parent
    if not folder.is_dir():
        raise click.ClickException(
            f"the output folder {folder} does not exist; create it (mkdir -p {folder}) or write elsewhere"
        )
    if not os.access(folder, os.W_OK):
        raise click.ClickException(f"the output folder {folder} is not writable; choose another path")


@contextlib.contextmanager
def replacing(target: str) -> Iterator[BinaryIO]:
    """A file that becomes ``target`` only when complete.

    It is written beside ``target`` under a hidden temporary name (same folder, so the rename is
    atomic), synced, then renamed over it with ``os.replace``. A failure or interruption
    (KeyboardInterrupt, SIGTERM) removes the temporary file: no truncated result that reads as
    complete, an existing file stays as it was, and a new result replaces an old one, never appends.
    """
    path = Path(target).expanduser()
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(temp, "xb") as sink:
            yield sink
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write(cur, fmt: str, sink: BinaryIO) -> int:
    """Stream every batch of a cursor's result to ``sink``; only one page is held in memory."""
    return write_batches(cur.fetch_arrow_batches(), cur.fetch_arrow_table, fmt, sink)


def write_batches(batches: Iterable[Any], empty: Callable[[], Any], fmt: str, sink: BinaryIO) -> int:
    """Batches to ``sink`` as Parquet, CSV or JSON lines; ``empty()`` gives the schema when there are none."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rows, writer = 0, None
    try:
        for batch in batches:
            if fmt == "jsonl":
                _jsonl(batch, sink)
            elif writer is None:
                writer = (
                    pq.ParquetWriter(sink, batch.schema) if fmt == "parquet" else pacsv.CSVWriter(sink, batch.schema)
                )
            if writer is not None:
                writer.write_table(pa.Table.from_batches([batch])) if fmt == "parquet" else writer.write_batch(batch)
            rows += batch.num_rows
        if writer is None and fmt in ("parquet", "csv"):
            (pq.write_table if fmt == "parquet" else pacsv.write_csv)(empty(), sink)
    finally:
        if writer is not None:
            writer.close()
    return rows


def print_table(table: Any, fmt: str, max_rows: int) -> None:
    """An Arrow table on stdout: a grid of the first ``max_rows`` rows, or every row as CSV, JSON lines, Parquet."""
    if fmt != "table":
        write_batches(table.to_batches(), lambda: table, fmt, sys.stdout.buffer)
        return
    click.echo(format_table(table.slice(0, max_rows)))
    if table.num_rows > max_rows:
        click.echo(f"(only the first {max_rows} of {table.num_rows:,} rows are shown; use --max-rows or --format csv)")


def _jsonl(batch, sink: BinaryIO) -> None:
    import orjson

    for row in batch.to_pylist():
        sink.write(orjson.dumps(row, default=str, option=orjson.OPT_NAIVE_UTC) + b"\n")


def format_table(table) -> str:
    """A plain-text grid of an Arrow table."""
    return format_rows(table.column_names, [tuple(row.values()) for row in table.to_pylist()])


def format_rows(columns: list[str], values: list[tuple]) -> str:
    """A plain-text grid: column names, then rows."""
    rows = [["" if v is None else str(v) for v in row] for row in values]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [line, "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |", line]
    out += ["| " + " | ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) + " |" for r in rows]
    out += [line, f"({len(rows)} rows)"]
    return "\n".join(out)


def print_result(cur, fmt: str, max_rows: int) -> None:
    """The result on stdout: a grid of the first ``max_rows`` rows, or every row as CSV or JSON lines."""
    if fmt != "table":
        write(cur, fmt, sys.stdout.buffer)
        return
    rows = cur.fetchmany(max_rows + 1)
    click.echo(format_rows([d[0] for d in cur.description or []], rows[:max_rows]))
    if len(rows) > max_rows:
        click.echo(f"(only the first {max_rows} rows are shown; use --max-rows, --format csv or export)")


def write_table(cur, max_rows: int, sink: BinaryIO) -> int:
    """The grid of ``--format table`` into a file; the note about rows left out goes to stderr, so the
    file holds only the table."""
    rows = cur.fetchmany(max_rows + 1)
    shown = rows[:max_rows]
    sink.write(format_rows([d[0] for d in cur.description or []], shown).encode() + b"\n")
    if len(rows) > max_rows:
        click.echo(f"(only the first {max_rows} rows were written; use --max-rows, --format csv or export)", err=True)
    return len(shown)
