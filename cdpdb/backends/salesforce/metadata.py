"""The Metadata API (``/api/v1/metadata``) as value objects: entities, fields, keys, relationships.

One call returns every object of a dataspace; :class:`MetadataCache` keeps that answer per
connection and dataspace, so a BI tool listing thousands of tables costs a single request.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cdpdb.core.sqlscan import unquoted_names
from cdpdb.exceptions import OperationalError, ProgrammingError

ENTITY_TYPES = {"__dll": "DataLakeObject", "__dlm": "DataModelObject", "__cio": "CalculatedInsight"}


@dataclass(frozen=True)
class Field:
    name: str
    display_name: str
    type: str  # STRING, NUMBER, BOOLEAN, DATE, DATE_TIME
    business_type: str | None = None
    precision: int | None = None
    scale: int | None = None
    nullable: bool = True
    role: str = "field"  # field | dimension | measure
    length: int | None = None  # declared length of a text field, when the API gives one


@dataclass(frozen=True)
class Relationship:
    from_entity: str
    to_entity: str
    from_attribute: str | None
    to_attribute: str | None
    cardinality: str | None


@dataclass(frozen=True)
class Entity:
    name: str
    display_name: str
    entity_type: str
    category: str | None
    fields: tuple[Field, ...]
    primary_keys: tuple[str, ...] = ()
    relationships: tuple[Relationship, ...] = field(default=())

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


UNDEFINED_NAME_STATES = frozenset({"42P01", "42703"})  # no such table / no such column


def case_hint(sql: str, entities: dict[str, Entity]) -> str | None:
    """Data Cloud's SQL folds unquoted names to lower case, so ``FROM ssot__SalesOrder__dlm``
    looks for ``ssot__salesorder__dlm``. When a bare word of ``sql`` names a mixed-case object or
    field once folded, say how to write it."""
    mixed: dict[str, str] = {}
    for entity in entities.values():
        for name in (entity.name, *(f.name for f in entity.fields)):
            if name != name.lower():
                mixed.setdefault(name.lower(), name)
    wanted = sorted({mixed[w.lower()] for w in unquoted_names(sql) if w.lower() in mixed})
    if not wanted:
        return None
    quoted = ", ".join(f'"{name}"' for name in wanted)
    return f"unquoted names are folded to lower case; write {quoted} in double quotes"


def _entity_type(name: str) -> str:
    return next((kind for suffix, kind in ENTITY_TYPES.items() if name.endswith(suffix)), "DataLakeObject")


def _field(raw: dict, role: str) -> Field:
    return Field(
        raw["name"],
        raw.get("displayName") or raw["name"],
        str(raw.get("type", "STRING")).upper(),
        raw.get("businessType"),
        raw.get("precision"),
        raw.get("scale"),
        raw.get("nullable", True),
        role,
        raw.get("length"),
    )


def parse_entity(raw: dict) -> Entity:
    """One entity of the Metadata API answer (DLO, DMO or calculated insight)."""
    if "fields" in raw:
        fields = tuple(_field(f, "field") for f in raw["fields"])
    else:
        fields = tuple(_field(f, "dimension") for f in raw.get("dimensions", [])) + tuple(
            _field(f, "measure") for f in raw.get("measures", [])
        )
    keys = tuple(k["name"] for k in sorted(raw.get("primaryKeys", []), key=lambda k: int(k.get("indexOrder", 0))))
    relationships = tuple(
        Relationship(
            r["fromEntity"],
            r["toEntity"],
            r.get("fromEntityAttribute"),
            r.get("toEntityAttribute"),
            r.get("cardinality"),
        )
        for r in raw.get("relationships", [])
    )
    return Entity(
        raw["name"],
        raw.get("displayName") or raw["name"],
        _entity_type(raw["name"]),
        raw.get("category"),
        fields,
        keys,
        relationships,
    )


class MetadataCache:
    """Entities per dataspace, fetched once per connection (``refresh()`` forgets them)."""

    def __init__(self, fetch: Callable[[str | None], Any]) -> None:
        self._fetch_answer = fetch  # the Metadata API's answer for a dataspace (None: the connection's)
        self._entities: dict[str | None, dict[str, Entity]] = {}
        self._lock = threading.Lock()
        self.requests = 0

    def entities(self, dataspace: str | None = None) -> dict[str, Entity]:
        with self._lock:
            if dataspace not in self._entities:
                self._entities[dataspace] = {e.name: e for e in self._fetch(dataspace)}
            return self._entities[dataspace]

    def entity(self, name: str, dataspace: str | None = None) -> Entity | None:
        return self.entities(dataspace).get(name)

    def find(
        self,
        entity_type: str | None = None,
        category: str | None = None,
        name: str | None = None,
        dataspace: str | None = None,
    ) -> list[Entity]:
        """Entities by the Metadata API's own filters — ``entity_type`` (``DataLakeObject``,
        ``DataModelObject``, ``CalculatedInsight``), ``category`` (``Profile``, ``Engagement``,
        ``Related``), ``name`` (exact, or a ``%`` pattern) — from the cached answer."""
        if entity_type is not None and entity_type not in ENTITY_TYPES.values():
            raise ProgrammingError(
                f"entity_type must be one of {', '.join(ENTITY_TYPES.values())}, not {entity_type!r}"
            )
        pattern = re.compile("".join(".*" if part == "%" else re.escape(part) for part in re.split("(%)", name or "%")))
        return [
            entity
            for entity in self.entities(dataspace).values()
            if (entity_type is None or entity.entity_type == entity_type)
            and (category is None or (entity.category or "").lower() == category.lower())
            and pattern.fullmatch(entity.name)
        ]

    def refresh(self) -> None:
        with self._lock:
            self._entities.clear()

    def _fetch(self, dataspace: str | None) -> list[Entity]:
        self.requests += 1
        body = self._fetch_answer(dataspace)
        if not isinstance(body, dict) or not isinstance(body.get("metadata"), list):
            raise OperationalError("the Metadata API answer has no metadata list")
        return [parse_entity(raw) for raw in body["metadata"]]
