"""What Apache Superset needs to speak to Data Cloud, as data: time grains and epoch conversion.

Plain data, testable without Superset. The engine spec class that uses it is
``superset_spec.DataCloudEngineSpec``, which Superset finds through the
``superset.db_engine_specs`` entry point (pyproject.toml).
"""

from __future__ import annotations

# Hyper SQL (V3, Connect): PostgreSQL-style date_trunc; "{col}" is the column expression.
TIME_GRAIN_EXPRESSIONS: dict[str | None, str] = {
    None: "{col}",
    "PT1S": "DATE_TRUNC('second', {col})",
    "PT1M": "DATE_TRUNC('minute', {col})",
    "PT1H": "DATE_TRUNC('hour', {col})",
    "P1D": "DATE_TRUNC('day', {col})",
    "P1W": "DATE_TRUNC('week', {col})",
    "P1M": "DATE_TRUNC('month', {col})",
    "P3M": "DATE_TRUNC('quarter', {col})",
    "P1Y": "DATE_TRUNC('year', {col})",
}

#: Seconds since 1970 → timestamp with time zone (Hyper's ``TO_TIMESTAMP``, as PostgreSQL's).
EPOCH_TO_DTTM = "TO_TIMESTAMP({col})"
#: Milliseconds since 1970: divided as a double, so that the milliseconds are kept.
EPOCH_MS_TO_DTTM = "TO_TIMESTAMP({col} / 1000.0)"
