"""What every Direct API client shares: the connection's session (login, HTTP, retries, errors),
exact JSON numbers, the objects' metadata, and reading past the per-call row cap by offset."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.metadata import Entity, Field, parse_entity
from cdpdb.exceptions import InterfaceError, OperationalError, ProgrammingError


class DirectClient:
    """A client on a Data Cloud connection (``cdpdb.connect(...)``) or its session."""

    def __init__(self, connection: Any) -> None:
        session = getattr(connection, "session", connection)
        if getattr(session, "backend", None) != "salesforce" or not hasattr(session, "direct_call"):
            raise InterfaceError("the Data Cloud API clients need a Data Cloud connection (cdpdb.connect(...))")
        self._session: Any = session  # a DataCloudSession (not imported: the session imports the clients)

    def _get(self, path: str, params: Mapping[str, Any], what: str) -> dict[str, Any]:
        """The answer's JSON with numbers as ``Decimal`` (a float would round a NUMERIC(38, 18))."""
        content = self._session.direct_get_bytes(path, {k: v for k, v in params.items() if v is not None}, what)
        try:
            body = json.loads(content, parse_float=Decimal)
        except ValueError as exc:
            raise OperationalError(f"{what}: the answer is not JSON ({exc})", reason="broken_transfer") from None
        if not isinstance(body, dict):
            raise OperationalError(f"{what}: the answer is not a JSON object")
        return body

    def _entities(self, path: str, what: str) -> list[Entity]:
        body = self._get(path, {}, what)
        return [parse_entity(raw) for raw in body.get("metadata") or []]

    def _fields(self, name: str) -> dict[str, Field]:
        """The fields of an object or insight, from the Metadata API (one call per connection)."""
        entity = self._session.metadata.entity(name)
        return {} if entity is None else {f.name: f for f in entity.fields}

    def _entity(self, name: str) -> Entity:
        entity = self._session.metadata.entity(name)
        if entity is None:
            raise ProgrammingError(
                f"{name} is not an object of this dataspace (see connection.metadata)", sqlstate="42P01"
            )
        return entity


def names(items: Any) -> str | None:
    """A comma list parameter from a sequence of names (a single string stays as given)."""
    if items is None:
        return None
    if isinstance(items, str):
        return items
    return ",".join(items) or None


def pages(
    fetch: Callable[[int, int], tuple[list[dict[str, Any]], bool]], limit: int | None, offset: int
) -> Iterator[list[dict[str, Any]]]:
    """Rows ``offset`` onwards, ``limit`` at most (None: all), one call per 4,999 rows.

    ``fetch(offset, count)`` returns a page and whether the server said it was the last one.
    """
    remaining = limit
    while remaining is None or remaining > 0:
        count = wire.PROFILE_MAX_ROWS if remaining is None else min(remaining, wire.PROFILE_MAX_ROWS)
        rows, done = fetch(offset, count)
        yield rows
        offset += len(rows)
        if remaining is not None:
            remaining -= len(rows)
        if done or len(rows) < count:
            return


def page_of(body: Mapping[str, Any], count: int) -> tuple[list[dict[str, Any]], bool]:
    """``{"data": [...], "done": bool}``; a missing ``done`` (UNCONFIRMED for insights) means a short page ends."""
    rows = list(body.get("data") or [])
    if rows and isinstance(rows[0], list):  # one documented example wraps data in a second array
        rows = [row for inner in rows for row in inner]
    done = body.get("done")
    return rows, bool(done) if done is not None else len(rows) < count
