"""The SQL layer for CDP APIs that do not speak SQL.

A backend declares its tables (:mod:`~cdpdb.core.sqlapi.tables`): columns with Arrow types, keys,
comments, which predicates each column lets the API apply, whether the API orders and limits, and
a scan that yields Arrow record batches. The engine (:mod:`~cdpdb.core.sqlapi.engine`) parses a
statement with sqlglot, hands each table the predicates it accepts (:mod:`~cdpdb.core.sqlapi.pushdown`),
and evaluates the whole statement — joins, GROUP BY, window functions — in DuckDB over the scans.
Pushed predicates only narrow what a scan returns: DuckDB evaluates every predicate again, so an
inexact pushdown never changes a result.
"""
