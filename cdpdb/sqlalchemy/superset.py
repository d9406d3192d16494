"""Old import path of the Superset engine spec, kept for code and configs written against it."""

from cdpdb.backends.salesforce.sqlalchemy.superset import TIME_GRAIN_EXPRESSIONS, engine_spec

__all__ = ["TIME_GRAIN_EXPRESSIONS", "engine_spec"]
