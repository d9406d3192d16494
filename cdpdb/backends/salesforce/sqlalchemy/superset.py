"""What Apache Superset needs to speak to Data Cloud: time grains and a db engine spec.

Superset finds engine specs by the SQLAlchemy dialect name; :data:`TIME_GRAIN_EXPRESSIONS` is
plain data so that it can be tested without Superset installed, and
:func:`engine_spec` builds the spec class when Superset is importable.
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


def engine_spec():
    """The Superset engine spec class (``superset`` must be installed)."""
    from superset.db_engine_specs.base import BaseEngineSpec

    class DataCloudEngineSpec(BaseEngineSpec):
        engine = "cdp"
        engine_name = "Salesforce Data Cloud"
        default_driver = "cdpdb"
        sqlalchemy_uri_placeholder = "cdp://user:password@MyDomain.my.salesforce.com/default?client_id=..."
        allows_joins = True
        allows_subqueries = True
        allows_alias_in_select = True
        _time_grain_expressions = TIME_GRAIN_EXPRESSIONS

        @classmethod
        def epoch_to_dttm(cls) -> str:
            return "TO_TIMESTAMP({col})"

    return DataCloudEngineSpec
