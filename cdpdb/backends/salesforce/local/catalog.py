"""What the local Data Cloud knows about its objects: the answer its Metadata API gives.

Every object (DLO, DMO, calculated insight) is an :class:`Entity`; its columns are typed with the
Hyper SQL type that holds them, and the Metadata API's type names are derived from that type,
so the catalog and the engine can never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cdpdb.backends.salesforce import wire

DLO = "DataLakeObject"
DMO = "DataModelObject"
CIO = "CalculatedInsight"
ENTITY_TYPES = (DLO, DMO, CIO)
CATEGORIES = ("Profile", "Engagement", "Related")

_NUMERIC = re.compile(r"numeric\((\d+),\s*(\d+)\)")
_LENGTH = re.compile(r"(?:varchar|char|character varying|character)\((\d+)\)")
_INTEGER_DIGITS = {"smallint": 5, "integer": 10, "bigint": 19}


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # Hyper type: text, varchar(n), numeric(p,s), bigint, double precision, boolean, date, timestamptz
    display_name: str = ""
    nullable: bool = True
    business_type: str | None = None
    key_qualifier: str | None = None
    role: str = "field"  # field | dimension | measure (calculated insights)

    @property
    def label(self) -> str:
        return self.display_name or _display(self.name)

    @property
    def precision_scale(self) -> tuple[int | None, int | None]:
        match = _NUMERIC.fullmatch(self.sql_type)
        if match:
            return int(match.group(1)), int(match.group(2))
        if self.sql_type in _INTEGER_DIGITS:
            return _INTEGER_DIGITS[self.sql_type], 0
        return None, None

    @property
    def rollupable(self) -> bool:
        """Whether a measure adds up across a coarser time grain (a rate or a percentage does not)."""
        return self.role == "measure" and self.business_type != "Percent"

    @property
    def temporal(self) -> bool:
        return self.sql_type == "date" or self.sql_type.startswith("timestamp")

    @property
    def length(self) -> int | None:
        """The declared length of a text column (only tables made in writable mode have one)."""
        match = _LENGTH.fullmatch(self.sql_type)
        return int(match.group(1)) if match else None

    @property
    def metadata_type(self) -> str:
        """The Metadata API's type name (STRING, NUMBER, BOOLEAN, DATE, DATE_TIME)."""
        return metadata_type_of(self.sql_type)

    def ddl(self) -> str:
        not_null = "" if self.nullable else " NOT NULL"
        return f'"{self.name}" {self.sql_type}{not_null}'


@dataclass(frozen=True)
class Relationship:
    from_entity: str
    to_entity: str
    from_attribute: str
    to_attribute: str
    cardinality: str = "NTOONE"


@dataclass(frozen=True)
class Entity:
    name: str
    entity_type: str
    category: str | None
    columns: tuple[Column, ...]
    primary_keys: tuple[str, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    display_name: str = ""
    partition_by: str | None = None
    dataspaces: frozenset[str] = field(default_factory=lambda: frozenset({wire.DEFAULT_DATASPACE}))

    @property
    def label(self) -> str:
        return self.display_name or _display(self.name)

    def ddl(self) -> str:
        return ", ".join(column.ddl() for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def entity_type_for_name(name: str) -> str:
    """Data Cloud's suffix rule: ``__dll`` lake objects, ``__dlm`` model objects, ``__cio`` insights."""
    if name.endswith("__dlm"):
        return DMO
    if name.endswith("__cio"):
        return CIO
    return DLO


def metadata_type_of(sql_type: str) -> str:
    if sql_type == "text" or sql_type.startswith(("varchar", "char")):
        return "STRING"
    if sql_type == "boolean":
        return "BOOLEAN"
    if sql_type == "date":
        return "DATE"
    if sql_type.startswith("timestamp"):
        return "DATE_TIME"
    return "NUMBER"


def _display(name: str) -> str:
    core = re.sub(r"__(c|dll|dlm|cio)$", "", name)
    core = core.removeprefix("ssot__")
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", core.replace("_", " "))
    return " ".join(words.split())


class Catalog:
    """All entities, with the dataspaces each is visible in."""

    def __init__(self) -> None:
        self._entities: dict[str, Entity] = {}

    def add(self, entity: Entity) -> None:
        self._entities[entity.name] = entity

    def remove(self, name: str, dataspace: str) -> None:
        entity = self._entities.get(name)
        if entity is None:
            return
        rest = entity.dataspaces - {dataspace}
        if rest:
            from dataclasses import replace

            self._entities[name] = replace(entity, dataspaces=rest)
        else:
            del self._entities[name]

    def get(self, name: str, dataspace: str) -> Entity | None:
        entity = self._entities.get(name)
        if entity is None or dataspace not in entity.dataspaces:
            return None
        return entity

    def visible(self, dataspace: str) -> list[Entity]:
        return [e for e in self._entities.values() if dataspace in e.dataspaces]

    def names_ci(self, dataspace: str) -> dict[str, str]:
        """Lower-case name → exact name of every table and column visible in a dataspace."""
        names: dict[str, str] = {}
        for entity in self.visible(dataspace):
            names.setdefault(entity.name.lower(), entity.name)
            for column in entity.columns:
                names.setdefault(column.name.lower(), column.name)
        return names
