"""``cdpdb.spark.register(spark)`` then ``spark.read.format("cdpdb")``: a PySpark Python Data
Source read by Spark's executors (``pip install 'cdpdb[spark]'``; see docs/scale-out.md)."""

from cdpdb.backends.salesforce.scaleout.spark import DataCloudDataSource, register

__all__ = ["DataCloudDataSource", "register"]
