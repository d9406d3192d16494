"""``salesforce-cdp-connector``'s ``list_tables()`` answer: the Metadata API as its value objects.

The old connector asked the Metadata API once per call, with the caller's filters as query
parameters, and turned every entity into a ``GenieTable``. The same request is made here, on
the connection's session (its token, dataspace, TLS and retries), so the server filters exactly
as before; the objects keep the old attribute names and read every key the answer may lack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.session import DataCloudSession
from cdpdb.exceptions import OperationalError

# The Metadata API's filters, as the old connector's keyword arguments name them.
# (A wire fact the local Data Cloud spells too: see the closing note of this package's PR.)
FILTERS = {
    "table_name": wire.METADATA_ENTITY_NAME,
    "table_category": wire.METADATA_ENTITY_CATEGORY,
    "table_type": wire.METADATA_ENTITY_TYPE,
}


@dataclass
class PrimaryKeys:
    name: str | None = None
    display_name: str | None = None
    index_order: Any = None


@dataclass
class Relationship:
    from_table: str | None = None
    to_table: str | None = None
    from_entity_attribute: str | None = None
    to_entity_attribute: str | None = None
    cardinality: str | None = None


@dataclass
class Field:
    name: str | None = None
    display_name: str | None = None
    type: str | None = None  # as the Metadata API spells it: STRING, NUMBER, DATE_TIME...
    is_measure: bool = False
    is_dimension: bool = False


@dataclass
class Index:
    fields: list[Field] = field(default_factory=list)


@dataclass
class GenieTable:
    name: str | None = None
    display_name: str | None = None
    category: str | None = None
    partition_by: Any = None
    primary_keys: list[PrimaryKeys] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)


def _field(raw: dict[str, Any], *, measure: bool = False, dimension: bool = False) -> Field:
    return Field(raw.get("name"), raw.get("displayName"), raw.get("type"), measure, dimension)


def _fields(raw: dict[str, Any]) -> list[Field]:
    """Objects list ``fields``; calculated insights list ``dimensions`` then ``measures``."""
    if "fields" in raw:
        return [_field(f) for f in raw["fields"]]
    return [_field(f, dimension=True) for f in raw.get("dimensions", [])] + [
        _field(f, measure=True) for f in raw.get("measures", [])
    ]


def genie_table(raw: dict[str, Any]) -> GenieTable:
    """One entity of the Metadata API answer."""
    return GenieTable(
        name=raw.get("name"),
        display_name=raw.get("displayName"),
        category=raw.get("category"),
        partition_by=raw.get("partitionBy"),
        primary_keys=[
            PrimaryKeys(k.get("name"), k.get("displayName"), k.get("indexOrder")) for k in raw.get("primaryKeys", [])
        ],
        fields=_fields(raw),
        relationships=[
            Relationship(
                r.get("fromEntity"),
                r.get("toEntity"),
                r.get("fromEntityAttribute"),
                r.get("toEntityAttribute"),
                r.get("cardinality"),
            )
            for r in raw.get("relationships", [])
        ],
        indexes=[
            Index([Field(f.get("name"), type=f.get("type")) for f in index.get("fields", [])])
            for index in raw.get("indexes", [])
        ],
    )


def list_tables(session: DataCloudSession, **filters: str | None) -> list[GenieTable]:
    """The entities matching ``filters`` (``table_name``, ``table_category``, ``table_type``),
    filtered by the Metadata API itself as the old connector had it do."""
    params = {FILTERS[name]: value for name, value in filters.items() if value is not None}
    body = session.direct_get(wire.METADATA_PATH, params or None, "the Metadata API")
    if not isinstance(body, dict) or not isinstance(body.get("metadata"), list):
        raise OperationalError("the Metadata API answer has no metadata list")
    return [genie_table(raw) for raw in body["metadata"]]
