"""What the local Data Cloud does besides HTTP: its objects (catalog), who may read them, the
V1/V2 dialect, loading data and writable mode, over the kit's query runner."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from cdpdb.backends.salesforce.local import writable
from cdpdb.backends.salesforce.local.catalog import Catalog, Column, Entity, entity_type_for_name
from cdpdb.backends.salesforce.local.identity import IdentityProvider
from cdpdb.backends.salesforce.local.ingestion import Ingestion
from cdpdb.backends.salesforce.local.sqlguard import check_admin, check_query
from cdpdb.backends.salesforce.local.sqltext import Translated, translate_legacy
from cdpdb.local.engine import HyperEngine, quote_ident
from cdpdb.local.faults import FaultPlan
from cdpdb.local.results import ResultStore
from cdpdb.local.runner import QueryRunner
from cdpdb.local.tables import sql_type_of


class Backend(QueryRunner):
    def __init__(
        self, engine: HyperEngine, faults: FaultPlan, results: ResultStore, catalog: Catalog, identity: IdentityProvider
    ) -> None:
        super().__init__(engine, faults, results)
        self.catalog, self.identity = catalog, identity
        self.ingestion = Ingestion(engine, faults)

    def translate(self, sql: str, dataspace: str) -> Translated:
        return translate_legacy(sql, self.catalog.names_ci(dataspace))

    def check(self, sql: str, dataspace: str) -> None:
        """Refuse anything but one read query over the objects of ``dataspace`` (see sqlguard)."""
        check_query(sql, (entity.name for entity in self.catalog.visible(dataspace)), dataspace)

    # -- loading ------------------------------------------------------------------------------

    def load(self, entity: Entity, table: pa.Table | None, derived_sql: str | None = None) -> None:
        """Create an object in every dataspace it belongs to, from rows or from a query."""
        if table is not None:  # Hyper's COPY wants Arrow nullability to match the columns' NOT NULL
            table = table.select([c.name for c in entity.columns])
            table = table.cast(
                pa.schema([f.with_nullable(c.nullable) for f, c in zip(table.schema, entity.columns, strict=True)])
            )
        for dataspace in sorted(entity.dataspaces):
            if not self.has_dataspace(dataspace):
                self.engine.create_database(dataspace)
            if table is not None:
                self.engine.load_arrow(dataspace, entity.name, table, entity.ddl())
            else:
                name = quote_ident(entity.name)
                columns = ", ".join(quote_ident(c.name) for c in entity.columns)
                self.engine.execute(dataspace, f"DROP TABLE IF EXISTS {name}")
                self.engine.execute(dataspace, f"CREATE TABLE {name} ({entity.ddl()})")
                self.engine.execute(dataspace, f"INSERT INTO {name} ({columns}) {derived_sql}")
        self.catalog.add(entity)

    # -- writable mode (local only: test fixtures such as SQLAlchemy's compliance suite) ---------

    def write(self, dataspace: str, sql: str, parameters: list | dict | None) -> int:
        check_admin(sql)
        return writable.write(self.engine, self.catalog, dataspace, sql, parameters)


def entity_from_arrow(
    name: str, table: pa.Table, *, category: str | None, primary_keys: tuple[str, ...], dataspaces: Iterable[str]
) -> Entity:
    """Describe a user-supplied table in Data Cloud terms (types from its Arrow schema)."""
    columns = tuple(Column(f.name, sql_type_of(f.type), nullable=f.name not in primary_keys) for f in table.schema)
    missing = set(primary_keys) - {c.name for c in columns}
    if missing:
        raise ValueError(f"primary key column(s) {sorted(missing)} are not in the data")
    kind = entity_type_for_name(name)
    return Entity(name, kind, category, columns, tuple(primary_keys), dataspaces=frozenset(dataspaces))
