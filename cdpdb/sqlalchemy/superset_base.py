"""The part of Apache Superset's engine spec every cdpdb dialect shares (imports Superset).

Superset loads engine specs only through the ``superset.db_engine_specs`` entry point, which
points at each backend's ``superset_spec`` module; nothing else imports this module, so cdpdb
works without Superset installed. The decisions themselves live in ``superset_rules.py``.

Where errors reach the spec (Superset 6.1):

- charts and dataset queries call :meth:`extract_errors` with the exception object (or the one
  :meth:`get_dbapi_mapped_exception` raised ``from`` it): the type comes from the cdpdb error's
  ``sqlstate`` / ``reason``;
- SQL Lab keeps only the text of :meth:`extract_error_message`, which this spec writes with the
  error's code in it, and hands that text to :meth:`extract_errors`;
- "Test connection" hands :meth:`extract_errors` a new exception built from ``str()`` of the
  driver's: the code is gone, and only there do words of cdpdb's messages decide
  (``superset_rules.TEXT_FALLBACK``).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from re import Pattern
from typing import Any, ClassVar

from sqlalchemy.engine import Dialect
from sqlalchemy.engine.url import URL
from superset.db_engine_specs.base import BaseEngineSpec, LimitMethod
from superset.errors import ErrorLevel, SupersetError, SupersetErrorType
from superset.models.core import Database
from superset.sql.parse import Table

from cdpdb.sqlalchemy import superset_rules as rules


class CdpdbEngineSpec(BaseEngineSpec):
    """Base of cdpdb's engine specs: errors by their data, date-time literals, read-only."""

    default_driver = "cdpdb"
    limit_method = LimitMethod.FORCE_LIMIT  # Superset writes LIMIT into the SQL; Hyper and DuckDB run it
    allows_joins = True
    allows_subqueries = True
    allows_alias_in_select = True
    allows_alias_in_orderby = True
    allows_sql_comments = True
    # cdpdb reads: no CSV upload, no CREATE TABLE AS from SQL Lab.
    supports_file_upload = False
    disable_ssh_tunneling = True  # the connection is HTTPS to an API, not a database socket
    # Superset's custom_errors match message text; this spec types errors by their data in
    # extract_errors instead (text only where Superset hands over nothing else, see above).
    custom_errors: ClassVar[dict[Pattern[str], tuple[str, SupersetErrorType, dict[str, Any]]]] = {}

    @classmethod
    def convert_dttm(cls, target_type: str, dttm: datetime, db_extra: dict[str, Any] | None = None) -> str | None:
        """Write the literal in SQL: SQLAlchemy 1.4 (which Superset pins) renders no date literal."""
        return rules.dttm_literal(target_type, dttm)

    # -- errors ---------------------------------------------------------------------------------

    @classmethod
    def extract_error_message(cls, ex: Exception) -> str:
        """SQL Lab keeps only this text: it carries the error's code (see the module docstring)."""
        error = rules.driver_error(ex)
        if error is None:
            return super().extract_error_message(ex)
        return f"{cls.engine_name} error: {rules.tagged_message(error)}"

    @classmethod
    def extract_errors(
        cls, ex: Exception | str, context: dict[str, Any] | None = None, database_name: str | None = None
    ) -> list[SupersetError]:
        """The Superset error for a cdpdb error, by its data where Superset passes the object."""
        error = rules.driver_error(ex) if isinstance(ex, BaseException) else None
        if error is not None:
            kind, detail = rules.error_type(rules.error_code(error)), error.message
        else:
            text = ex if isinstance(ex, str) else cls._extract_error_message(ex)
            kind, detail = rules.type_from_text(text), rules.driver_message(text)
        if kind is None:
            return super().extract_errors(ex, context, database_name)  # type: ignore[arg-type]
        message = rules.MESSAGES[kind] % {"engine": cls.engine_name, "detail": detail}
        extra: dict[str, Any] = {"engine_name": cls.engine_name}
        if kind == rules.MISSING_PARAMETERS:
            extra["missing"] = ["ca_bundle"]
        return [SupersetError(message=message, error_type=SupersetErrorType[kind], level=ErrorLevel.ERROR, extra=extra)]


class DataspaceEngineSpec(CdpdbEngineSpec):
    """A spec whose schemas are the backend's dataspaces, chosen per connection in the URL's
    database part (``cdp://.../<dataspace>``): Superset's schema picker and a dataset's schema
    pick the dataspace its SQL runs in. The schema list is the dialect's ``get_schema_names()``:
    the dataspaces the login can see."""

    supports_dynamic_schema = True

    @classmethod
    def adjust_engine_params(
        cls, uri: URL, connect_args: dict[str, Any], catalog: str | None = None, schema: str | None = None
    ) -> tuple[URL, dict[str, Any]]:
        """Connect to the chosen schema's dataspace: Superset compiles a dataset's table without
        its schema (the dialect never qualifies a dataspace) and runs the text on this engine."""
        if schema:
            uri = uri.set(database=schema)
        return uri, connect_args

    @classmethod
    def get_schema_from_engine_params(cls, sqlalchemy_uri: URL, connect_args: dict[str, Any]) -> str | None:
        """The dataspace the URL names (``None``: the login's default)."""
        return sqlalchemy_uri.database or None

    @classmethod
    def select_star(
        cls,
        database: Database,
        table: Table,
        dialect: Dialect,
        limit: int = 100,
        show_cols: bool = False,
        indent: bool = True,
        latest_partition: bool = True,
        cols: list[Any] | None = None,
    ) -> str:
        """``SELECT * FROM "table" LIMIT n`` without the schema: a dataspace is no qualifier the
        server accepts (it rejects ``"default"."x"``); SQL Lab runs the query in the schema the
        user picked (:meth:`adjust_engine_params`)."""
        if (show_cols or latest_partition) and not cols:
            cols = database.get_columns(table)  # from the table's own dataspace
        unqualified = dataclasses.replace(table, schema=None, catalog=None)
        return super().select_star(database, unqualified, dialect, limit, show_cols, indent, latest_partition, cols)
