"""Apache Superset's engine spec for Treasure Data CDP (engine ``treasuredata``); imports Superset.

Loaded only by Superset, through the ``superset.db_engine_specs`` entry point in pyproject.toml.
Queries run in cdpdb's shared SQL layer (DuckDB over the Audience API's tables), so the time
grains are DuckDB's; there are no schemas to pick (one parent segment's tables per connection).
"""

from __future__ import annotations

from typing import ClassVar

from cdpdb.sqlalchemy import superset_rules
from cdpdb.sqlalchemy.superset_base import CdpdbEngineSpec


class TreasureDataEngineSpec(CdpdbEngineSpec):
    """Treasure Data CDP through the ``treasuredata`` dialect."""

    engine = "treasuredata"
    engine_name = "Treasure Data CDP"
    drivers: ClassVar[dict[str, str]] = {"cdpdb": "cdpdb, over the Audience API"}
    sqlalchemy_uri_placeholder = "treasuredata:///?site=us01 (API key in CDPDB_TD_APIKEY)"
    _time_grain_expressions = superset_rules.SQLAPI_TIME_GRAINS

    @classmethod
    def epoch_to_dttm(cls) -> str:
        return "TO_TIMESTAMP({col})"
