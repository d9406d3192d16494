"""INSERT, ``executemany`` and ``DataFrame.to_sql`` into Data Cloud, through the Ingestion API.

The Query API only reads; rows reach Data Cloud through an Ingestion API source. With
``ingestion_source="Ecommerce"``, the data lake objects that source feeds (``Ecommerce_<object>__dll``)
take INSERTs: the statement's rows are checked against the object's schema before anything is
sent, then streamed (fewer than ``ingest_bulk_rows``) or loaded as one bulk job (more), and
``rowcount`` is the rows Data Cloud accepted. Everything else stays read-only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from cdpdb.backends.salesforce.apis.ingest import IngestionClient
from cdpdb.backends.salesforce.apis.records import column_of
from cdpdb.backends.salesforce.metadata import Entity
from cdpdb.backends.salesforce.types import TYPES
from cdpdb.exceptions import NotSupportedError

if TYPE_CHECKING:
    from cdpdb.core.sqlapi.tables import Field, Scan, Table


def ingestion_tables(session: Any, source: str, bulk_rows: int) -> dict[str, Table]:
    """The data lake objects ``source`` feeds (``session``: a DataCloudSession), as writable tables."""
    from cdpdb.core.sqlapi.tables import Field, Table

    class IngestionTable(Table):
        writable = True

        def __init__(self, entity: Entity, obj: str) -> None:
            self.name, self.object, self.comment = entity.name, obj, f"object {obj} of Ingestion API source {source}"
            self.fields: Sequence[Field] = [
                Field(f.name, TYPES.arrow(column_of(f, f.name)) or pa.decimal128(38, 18), f.nullable)
                for f in entity.fields
            ]
            self.primary_key = entity.primary_keys

        def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
            raise NotSupportedError(f"{self.name} is read with SELECT through the Query API, not here")

        def insert(self, rows: pa.Table) -> int:
            client = IngestionClient(session)
            if rows.num_rows >= bulk_rows:
                job = client.bulk_upsert(source, self.object, rows, table=self.name)
                return job.records_processed
            return client.stream(source, self.object, rows, table=self.name)

    prefix = f"{source}_"
    return {
        entity.name: IngestionTable(entity, entity.name[len(prefix) : -len("__dll")])
        for entity in session.metadata.entities().values()
        if entity.name.startswith(prefix) and entity.name.endswith("__dll") and len(entity.name) > len(prefix) + 5
    }


def ingest(session: Any, sql: str, parameter_sets: Sequence[Any] | None) -> int:
    """One INSERT (with any number of parameter sets) into a table the Ingestion API source feeds."""
    try:
        from cdpdb.core.sqlapi.engine import Engine
        from cdpdb.core.sqlapi.writes import Writer
    except ImportError as exc:
        raise NotSupportedError(
            f"INSERT into Data Cloud needs the SQL layer ({exc.name} is missing): pip install 'cdpdb[sqlapi]'"
        ) from None
    source = session.settings.ingestion_source
    assert source is not None
    tables = ingestion_tables(session, source, session.settings.ingest_bulk_rows)
    if not tables:
        raise NotSupportedError(
            f"no data lake object of this dataspace is fed by Ingestion API source {source!r} "
            f"(none is named {source}_<object>__dll): check ingestion_source="
        )
    return Writer(tables, Engine(tables)).run(sql, parameter_sets)
