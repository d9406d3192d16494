"""The local Data Cloud's Ingestion API: sources whose objects feed data lake objects, streamed
records and bulk CSV jobs applied to those objects (upserts replace rows with the same primary
key), after a configurable delay that stands for Data Cloud's processing time.

Naming (UNCONFIRMED, documented in docs/local-datacloud.md): object ``O`` of Ingestion API source
``S`` feeds the data lake object ``S_O__dll``, and each field of the object's schema is that
object's field without the ``__c`` suffix (``OrderTotal`` fills ``OrderTotal__c``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.catalog import Entity
from cdpdb.local.engine import HyperEngine
from cdpdb.local.faults import FaultPlan


class IngestError(ValueError):
    """A payload the API refuses: ``status`` and the API's error code, and a message naming the record and field."""

    def __init__(self, status: int, message: str, code: str = "INVALID_INPUT") -> None:
        super().__init__(message)
        self.status, self.code = status, code


def target_name(source: str, obj: str) -> str:
    return f"{source}_{obj}__dll"


def schema_field(column: str) -> str:
    return column.removesuffix("__c")


@dataclass
class Job:
    id: str
    source: str
    object: str
    operation: str
    owner: str
    dataspace: str
    created: dt.datetime
    state: str = "Open"
    parts: list[bytes] = field(default_factory=list)
    records_processed: int = 0
    records_failed: int = 0
    error: str | None = None
    modified: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "sourceName": self.source,
            "createdById": self.owner,
            "createdDate": self.created.isoformat(),
            "systemModstamp": self.modified.isoformat(),
            "state": self.state,
            "contentType": "CSV",
            "apiVersion": "v1",
            "contentUrl": f"{wire.INGEST_JOBS_PATH.lstrip('/')}/{self.id}/batches",
            "numberRecordsProcessed": self.records_processed,
            "numberRecordsFailed": self.records_failed,
        }
        if self.error:
            body["errorMessage"] = self.error
        return body


class Ingestion:
    """Streams and jobs over the engine's tables."""

    def __init__(self, engine: HyperEngine, faults: FaultPlan) -> None:
        self.engine, self._faults = engine, faults
        self.jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    @property
    def delay(self) -> float:
        """Seconds before ingested rows are visible (the ``ingest_delay_seconds`` limit; Data Cloud: minutes)."""
        return float(getattr(self._faults.limits, "ingest_delay_seconds", 0.0))

    # -- records -----------------------------------------------------------------------------

    def typed(self, dataspace: str, entity: Entity, columns: Mapping[str, Sequence[Any]], rows: int) -> pa.Table:
        """Values (JSON values or CSV text) as the object's Arrow types; every schema field must be
        present (blank allowed), no other. Errors name the record (1-based) and the field."""
        schema = self.engine.query_arrow(dataspace, f'SELECT * FROM "{entity.name}" LIMIT 0').schema
        fields = {schema_field(name): name for name in schema.names}
        unknown = sorted(set(columns) - set(fields))
        if unknown:
            raise IngestError(400, f"field(s) {', '.join(unknown)} are not in the schema of {entity.name}")
        missing = sorted(set(fields) - set(columns))
        if missing:
            raise IngestError(
                400, f"every schema field must be present (blank if no value); missing: {', '.join(missing)}"
            )
        arrays = []
        for short, name in fields.items():
            values = [
                None if v is None or v == "" else (v if isinstance(v, str) else _json_text(v)) for v in columns[short]
            ]
            target = schema.field(name).type
            text = pa.array(values, pa.string())
            try:
                arrays.append(pc.cast(text, target))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                bad = next(i for i, v in enumerate(values) if v is not None and not _casts(v, target))
                raise IngestError(400, f"record {bad + 1}: {short}={values[bad]!r} is not a valid {target}") from None
        return pa.Table.from_arrays(arrays, names=list(fields.values()))

    def apply(
        self, dataspace: str, entity: Entity, table: pa.Table, operation: str = "upsert", wait: bool = True
    ) -> None:
        """Upsert (or delete, by primary key) after the processing delay (``wait``), or now."""

        def run() -> None:
            if operation == "delete":
                key = entity.primary_keys[0]
                self.engine.delete_keys(dataspace, entity.name, key, [str(v) for v in table.column(0).to_pylist()])
            else:
                self.engine.upsert_arrow(dataspace, entity.name, table, list(entity.primary_keys))

        if wait and self.delay > 0:
            timer = threading.Timer(self.delay, run)
            timer.daemon = True
            timer.start()
        else:
            run()

    # -- bulk jobs -----------------------------------------------------------------------------

    def create(self, source: str, obj: str, operation: str, owner: str, dataspace: str) -> Job:
        now = dt.datetime.now(dt.timezone.utc)
        job = Job(str(uuid.uuid4()), source, obj, operation, owner, dataspace, now)
        with self._lock:
            self.jobs[job.id] = job
        return job

    def job(self, job_id: str, owner: str, dataspace: str) -> Job:
        """A job of this user and dataspace (another's is as absent as a job that never was)."""
        found = self.jobs.get(job_id)
        if found is None or found.owner != owner or found.dataspace != dataspace:
            raise IngestError(404, f"job {job_id} does not exist", "NOT_FOUND")
        return found

    def upload(self, job: Job, data: bytes) -> None:
        if job.state != "Open":
            raise IngestError(
                409, f"job {job.id} is {job.state}: data can only be added to an Open job", "INVALID_STATE"
            )
        if len(job.parts) >= wire.INGEST_BULK_MAX_FILES:
            raise IngestError(400, f"a job takes at most {wire.INGEST_BULK_MAX_FILES} files")
        if len(data) > wire.INGEST_BULK_MAX_FILE_BYTES:
            raise IngestError(413, f"a file may hold at most {wire.INGEST_BULK_MAX_FILE_BYTES:,} bytes", "TOO_LARGE")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise IngestError(400, "the CSV file is not UTF-8") from None
        job.parts.append(data)
        job.modified = dt.datetime.now(dt.timezone.utc)

    def change_state(self, job: Job, state: str, entity: Entity | None) -> None:
        if state not in ("UploadComplete", "Aborted"):
            raise IngestError(400, f"state must be UploadComplete (close) or Aborted (abort), not {state!r}")
        if job.state != "Open":
            raise IngestError(
                409, f"job {job.id} is {job.state}: only an Open job can be closed or aborted", "INVALID_STATE"
            )
        job.modified = dt.datetime.now(dt.timezone.utc)
        if state == "Aborted":
            job.state, job.parts = "Aborted", []
            return
        job.state = "UploadComplete"
        assert entity is not None
        worker = threading.Thread(target=self._process, args=(job, entity), daemon=True)
        worker.start()

    def _process(self, job: Job, entity: Entity) -> None:
        if self.delay > 0:
            threading.Event().wait(self.delay)
        job.state = "InProgress"
        try:
            tables = [self._parse(job, entity, part) for part in job.parts]
            for table in tables:
                self.apply(job.dataspace, entity, table, job.operation, wait=False)  # the delay was above
                job.records_processed += table.num_rows
            job.state = "JobComplete"
        except IngestError as exc:
            job.state, job.error = "Failed", str(exc)
            job.records_failed = sum(part.count(b"\n") for part in job.parts) - job.records_processed
        finally:
            job.parts = []
            job.modified = dt.datetime.now(dt.timezone.utc)

    def _parse(self, job: Job, entity: Entity, data: bytes) -> pa.Table:
        """A CSV part: an upsert's has a header of schema field names; a delete's has none, the
        primary key in its first column."""
        header = job.operation != "delete"
        first = next(csv.reader(io.StringIO(data.split(b"\n", 1)[0].decode("utf-8"))), [])
        names = first if header else [f"f{i}" for i in range(len(first))]
        try:  # every column as text: the object's types decide, never an inference ("007" stays "007")
            table = pacsv.read_csv(
                io.BytesIO(data),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 if header else 0),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
            )
        except pa.ArrowInvalid as exc:
            raise IngestError(400, f"the CSV file cannot be read: {exc}") from None
        if not header:
            return table.select([0])
        columns = {name: table.column(name).to_pylist() for name in table.column_names}
        return self.typed(job.dataspace, entity, columns, table.num_rows)

    def delete(self, job: Job) -> None:
        if job.state not in ("UploadComplete", *wire.INGEST_FINAL_STATES):
            raise IngestError(
                409, f"job {job.id} is {job.state}: close or abort it before deleting it", "INVALID_STATE"
            )
        with self._lock:
            self.jobs.pop(job.id, None)


def _json_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _casts(value: str, target: pa.DataType) -> bool:
    try:
        pc.cast(pa.array([value], pa.string()), target)
        return True
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
