"""An Adobe session: each sandbox's Real-Time Customer Profile data as tables of the shared SQL layer.

The sandbox is the schema: ``profiles`` reads the connection's sandbox (``sandbox=``, prod by
default), ``dev.profiles`` the sandbox ``dev``. Table names inside are declared as
``<sandbox>.<table>``; a statement's schema-qualified references are rewritten to those names
before the shared engine plans it. docs/adobe.md lists the tables and what each pushes down.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.client import PlatformApi
from cdpdb.backends.adobe.exports import USAGE, Exports, export_call
from cdpdb.backends.adobe.lists import list_tables
from cdpdb.backends.adobe.settings import Settings
from cdpdb.backends.adobe.tables import EntityTable, EventsTable, ListTable, col
from cdpdb.backends.adobe.writes import Writer
from cdpdb.core import binding
from cdpdb.core.jobs import QueryControl, Status
from cdpdb.core.results.schema import Result
from cdpdb.core.sqlapi.duckdb_sql import literal
from cdpdb.core.sqlapi.session import ApiSession
from cdpdb.core.sqlapi.tables import Table
from cdpdb.exceptions import NotSupportedError, ProgrammingError

log = logging.getLogger(__name__)
SANDBOX_COLUMNS = [
    col("name", pa.string()),
    col("title", pa.string()),
    col("state", pa.string()),
    col("type", pa.string()),
    col("region", pa.string()),
    col("isDefault", pa.bool_()),
]


def open_session(arguments: Mapping[str, Any]) -> AdobeSession:
    return AdobeSession(Settings.from_arguments(arguments))


def sandbox_tables(api: PlatformApi, settings: Settings, sandbox: str) -> dict[str, Table]:
    tables: dict[str, Table] = {
        "profiles": EntityTable(
            api, sandbox, "profiles", wire.PROFILE_SCHEMA, settings.batch_size, settings.lookup_threads
        ),
        "accounts": EntityTable(
            api, sandbox, "accounts", wire.ACCOUNT_SCHEMA, settings.batch_size, settings.lookup_threads
        ),
        "experience_events": EventsTable(api, sandbox, settings.event_page_size),
    }
    tables.update(list_tables(api, sandbox))
    return tables


class AdobeSession(ApiSession):
    backend = "adobe"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.api = PlatformApi(settings)
        try:
            listed = self.api.get(self.api.url(wire.SANDBOXES), sandbox=settings.sandbox, what="listing sandboxes")
            self.sandbox_list = [s for s in (listed or {}).get("sandboxes", []) if isinstance(s, dict)]
            self.sandboxes = [
                str(s["name"]) for s in self.sandbox_list if s.get("state", wire.SANDBOX_ACTIVE) == wire.SANDBOX_ACTIVE
            ]
            if settings.sandbox not in self.sandboxes:
                raise ProgrammingError(
                    f"sandbox {settings.sandbox!r} is not an active sandbox of this organisation; "
                    f"give sandbox= one of: {', '.join(self.sandboxes) or '(none)'}",
                    reason="unknown_sandbox",
                )
            tables: dict[str, Table] = {}
            for sandbox in self.sandboxes:
                for name, table in sandbox_tables(self.api, settings, sandbox).items():
                    tables[f"{sandbox}.{name}"] = table
                    if sandbox == settings.sandbox:
                        tables[name] = table
            tables["sandboxes"] = ListTable(
                "sandboxes",
                SANDBOX_COLUMNS,
                lambda: self.sandbox_list,
                "the organisation's sandboxes (each is a schema)",
                ("name",),
            )
        except BaseException:
            self.api.close()
            raise
        super().__init__(tables)
        self.writer = Writer(self.api, settings.sandbox, self.sandboxes)
        self.exports = Exports(self.api)
        plain = sorted({name.rsplit(".", 1)[-1] for name in self.tables}, key=len, reverse=True)
        # "<schema>.<one of our table names>": only then is a statement parsed here to route it
        self._qualified = re.compile(rf'\.\s*"?(?:{"|".join(map(re.escape, plain))})\b', re.IGNORECASE)
        log.debug("connected to %s: sandboxes %s", settings.base_url, self.sandboxes)

    @property
    def read_only(self) -> str | None:
        """None: the Profile API's writes run (writes.py says which statements they are)."""
        return None

    def write(self, sql: str, parameters: Any) -> int:
        return self.writer.write(binding.inline(sql, parameters, literal, None))

    supports_async = True

    def submit(self, sql: str, parameters: Any) -> str:
        """Starts a profile export job (exports.py); no other statement runs asynchronously."""
        found = export_call(binding.inline(sql, parameters, literal, None), self.settings.sandbox)
        if found is None:
            raise NotSupportedError(USAGE, sqlstate="0A000")
        sandbox, arguments = found
        if sandbox not in self.sandboxes:
            raise ProgrammingError(
                f"{sandbox!r} is not a sandbox of this organisation", sqlstate="3F000", reason="unknown_sandbox"
            )
        return self.exports.start(sandbox, arguments)

    def status(self, query_id: str, wait_ms: int = 0) -> Status:
        return self.exports.status(query_id)

    def results(self, query_id: str, control: QueryControl) -> Result:
        """Waits for the export job, then its row of ``profile_export_jobs``."""
        self.exports.wait(query_id, control)
        sandbox, job = query_id.split(":", 1)
        if not (job.isascii() and job.isdigit()):
            raise ProgrammingError(f"{query_id!r} is not an Adobe export job id", sqlstate="42704")
        return self.engine.run(f'SELECT * FROM "{sandbox}.profile_export_jobs" WHERE id = {int(job)}', control.stop)

    def cancel(self, query_id: str) -> None:
        self.exports.cancel(query_id)

    def tables_of(self, sandbox: str | None) -> dict[str, Table]:
        """The tables of one sandbox by their plain names (None: the connection's sandbox)."""
        sandbox = sandbox or self.settings.sandbox
        prefix = f"{sandbox}."
        return {k[len(prefix) :]: t for k, t in self.tables.items() if k.startswith(prefix)}

    def execute(self, sql: str, parameters: Any, control: QueryControl, **options: Any) -> Result:
        if options:
            raise ProgrammingError(f"unknown execute() option(s) for {self.backend}: {', '.join(sorted(options))}")
        bound = binding.inline(sql, parameters, literal, control.edits)
        return self.engine.run(self.route(bound), control.stop)

    def route(self, sql: str) -> str:
        """``<sandbox>.<table>`` references → the declared ``"<sandbox>.<table>"`` names (aliased
        by the plain name, so ``profiles.identity`` and SQLAlchemy's ``dev.profiles.identity``
        still resolve; the same table of two sandboxes in one statement needs aliases); other
        SQL unchanged."""
        if not self._qualified.search(sql):
            return sql  # no schema-qualified table: spare a second parse (a 10,000-literal IN costs a second)
        try:
            statements = sqlglot.parse(sql, read="duckdb")
        except ParseError:
            return sql  # the engine reports the syntax error with its position
        if len(statements) != 1 or statements[0] is None:
            return sql
        statement = statements[0]
        changed = False
        routed: set[tuple[str, str]] = set()
        for node in list(statement.find_all(exp.Table)):
            db = node.args.get("db")
            if db is None or node.args.get("catalog") is not None:
                continue
            name = f"{db.name}.{node.name}"
            if db.name not in self.sandboxes:
                raise ProgrammingError(
                    f"{db.name!r} is not a sandbox of this organisation: the schemas are {', '.join(self.sandboxes)}",
                    sqlstate="3F000",
                    reason="unknown_sandbox",
                )
            if name not in self.tables:
                continue  # the engine names the unknown table
            alias = node.args.get("alias")
            replacement = exp.Table(this=exp.to_identifier(name, quoted=True))
            replacement.set("alias", alias or exp.TableAlias(this=exp.to_identifier(node.name)))
            node.replace(replacement)
            routed.add((db.name, node.name))
            changed = True
        for column in statement.find_all(exp.Column):  # dev.profiles.identity → profiles.identity
            db = column.args.get("db")
            if db is not None and (db.name, column.table) in routed:
                column.set("db", None)
        return statement.sql(dialect="duckdb") if changed else sql

    def close(self) -> None:
        self.api.close()

    def __repr__(self) -> str:
        return f"<AdobeSession {self.settings.base_url}: sandboxes {', '.join(self.sandboxes)}>"
