"""Ray Data over a Data Cloud result: a :class:`ray.data.Datasource` whose read tasks each read a
contiguous range of the result's chunks (the model: Ray's own Databricks reader — submit once,
read the manifest, split the chunks across read tasks). Needs ``pip install 'cdpdb[ray]'``."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from ray.data import Dataset, read_datasource
from ray.data.block import BlockMetadata
from ray.data.datasource import Datasource, ReadTask

from cdpdb.backends.salesforce.query.partitions import merged
from cdpdb.backends.salesforce.scaleout.common import partitions_of, read_table, row_bytes
from cdpdb.core.results.partitions import Partition, Partitions, split_ranges
from cdpdb.exceptions import InternalError, OperationalError


def _read(partition: Partition, schema: pa.Schema) -> Iterator[pa.Table]:
    """The task's chunks as ONE block, yielded only once all are read: a task that fails
    part-way and runs again cannot have handed out any of its rows before."""
    yield read_table(partition, schema)


class DataCloudDatasource(Datasource):  # type: ignore[misc]
    """The query runs once, here on the driver (Ctrl-C or an error while it runs cancels it on
    the server); the read tasks carry its partitions, never a password or client secret."""

    def __init__(self, sql: str, parameters: Any = None, *, partitions: Partitions | None = None, **connect_args: Any):
        super().__init__()
        self.partitions = partitions or partitions_of(sql, parameters, None, connect_args)

    def get_name(self) -> str:
        return "DataCloud"

    def estimate_inmemory_data_size(self) -> int | None:
        return sum(p.estimated_rows for p in self.partitions) * row_bytes(self.partitions.schema)

    def get_read_tasks(
        self, parallelism: int, per_task_row_limit: int | None = None, data_context: Any = None
    ) -> list[ReadTask]:
        """``parallelism`` read tasks (fewer when there are fewer chunks), each a contiguous run of
        the result's one-chunk partitions. ``num_rows`` in the metadata is exact or None (Ray's
        count() trusts it); the size is an estimate from the result's row count and schema."""
        parts, schema = self.partitions.partitions, self.partitions.schema
        tasks = []
        for index, group in enumerate(split_ranges(len(parts), max(parallelism, 1))):
            chosen = merged(parts[group.start : group.stop], index)  # one range: its chunks download in parallel
            exact = self.partitions.row_count if group.stop - group.start == len(parts) else None
            estimate = chosen.estimated_rows
            metadata = BlockMetadata(
                num_rows=exact, size_bytes=int(estimate * row_bytes(schema)), input_files=None, exec_stats=None
            )
            tasks.append(
                ReadTask(
                    functools.partial(_read, chosen, schema),
                    metadata,
                    schema=schema,
                    per_task_row_limit=per_task_row_limit,
                )
            )
        return tasks


#: A read task that fails on the server's side or the network's (after the session's own HTTP
#: retries) runs again, up to this many times; each task returns its rows as one block, so a
#: task run twice never delivers a row twice. ``ray_remote_args`` overrides it.
TASK_RETRIES = {"max_retries": 3, "retry_exceptions": [InternalError, OperationalError]}


def read_datacloud(
    sql: str,
    parameters: Any = None,
    *,
    parallelism: int = -1,
    ray_remote_args: dict[str, Any] | None = None,
    **connect_args: Any,
) -> Dataset:
    """A Ray Dataset of ``sql``'s result: the query runs once (now), ``parallelism`` read tasks
    (-1: Ray decides, at most one per chunk) read its chunks. ``connect_args``: as ``cdpdb.connect()``."""
    source = DataCloudDatasource(sql, parameters, **connect_args)
    return read_datasource(
        source,
        override_num_blocks=None if parallelism == -1 else parallelism,
        ray_remote_args={**TASK_RETRIES, **(ray_remote_args or {})},
    )
