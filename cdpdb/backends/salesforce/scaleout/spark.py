"""Spark over a Data Cloud result: a PySpark Python Data Source (Spark 4.0+) named ``cdpdb``,
whose reader yields Arrow record batches per partition. Needs ``pip install 'cdpdb[spark]'``.

    register(spark)
    df = spark.read.format("cdpdb").option("sql", "SELECT ...").options(**connect_args).load()

Options are ``sql``, ``partitions`` (how many; default one per chunk) and every ``cdpdb.connect()``
setting, as text. Keep secrets out of options where you can: ``CDPDB_*`` environment variables
of the driver work too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition
from pyspark.sql.pandas.types import from_arrow_schema

import cdpdb
from cdpdb.backends.salesforce.scaleout.common import partitions_of
from cdpdb.core.results.partitions import Partition
from cdpdb.exceptions import ProgrammingError

NAME = "cdpdb"
OWN_OPTIONS = ("sql", "partitions")


def _split_options(options: dict[str, str]) -> tuple[str, int | None, dict[str, str]]:
    sql = options.get("sql")
    if not sql:
        raise ProgrammingError('spark.read.format("cdpdb") needs .option("sql", "SELECT ...")')
    count = options.get("partitions")
    connect_args = {k: v for k, v in options.items() if k not in OWN_OPTIONS}
    return sql, int(count) if count else None, connect_args


def nullable(schema: pa.Schema) -> pa.Schema:
    """``schema`` with every column nullable: what the schema query can promise (a NOT NULL of
    the result is not kept through its LIMIT 0 wrapper), and what Spark checks batches against."""
    return pa.schema([field.with_nullable(True) for field in schema], metadata=schema.metadata)


def _schema_of(sql: str, connect_args: dict[str, str]) -> pa.Schema:
    """The result's schema from the same query with no rows (V3 answers it without scanning)."""
    inner = sql.strip().rstrip(";")
    with cdpdb.connect(**connect_args) as connection:
        cursor = connection.cursor()
        cursor.execute(f"SELECT * FROM ({inner}) AS cdpdb_schema LIMIT 0")
        return cursor.fetch_arrow_table().schema


@dataclass(frozen=True)
class _Slice(InputPartition):  # type: ignore[misc]
    partition: Partition


class DataCloudReader(DataSourceReader):  # type: ignore[misc]
    """Created on the driver, where the query runs once; pickled to the executors with its
    partitions (which carry a short-lived token, never a password or client secret)."""

    def __init__(self, options: dict[str, str]) -> None:
        sql, count, connect_args = _split_options(options)
        self.split = partitions_of(sql, None, count, connect_args)

    def partitions(self) -> list[InputPartition]:
        return [_Slice(p) for p in self.split.partitions]

    def read(self, partition: InputPartition) -> Iterator[pa.RecordBatch]:
        schema = nullable(self.split.schema)  # as schema() declared it
        for batch in partition.partition.read():
            yield pa.RecordBatch.from_arrays(batch.columns, schema=schema)


class DataCloudDataSource(DataSource):  # type: ignore[misc]
    """``spark.read.format("cdpdb")``: a Data Cloud query read by Spark's executors in parallel."""

    @classmethod
    def name(cls) -> str:
        return NAME

    def schema(self) -> Any:
        sql, _, connect_args = _split_options(dict(self.options))
        return from_arrow_schema(nullable(_schema_of(sql, connect_args)))

    def reader(self, schema: Any) -> DataSourceReader:
        return DataCloudReader(dict(self.options))


def register(spark: Any) -> None:
    """Make ``spark.read.format("cdpdb")`` available in this Spark session."""
    spark.dataSource.register(DataCloudDataSource)
