"""What every engine of the emulator kit shares: the error it raises, the SQLSTATE of a cancelled
statement, identifier and literal quoting, and the :class:`Engine` protocol the query runner
drives, so that a backend can pick the engine its data needs (Hyper, or DuckDB for array
columns) and keep the same runner, result store and cancellation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa

CANCELED = "57014"  # SQLSTATE of a statement stopped by a cancel request


@dataclass
class EngineError(Exception):
    """A SQL error raised by an engine, with the diagnostics a client needs to show it well."""

    sqlstate: str
    message: str
    position: int | None = None  # 1-based character offset into the submitted SQL
    hint: str | None = None

    def __str__(self) -> str:
        return self.message


class Engine(Protocol):
    """What the query runner needs of an engine: one namespace of tables per dataspace, and a
    query that hands its canceller to ``on_start`` before it runs."""

    @property
    def dataspaces(self) -> list[str]: ...

    def query_arrow(
        self, dataspace: str, sql: str, on_start: Callable[[Callable[[], None]], None] | None = None
    ) -> pa.Table: ...

    def execute(self, dataspace: str, sql: str) -> None: ...

    def close(self) -> None: ...


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text values cannot contain the NUL character")
    return "'" + value.replace("'", "''") + "'"
