"""The Ingestion API: rows into the data lake object an Ingestion API source feeds, streamed
(small writes, JSON payloads under 200 KB) or as bulk CSV jobs (large ones).

Rows are checked against the object's schema — from the Metadata API, before anything is sent:
an unknown column or a value the field's type cannot hold is a ``ProgrammingError`` naming it,
and a row too large for any payload a ``DataError``. Upserts replace whole records by primary key,
so a retried payload changes nothing twice; a column left out is sent blank (null).
Ingestion is asynchronous in Data Cloud (streamed rows appear within minutes; a bulk job runs
after it is closed), so a query right after a write may not see it yet.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.apis.direct import DirectClient
from cdpdb.backends.salesforce.apis.records import column_of
from cdpdb.backends.salesforce.metadata import Entity
from cdpdb.backends.salesforce.types import TYPES
from cdpdb.core.results.progress import Progress
from cdpdb.exceptions import DataError, Error, OperationalError, ProgrammingError, WriteReport

CSV_CHUNK_ROWS = 50_000  # rows written to CSV at a time (bounded memory per step)


def target_of(source: str, obj: str) -> str:
    """The data lake object an Ingestion API source's object feeds, by Data Cloud's default
    naming (UNCONFIRMED: pass ``table=`` when your data stream's object is named otherwise)."""
    return f"{source}_{obj}__dll"


def schema_name(column: str) -> str:
    """The object-schema name of a data lake object's field (``OrderTotal__c`` → ``OrderTotal``)."""
    return column.removesuffix("__c")


@dataclass(frozen=True)
class IngestJob:
    id: str
    object: str
    source_name: str
    operation: str
    state: str
    created: dt.datetime | None
    modified: dt.datetime | None
    records_processed: int
    records_failed: int
    error: str | None

    @property
    def done(self) -> bool:
        return self.state in wire.INGEST_FINAL_STATES

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> IngestJob:
        return cls(
            str(body["id"]),
            str(body.get("object")),
            str(body.get("sourceName")),
            str(body.get("operation")),
            str(body.get("state")),
            _instant(body.get("createdDate")),
            _instant(body.get("systemModstamp")),
            int(body.get("numberRecordsProcessed") or 0),
            int(body.get("numberRecordsFailed") or 0),
            body.get("errorMessage"),
        )


def _instant(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def as_table(data: Any) -> pa.Table:
    """Rows from an Arrow table, a pandas DataFrame, a list of dicts, or a CSV / Parquet file."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, str | Path):
        path = Path(data)
        if path.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return pq.read_table(path)
        return pacsv.read_csv(path)
    if hasattr(data, "to_arrow") and not hasattr(data, "iloc"):  # Polars
        return data.to_arrow()  # type: ignore[no-any-return]
    if hasattr(data, "iloc"):  # pandas
        return pa.Table.from_pandas(data, preserve_index=False)
    if isinstance(data, Sequence) and all(isinstance(row, dict) for row in data):
        # every key of every row (pyarrow's from_pylist keeps only the first row's keys: a silent loss)
        names = list(dict.fromkeys(key for row in data for key in row))
        return pa.table({name: [row.get(name) for row in data] for name in names})
    raise ProgrammingError("give the rows as an Arrow table, a DataFrame, a list of dicts, or a .csv/.parquet path")


class IngestionClient(DirectClient):
    """``IngestionClient(conn).stream("Ecommerce", "Order", rows)`` or ``.bulk_upsert(...)``."""

    # -- the object's schema ---------------------------------------------------------------------

    def conform(self, source: str, obj: str, data: Any, table: str | None = None) -> pa.Table:
        """The rows in the object's field names and types, every field present; errors name the cause."""
        rows = as_table(data)
        entity = self._target(source, obj, table)
        fields = {schema_name(f.name): f for f in entity.fields}
        names = [schema_name(name) for name in rows.column_names]
        unknown = sorted(set(names) - set(fields))
        if unknown:
            raise ProgrammingError(
                f"column(s) {', '.join(unknown)} are not fields of {entity.name} (source {source}, object {obj}); "
                f"its fields are {', '.join(fields)}"
            )
        if len(set(names)) != len(names):
            raise ProgrammingError(f"a column is given twice (with and without __c?): {rows.column_names}")
        by_name = dict(zip(names, rows.columns, strict=True))
        arrays = []
        for name, field in fields.items():
            target = TYPES.arrow(column_of(field, field.name)) or pa.decimal128(38, 18)
            given = by_name.get(name)
            if given is None:
                arrays.append(pa.nulls(rows.num_rows, target))
                continue
            arrays.append(_cast(given, target, name, entity.name))
        return pa.Table.from_arrays(arrays, names=list(fields))

    def _target(self, source: str, obj: str, table: str | None) -> Entity:
        name = table or target_of(source, obj)
        entity = self._session.metadata.entity(name)
        if entity is None:
            raise ProgrammingError(
                f"no data lake object {name} is fed by Ingestion API source {source!r}, object {obj!r}: "
                "check the names in Data Cloud Setup > Ingestion API, or pass table= the data stream's object"
            )
        return entity

    # -- streaming -------------------------------------------------------------------------------

    def stream(self, source: str, obj: str, data: Any, *, table: str | None = None) -> int:
        """Upsert rows in payloads under 200 KB; the number of rows accepted. Every row is checked
        and serialised before the first request; a failure later says which rows were accepted."""
        rows = self.conform(source, obj, data, table)
        payloads = list(pack(_json_rows(rows), wire.INGEST_STREAM_MAX_BYTES))
        path = f"{wire.INGEST_SOURCES_PATH}/{source}/{obj}"
        accepted = 0
        for payload, count in payloads:
            try:
                self._session.direct_call(
                    "POST", path, what=f"streaming {count} rows to {source}/{obj}", data=payload,
                    headers={"Content-Type": "application/json"}, expect="none",
                )  # fmt: skip
            except Error as exc:
                raise _partial(exc, accepted, rows.num_rows) from exc
            accepted += count
        return accepted

    def delete(self, source: str, obj: str, ids: Iterable[Any]) -> int:
        """Delete records by primary key (streaming); the number of ids sent."""
        values = [str(v) for v in ids]
        path = f"{wire.INGEST_SOURCES_PATH}/{source}/{obj}"
        for start in range(0, len(values), 1000):  # the ids travel in the query string
            part = values[start : start + 1000]
            self._session.direct_call(
                "DELETE", path, what=f"deleting {len(part)} records of {source}/{obj}", params={"ids": ",".join(part)},
                expect="none",
            )  # fmt: skip
        return len(values)

    # -- bulk jobs -------------------------------------------------------------------------------

    def bulk_upsert(
        self,
        source: str,
        obj: str,
        data: Any,
        *,
        table: str | None = None,
        progress: bool = False,
        wait: bool = True,
        timeout: float | None = None,
    ) -> IngestJob:
        """Upsert rows as a bulk CSV job (files of at most 150 MB), closed and, with ``wait``,
        followed until it completes; a failed job raises with Data Cloud's reason."""
        rows = self.conform(source, obj, data, table)
        parts = list(csv_parts(rows, wire.INGEST_BULK_MAX_FILE_BYTES))
        if len(parts) > wire.INGEST_BULK_MAX_FILES:
            raise DataError(
                f"{len(parts)} files of 150 MB exceed the {wire.INGEST_BULK_MAX_FILES} a job takes: split the rows"
            )
        return self._run_job(source, obj, "upsert", parts, rows.num_rows, progress, wait, timeout)

    def bulk_delete(
        self, source: str, obj: str, ids: Iterable[Any], *, wait: bool = True, timeout: float | None = None
    ) -> IngestJob:
        """Delete records by primary key as a bulk job (CSV without header, the key in column 1)."""
        keys = pa.table({"id": pa.array([str(v) for v in ids], pa.string())})
        parts = list(csv_parts(keys, wire.INGEST_BULK_MAX_FILE_BYTES, header=False))
        return self._run_job(source, obj, "delete", parts, keys.num_rows, False, wait, timeout)

    def _run_job(
        self,
        source: str,
        obj: str,
        operation: str,
        parts: list[tuple[bytes, int]],
        total: int,
        progress: bool,
        wait: bool,
        timeout: float | None,
    ) -> IngestJob:
        job = self.create_job(source, obj, operation)
        bar = Progress(progress, total, f"cdpdb ingest {source}/{obj}")
        try:
            for data, count in parts:
                self.upload(job.id, data)
                bar.update(pa.table({"rows": pa.nulls(count)}))
        except BaseException:
            self.abort_job(job.id)  # uploaded data is deleted with the job: nothing half-loaded
            raise
        finally:
            bar.close()
        closed = self.close_job(job.id)
        return self.wait(job.id, timeout) if wait else closed

    def create_job(self, source: str, obj: str, operation: str = "upsert") -> IngestJob:
        if operation not in wire.INGEST_OPERATIONS:
            raise ProgrammingError(f"operation must be one of {', '.join(wire.INGEST_OPERATIONS)}, not {operation!r}")
        body = self._session.direct_call(
            "POST", wire.INGEST_JOBS_PATH, what=f"creating a bulk job for {source}/{obj}", safe=False,
            json={"object": obj, "sourceName": source, "operation": operation},
        )  # fmt: skip
        return IngestJob.from_json(body)

    def upload(self, job_id: str, data: bytes) -> None:
        self._session.direct_call(
            "PUT", f"{wire.INGEST_JOBS_PATH}/{job_id}/batches", what=f"uploading {len(data):,} bytes to job {job_id}",
            data=data, headers={"Content-Type": "text/csv"}, expect="none", safe=False,
        )  # fmt: skip

    def close_job(self, job_id: str) -> IngestJob:
        return self._state(job_id, "UploadComplete")

    def abort_job(self, job_id: str) -> IngestJob:
        return self._state(job_id, "Aborted")

    def _state(self, job_id: str, state: str) -> IngestJob:
        body = self._session.direct_call(
            "PATCH", f"{wire.INGEST_JOBS_PATH}/{job_id}", what=f"setting job {job_id} to {state}", json={"state": state}
        )
        return IngestJob.from_json(body)

    def job(self, job_id: str) -> IngestJob:
        return IngestJob.from_json(
            self._session.direct_call("GET", f"{wire.INGEST_JOBS_PATH}/{job_id}", what=f"bulk job {job_id}")
        )

    def jobs(self) -> list[IngestJob]:
        body = self._session.direct_call("GET", wire.INGEST_JOBS_PATH, what="the bulk jobs")
        return [IngestJob.from_json(raw) for raw in body.get("data") or []]

    def delete_job(self, job_id: str) -> None:
        self._session.direct_call(
            "DELETE", f"{wire.INGEST_JOBS_PATH}/{job_id}", what=f"deleting job {job_id}", expect="none"
        )

    def wait(self, job_id: str, timeout: float | None = None, poll: float = 0.05) -> IngestJob:
        """The job once it is JobComplete (or raise: Failed, Aborted, or still running at ``timeout``)."""
        give_up = None if timeout is None else time.monotonic() + timeout
        job = self.job(job_id)
        while not job.done:
            if give_up is not None and time.monotonic() >= give_up:
                raise OperationalError(
                    f"bulk job {job_id} is still {job.state} after {timeout:g} s; follow it with job({job_id!r})",
                    reason="deadline",
                )
            time.sleep(poll)
            poll = min(poll * 1.5, 10.0)
            job = self.job(job_id)
        if job.state != "JobComplete":
            raise OperationalError(
                f"bulk job {job_id} ended {job.state}: {job.error or 'no reason given'} "
                f"({job.records_processed} rows processed, {job.records_failed} failed)",
                reason="ingest_failed",
            )
        return job


# -- encoding -------------------------------------------------------------------------------------


def _cast(given: pa.ChunkedArray, target: pa.DataType, name: str, entity: str) -> pa.ChunkedArray:
    try:
        if pa.types.is_string(given.type) and not pa.types.is_string(target):
            return pc.cast(pc.if_else(pc.equal(given, ""), pa.scalar(None, pa.string()), given), target)
        return pc.cast(given, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        values = given.to_pylist()
        for row, value in enumerate(values):
            if value is None:
                continue
            try:
                pc.cast(pa.array([value], given.type), target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                raise ProgrammingError(
                    f"row {row + 1}: {name}={value!r} does not fit field {name} of {entity} ({target})"
                ) from None
        raise ProgrammingError(f"column {name} ({given.type}) cannot become {target} for {entity}: {exc}") from None


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return orjson.Fragment(format(value, "f").encode())  # the exact digits, as a JSON number
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _json_rows(table: pa.Table) -> Iterator[bytes]:
    names = table.column_names
    for batch in table.to_batches(CSV_CHUNK_ROWS):
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for values in zip(*columns, strict=True):
            yield orjson.dumps({n: _json_value(v) for n, v in zip(names, values, strict=True)})


def pack(rows: Iterable[bytes], limit: int) -> Iterator[tuple[bytes, int]]:
    """``{"data": [...]}`` payloads, each smaller than ``limit`` bytes, greedily filled, in order."""
    head, tail = b'{"data":[', b"]}"
    pending: list[bytes] = []
    size = len(head) + len(tail)
    payloads: list[tuple[bytes, int]] = []
    for number, row in enumerate(rows, 1):
        if len(head) + len(row) + len(tail) >= limit:
            raise DataError(
                f"row {number} is {len(row):,} bytes as JSON; a streaming payload must be under {limit:,}: "
                "use bulk_upsert()"
            )
        if pending and size + 1 + len(row) >= limit:
            payloads.append((head + b",".join(pending) + tail, len(pending)))
            pending, size = [], len(head) + len(tail)
        size += len(row) + (1 if pending else 0)
        pending.append(row)
    if pending:
        payloads.append((head + b",".join(pending) + tail, len(pending)))
    return iter(payloads)  # all built before the first request: a bad row stops the write before it starts


def csv_parts(table: pa.Table, limit: int, header: bool = True) -> Iterator[tuple[bytes, int]]:
    """CSV files of at most ``limit`` bytes (each with the header row when ``header``), in order."""
    part, rows = io.BytesIO(), 0
    for start in range(0, max(table.num_rows, 1), CSV_CHUNK_ROWS):
        chunk = table.slice(start, CSV_CHUNK_ROWS)
        if chunk.num_rows == 0:
            break
        text = _csv(chunk, header=False)
        if rows and part.tell() + len(text) > limit:
            yield part.getvalue(), rows
            part, rows = io.BytesIO(), 0
        if rows == 0 and header:
            part.write(_csv(table.schema.empty_table(), header=True))
        if part.tell() + len(text) > limit:  # one chunk alone is too big: halve it
            if chunk.num_rows == 1:
                raise DataError(f"row {start + 1} alone is larger than a {limit:,}-byte file")
            half = chunk.num_rows // 2
            yield from csv_parts(chunk.slice(0, half), limit, header)
            yield from csv_parts(chunk.slice(half), limit, header)
            part, rows = io.BytesIO(), 0
            continue
        part.write(text)
        rows += chunk.num_rows
    if rows:
        yield part.getvalue(), rows


def _csv(table: pa.Table, header: bool) -> bytes:
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=header, quoting_style="needed"))
    return sink.getvalue()


def _partial(exc: Error, accepted: int, total: int) -> Error:
    why = str(exc)
    error = type(exc)(
        f"{accepted:,} of {total:,} rows were accepted (rows 1 to {accepted:,}); rows {accepted + 1:,} to "
        f"{total:,} were not sent: {why}. Send those again (upserts replace by primary key, so resending is safe)",
        reason=exc.reason,
        write=WriteReport(total, (range(0, accepted),), ((range(accepted, total), why),)),
    )
    return error
