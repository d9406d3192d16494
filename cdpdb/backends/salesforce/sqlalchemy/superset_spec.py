"""Apache Superset's engine spec for Salesforce Data Cloud (engine ``cdp``); imports Superset.

Loaded only by Superset, through the ``superset.db_engine_specs`` entry point in pyproject.toml
(there is no superset_config.py step). The data it uses is in ``superset.py``; the behaviour
shared with cdpdb's other dialects (errors by their data, literals, schemas as dataspaces) in
``cdpdb/sqlalchemy/superset_base.py``.
"""

from __future__ import annotations

from typing import ClassVar

from cdpdb.backends.salesforce.sqlalchemy import superset as facts
from cdpdb.sqlalchemy.superset_base import DataspaceEngineSpec


class DataCloudEngineSpec(DataspaceEngineSpec):
    """Salesforce Data Cloud through the ``cdp`` dialect: schemas are dataspaces."""

    engine = "cdp"
    engine_name = "Salesforce Data Cloud"
    drivers: ClassVar[dict[str, str]] = {"cdpdb": "cdpdb, over the Data Cloud Query API"}
    sqlalchemy_uri_placeholder = "cdp://user:password@MyDomain.my.salesforce.com/default?client_id=...&api=v3"
    _time_grain_expressions = facts.TIME_GRAIN_EXPRESSIONS

    @classmethod
    def epoch_to_dttm(cls) -> str:
        return facts.EPOCH_TO_DTTM

    @classmethod
    def epoch_ms_to_dttm(cls) -> str:
        return facts.EPOCH_MS_TO_DTTM
