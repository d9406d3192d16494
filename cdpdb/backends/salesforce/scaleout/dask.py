"""Dask over a Data Cloud result: ``dask.dataframe.from_map`` over its partitions, with the exact
pandas dtypes of ``fetch_pandas_all`` as ``meta``. Needs ``pip install 'cdpdb[dask]'``."""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd

from cdpdb.backends.salesforce.scaleout.common import partitions_of, read_table
from cdpdb.core.results.frames import to_pandas
from cdpdb.core.results.partitions import Partition


def _frame(partition: Partition, schema: Any) -> Any:
    return to_pandas(read_table(partition, schema))


def read_datacloud(sql: str, parameters: Any = None, *, partitions: int | None = None, **connect_args: Any) -> Any:
    """A Dask DataFrame of ``sql``'s result: the query runs once (now), and each of ``partitions``
    Dask partitions (None: one per chunk) reads a contiguous range of its chunks when computed.
    ``connect_args``: as ``cdpdb.connect()``."""
    split = partitions_of(sql, parameters, partitions, connect_args)
    meta = to_pandas(split.schema.empty_table())
    if not split.partitions:
        return dd.from_pandas(meta, npartitions=1)
    return dd.from_map(
        _frame,
        list(split.partitions),
        args=(split.schema,),
        meta=meta,
        label="read-datacloud",
        enforce_metadata=True,
    )
