"""PEP 249 type objects and constructors, for every backend.

``cursor.description`` gives each column's type as the server spells it; a type object compares
equal to every spelling it covers. Generic SQL names are covered here; each backend's type table
adds its own spellings with :meth:`DBAPIType.cover`, so no type name lives in two places.
"""

from __future__ import annotations

import datetime as _dt
import time as _time


class DBAPIType:
    """A PEP 249 type object: equal to every type name it covers, in any letter case."""

    def __init__(self, *names: str) -> None:
        self._names: set[str] = {name.upper() for name in names}

    def cover(self, *names: str) -> None:
        """Make this type object equal to ``names`` too (a backend's own spellings)."""
        self._names.update(name.upper() for name in names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.upper() in self._names

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return other in self
        return self is other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"DBAPIType({', '.join(sorted(self._names))})"


STRING = DBAPIType("VARCHAR", "CHAR", "TEXT", "STRING")
BINARY = DBAPIType("VARBINARY", "BINARY", "BYTES", "BLOB")
NUMBER = DBAPIType("DECIMAL", "NUMERIC", "BIGINT", "INTEGER", "INT", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT", "REAL")
DATETIME = DBAPIType("DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE")
BOOLEAN = DBAPIType("BOOLEAN", "BOOL")
ROWID = DBAPIType("ROWID")

Date = _dt.date
Time = _dt.time
Timestamp = _dt.datetime
Binary = bytes


def DateFromTicks(ticks: float) -> _dt.date:  # PEP 249 name
    return Date(*_time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> _dt.time:  # PEP 249 name
    return Time(*_time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> _dt.datetime:  # PEP 249 name
    return Timestamp(*_time.localtime(ticks)[:6])
