"""The part both compat cursors share: a cdpdb cursor underneath, an old connector's surface on top."""

from __future__ import annotations

from typing import Any

from cdpdb.cursor import Cursor


class WrappedCursor:
    """A :class:`cdpdb.Cursor` wearing an old connector's cursor surface.

    Composition rather than a subclass, so the old surface (rows as lists, ``execute`` returning
    ``None``...) cannot leak into cdpdb's own cursor. Every cdpdb cursor feature the old one
    lacked (``fetch_arrow_table``, ``fetch_pandas_all``, ``query_id``, ``execute_async``...) is
    reached through attribute delegation, so a migrated script can adopt them one call at a time;
    ``native`` is the cdpdb cursor itself.
    """

    def __init__(self, native: Cursor) -> None:
        self._native = native

    @property
    def native(self) -> Cursor:
        return self._native

    @property
    def description(self) -> list[tuple[Any, ...]] | None:
        return self._native.description

    @property
    def rowcount(self) -> int:
        """Rows of the last query, exact once known (neither old connector counted them)."""
        return self._native.rowcount

    @property
    def arraysize(self) -> int:
        return self._native.arraysize

    @arraysize.setter
    def arraysize(self, size: int) -> None:
        self._native.arraysize = size

    @property
    def closed(self) -> bool:
        return self._native.closed

    def close(self) -> None:
        self._native.close()

    def __enter__(self) -> WrappedCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> WrappedCursor:
        return self

    def __next__(self) -> Any:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def fetchone(self) -> Any:
        return self._native.fetchone()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never reached for our own attributes; keeps copy/pickle sane
            raise AttributeError(name)
        return getattr(self._native, name)
