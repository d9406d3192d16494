"""Old import path of the Superset time grains and engine spec, kept for code written against it.

Superset itself finds the spec through the ``superset.db_engine_specs`` entry point; nothing needs
:func:`engine_spec` any more.
"""

from __future__ import annotations

from typing import Any

from cdpdb.backends.salesforce.sqlalchemy.superset import TIME_GRAIN_EXPRESSIONS

__all__ = ["TIME_GRAIN_EXPRESSIONS", "engine_spec"]


def engine_spec() -> Any:
    """The Superset engine spec class of Data Cloud (``superset`` must be installed)."""
    from cdpdb.backends.salesforce.sqlalchemy.superset_spec import DataCloudEngineSpec

    return DataCloudEngineSpec
