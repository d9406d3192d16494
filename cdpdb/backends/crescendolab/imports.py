"""Rows of an INSERT into ``contacts`` → import tasks, run one at a time, each awaited.

Only the columns the statement named are sent, and a NULL is sent as JSON ``null``: the API
leaves a field missing from the payload alone and clears one sent as null, which is exactly
"omitted = unchanged, NULL = clear". Rows go in tasks of at most ``import_rows`` (10,000) rows
and 10 MB, one after another (the API runs one import at a time), paced to 15 a minute.

Nothing is lost in silence: rows the client can see are unusable (no match key) stop the
statement before anything is sent; a task that fails, or applies only some of its rows (the
success report's mismatches), ends the statement with a DataError whose WriteReport lists every
row applied, and every row not applied with the report's reason. Later tasks are not sent.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pyarrow as pa

from cdpdb.backends.crescendolab import wire
from cdpdb.backends.crescendolab.client import CrescendoApi
from cdpdb.exceptions import DataError, Error, InternalError, OperationalError, WriteReport

log = logging.getLogger(__name__)
SHOWN_PROBLEMS = 5


def run(api: CrescendoApi, rows: pa.Table) -> int:
    """Import every row; created + updated. Raises with a WriteReport if any row is not applied."""
    key = api.settings.import_key
    _check_keys(rows, key)
    total, applied = rows.num_rows, 0
    applied_rows: list[range] = []
    spans = list(_spans(rows, api.settings.import_rows))
    with _progress(api.settings.progress, total) as advance:
        for number, span in enumerate(spans):
            records = rows.slice(span.start, len(span)).to_pylist()
            for body, part in _bodies(key, records, span):
                what = f"importing contacts rows {part.start}-{part.stop - 1} ({len(part)} rows)"
                try:
                    task = api.start_import(body, what)
                    status = api.wait_task(api.settings.import_task_path, task, what)
                    done, rejected = _outcome(api, status, part, task, what)
                except Error as exc:
                    if exc.write is None:
                        why = f"unknown or not applied: {exc.message}"
                        exc.write = _report(total, applied_rows, [(part, why)], part)
                    raise
                applied += done
                if rejected:
                    refused = {row for span_, _ in rejected for row in span_}
                    applied_rows.extend(_ranges([r for r in part if r not in refused]))
                    raise _refused(total, applied_rows, rejected, part, task)
                applied_rows.append(part)
                advance(len(part))
            log.info(
                "imported contacts rows %d-%d of %d (task %d of %d)",
                span.start,
                span.stop - 1,
                total,
                number + 1,
                len(spans),
            )
    return applied


def _check_keys(rows: pa.Table, key: str) -> None:
    if key not in rows.column_names:
        raise DataError(
            f"an INSERT into contacts must name the match key {key} (import_key={key}); name it, or connect "
            f"with import_key= one of {', '.join(wire.IMPORT_KEYS)}",
            sqlstate="42601",
            reason="row_refused",
        )
    values = rows.column(key).to_pylist()
    blank = [row for row, value in enumerate(values) if value is None or str(value).strip() == ""]
    if blank:
        why = f"the match key {key} is blank: the API cannot tell which contact it is"
        shown = ", ".join(str(r) for r in blank[:SHOWN_PROBLEMS]) + (" ..." if len(blank) > SHOWN_PROBLEMS else "")
        raise DataError(
            f"{len(blank)} of {rows.num_rows} contacts rows cannot be imported, so none was: rows {shown}: {why}",
            sqlstate="22023",
            reason="row_refused",
            write=WriteReport(rows.num_rows, (), tuple((range(r, r + 1), why) for r in blank)),
        )


def _spans(rows: pa.Table, size: int) -> Iterator[range]:
    for start in range(0, rows.num_rows, size):
        yield range(start, min(start + size, rows.num_rows))


def _bodies(key: str, records: list[dict[str, Any]], span: range) -> Iterator[tuple[bytes, range]]:
    """One body per part of ``span`` that fits the API's 10 MB (halving a part until it does)."""
    body = orjson.dumps({wire.IMPORT_KEY: key, wire.DATA: records}, option=orjson.OPT_NAIVE_UTC)
    if len(body) <= wire.MAX_IMPORT_BYTES:
        yield body, span
        return
    if len(records) == 1:
        raise DataError(
            f"contacts row {span.start} is {len(body):,} bytes as JSON, over the API's "
            f"{wire.MAX_IMPORT_BYTES:,} per import",
            sqlstate="22001",
            reason="row_refused",
        )
    half = len(records) // 2
    yield from _bodies(key, records[:half], range(span.start, span.start + half))
    yield from _bodies(key, records[half:], range(span.start + half, span.stop))


def _outcome(
    api: CrescendoApi, status: dict[str, Any], part: range, task: str, what: str
) -> tuple[int, list[tuple[range, str]]]:
    """(rows applied, rows not applied with why) of a finished task; every row accounted for."""
    report = status.get(wire.REPORT) or {}
    if status.get(wire.RESULT) == wire.FAILED:
        reasons: dict[int, list[str]] = {}
        for kind in wire.FAILURE_KINDS:
            for row in report.get(kind) or ():
                reasons.setdefault(int(row), []).append(kind)
        rejected = [
            (range(part.start + r, part.start + r + 1), f"task {task} failed: {', '.join(k)}")
            for r, k in sorted(reasons.items())
        ]
        named = {part.start + r for r in reasons}
        others = [r for r in part if r not in named]
        rejected += [(span, f"not applied: task {task} failed as a whole") for span in _ranges(others)]
        return 0, rejected
    created, updated = int(report.get(wire.CREATED, 0)), int(report.get(wire.UPDATED, 0))
    mismatched = int(report.get(wire.MISMATCH, 0))
    if created + updated + mismatched != len(part):
        raise InternalError(
            f"{what}: task {task} reports {created} created + {updated} updated + {mismatched} mismatched "
            f"of {len(part)} rows sent; which of them were applied is unknown: look the task up by its id "
            "before sending them again",
            query_id=task,
            reason="bad_answer",
        )
    if not mismatched:
        return created + updated, []
    link = report.get(wire.MISMATCH_LINK)
    if not isinstance(link, str):
        return created + updated, [(part, f"{mismatched} rows of task {task} mismatched; the report links no list")]
    try:
        text = api.download(link, f"{what}: task {task}'s mismatch report").decode("utf-8-sig")
    except Error as exc:
        # The task is done: created + updated of its rows were applied, but not which. Saying so
        # (never "all applied", never "none") is the only report that loses nothing.
        raise OperationalError(
            f"{what}: task {task} applied {created + updated} of {len(part)} rows and mismatched {mismatched}, "
            f"but its mismatch report could not be downloaded ({exc.message}); which rows were applied is "
            "unknown: download the report linked from the task's status (kept 7 days) before sending them again",
            status=exc.status,
            query_id=task,
            reason="report_unavailable",
        ) from exc
    try:
        rejected = [
            (range(part.start + int(line["row"]), part.start + int(line["row"]) + 1), f"mismatched: {line['reason']}")
            for line in csv.DictReader(io.StringIO(text))
        ]
    except (KeyError, ValueError, TypeError):
        rejected = []  # not the row,reason CSV expected: reported below as a list that does not add up
    if len(rejected) != mismatched:
        raise InternalError(
            f"{what}: task {task} reports {mismatched} mismatched rows but its report lists {len(rejected)}; "
            "which rows were applied is unknown: look the task up by its id before sending them again",
            query_id=task,
            reason="bad_answer",
        )
    return created + updated, rejected


def _ranges(rows: list[int]) -> list[range]:
    out: list[range] = []
    for row in rows:
        if out and out[-1].stop == row:
            out[-1] = range(out[-1].start, row + 1)
        else:
            out.append(range(row, row + 1))
    return out


def _report(total: int, applied: list[range], rejected: list[tuple[range, str]], last: range) -> WriteReport:
    if last.stop < total:
        rejected = [*rejected, (range(last.stop, total), "not sent: an earlier import task of the statement failed")]
    return WriteReport(total, tuple(applied), tuple(rejected))


def _refused(total: int, applied: list[range], rejected: list[tuple[range, str]], part: range, task: str) -> DataError:
    shown = "; ".join(f"row {span.start}: {why}" for span, why in rejected[:SHOWN_PROBLEMS])
    count = sum(len(span) for span, _ in rejected)
    later = f"; rows {part.stop}-{total - 1} were not sent" if part.stop < total else ""
    return DataError(
        f"{count} contacts rows were not applied by import task {task} ({shown}){later}; fix them and run "
        "the statement again for those rows (the error's write report lists every row)",
        sqlstate="22023",
        reason="row_refused",
        query_id=task,
        write=_report(total, applied, rejected, part),
    )


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Any]:
    if not enabled:
        yield lambda n: None
        return
    try:
        from tqdm import tqdm
    except ImportError:
        yield lambda n: None
        return
    with tqdm(total=total, unit="row", desc="contacts import") as bar:
        yield bar.update
