"""Scale-out readers of a Data Cloud result: Ray, Dask and Spark, each a thin layer over
``cursor.execute_partitions()`` (the query runs once; the workers read its chunks).

Each engine is an optional extra (``pip install 'cdpdb[ray]'``, ``[dask]``, ``[spark]``); the
public names are :mod:`cdpdb.ray`, :mod:`cdpdb.dask` and :mod:`cdpdb.spark`.
"""
