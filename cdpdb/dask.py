"""``cdpdb.dask.read_datacloud(sql, **connect_args)`` → a Dask DataFrame read by many workers
(``pip install 'cdpdb[dask]'``; see docs/scale-out.md)."""

from cdpdb.backends.salesforce.scaleout.dask import read_datacloud

__all__ = ["read_datacloud"]
