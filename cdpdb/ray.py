"""``cdpdb.ray.read_datacloud(sql, **connect_args)`` → a Ray Dataset read by many workers
(``pip install 'cdpdb[ray]'``; see docs/scale-out.md)."""

from cdpdb.backends.salesforce.scaleout.ray import DataCloudDatasource, read_datacloud

__all__ = ["DataCloudDatasource", "read_datacloud"]
