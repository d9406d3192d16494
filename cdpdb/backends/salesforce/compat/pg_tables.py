"""``salesforce-datacloud-connector``'s ``list_tables()`` / ``get_table_metadata()``: pg_catalog.

The new connector reads tables and columns from Hyper's pg_catalog with SQL over its own
cursor, and so does this module (one query, our own SQL, through a cdpdb cursor): what it
sees is what a query sees. A column's type is named the way the query APIs name it (the type
table's canonical names, so ``Field.type`` agrees with ``cursor.description``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cdpdb.backends.salesforce.types import lookup
from cdpdb.cursor import Cursor
from cdpdb.exceptions import ProgrammingError

# pg_catalog.pg_class.relkind of each table type a caller may ask for.
RELKINDS = {"TABLE": "r", "VIEW": "v", "MATERIALIZED VIEW": "m", "FOREIGN TABLE": "f", "PARTITIONED TABLE": "p"}
# format_type() spellings the type table does not know by that name.
_PG_SPELLINGS = {
    "character varying": "VARCHAR",
    "character": "CHAR",
    "bpchar": "CHAR",
    "timestamp without time zone": "TIMESTAMP",
    "time without time zone": "TIME",
    "int2": "SMALLINT",
    "int4": "INTEGER",
    "int8": "BIGINT",
    "float4": "REAL",
    "float8": "DOUBLE",
}
_FORMATTED = re.compile(r"([a-z0-9 ]+?)\s*(?:\((\d+)(?:\s*,\s*(\d+))?\))?((?: with(?:out)? time zone)?)")

_SQL = """
SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN :kinds
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND left(n.nspname, 3) <> 'pg_' AND left(n.nspname, 7) <> 'tableau'
"""


@dataclass
class Field:
    """A column: ``type`` as Data Cloud's query APIs name it (Varchar, Numeric, TimestampTZ...)."""

    name: str
    display_name: str
    type: str
    nullable: bool = True
    precision: int | None = None
    scale: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Field:
        return cls(
            data.get("name", ""),
            data.get("displayName", data.get("name", "")),
            data.get("type", "Varchar"),
            data.get("nullable", True),
            data.get("precision"),
            data.get("scale"),
        )


@dataclass
class DataCloudTable:
    """A table: ``category`` is its schema, ``dataspace`` the connection's."""

    name: str
    display_name: str
    category: str
    dataspace: str | None
    fields: list[Field] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any], dataspace: str | None) -> DataCloudTable:
        return cls(
            data.get("name", ""),
            data.get("displayName", data.get("name", "")),
            data.get("category", ""),
            dataspace,
            [Field.from_dict(f) for f in data.get("fields", [])],
        )

    def get_field(self, field_name: str) -> Field | None:
        return next((f for f in self.fields if f.name == field_name), None)


def data_cloud_type(formatted: str) -> tuple[str, int | None, int | None]:
    """``format_type()`` text → (type name, precision, scale): ``numeric(18,2)`` → Numeric, 18, 2."""
    text = formatted.strip().lower()
    match = _FORMATTED.fullmatch(text)
    if match is None:
        return lookup(text).name, None, None
    base = (match[1] + match[4]).strip()
    precision, scale = (int(n) if n else None for n in (match[2], match[3]))
    return lookup(_PG_SPELLINGS.get(base, base)).name, precision, scale


def _kinds(table_types: Sequence[str] | None) -> list[str]:
    if not table_types:
        return list(RELKINDS.values())
    return [RELKINDS.get(kind.upper(), kind) for kind in table_types]  # a relkind letter passes as it is


def tables(
    cursor: Cursor,
    dataspace: str | None,
    *,
    schema: str | None = None,
    name: str | None = None,
    table_types: Sequence[str] | None = None,
    exact: bool = False,
) -> list[DataCloudTable]:
    """Tables (with their columns in order) whose schema and name match: SQL ``LIKE`` patterns,
    or equal names when ``exact``."""
    sql = _SQL
    params: dict[str, Any] = {"kinds": _kinds(table_types)}
    compare = "=" if exact else "LIKE"
    if schema:
        sql += f" AND n.nspname {compare} :schema"
        params["schema"] = schema
    if name:
        sql += f" AND c.relname {compare} :name"
        params["name"] = name
    cursor.execute(sql + " ORDER BY n.nspname, c.relname, a.attnum", params)
    found: dict[tuple[str, str], DataCloudTable] = {}
    for schema_name, table_name, column, formatted, nullable in cursor.fetchall():
        table = found.setdefault(
            (schema_name, table_name), DataCloudTable(table_name, table_name, schema_name, dataspace)
        )
        if column is not None:
            kind, precision, scale = data_cloud_type(formatted)
            table.fields.append(Field(column, column, kind, bool(nullable), precision, scale))
    return list(found.values())


def table(cursor: Cursor, dataspace: str | None, name: str, schema: str | None = None) -> DataCloudTable | None:
    """The table named exactly ``name`` (``schema.name`` works too), or ``None``; a name found in
    several schemas with none given is a ProgrammingError listing them."""
    if not name:
        raise ProgrammingError("get_table_metadata() needs a table name")
    if schema is None and "." in name:
        schema, name = name.split(".", 1)
    found = tables(cursor, dataspace, schema=schema, name=name, exact=True)
    if len(found) > 1:
        where = ", ".join(f"{t.category}.{t.name}" for t in found)
        raise ProgrammingError(f"table {name!r} is in several schemas ({where}); give schema=...")
    return found[0] if found else None
