"""The PEP 249 Cursor: a thin driver of a protocol's result stream, plus Arrow/pandas fetches."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ._sqlscan import QUERY_KEYWORDS, leading_keyword
from .exceptions import InterfaceError, NotSupportedError, ProgrammingError
from .protocol import Result
from .results import Progress, python_rows, unify

if TYPE_CHECKING:
    from .connection import Connection

log = logging.getLogger(__name__)

READ_ONLY = (
    "the Data Cloud Query API is read-only: load or change data with the Ingestion API "
    "(https://developer.salesforce.com/docs/data/data-cloud-int/references/data-cloud-ingestionapi-ref)"
)


class Cursor:
    """Run queries and fetch rows. Not thread-safe: give each thread its own cursor."""

    arraysize: int = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._result: Result | None = None
        self._pages: Iterator[pa.Table] | None = None
        self._page: pa.Table | None = None  # the page being read, as Arrow ...
        self._rows: list[tuple] | None = None  # ... and as Python rows once a row fetch needs them
        self._position = 0
        self._fetched = 0
        self._rowcount = -1
        self._closed = False
        self._progress: Progress | None = None

    # -- PEP 249 attributes ----------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        return self._connection

    @property
    def description(self) -> list[tuple] | None:
        """7-tuples: name, Data Cloud type name, None, None, precision, scale, null_ok."""
        if self._result is None or not self._result.columns:
            return None
        return [(c.name, c.type_name, None, None, c.precision, c.scale, c.nullable) for c in self._result.columns]

    @property
    def rowcount(self) -> int:
        """Rows of the last query: exact as soon as the API says (V3, Connect) or all rows were read."""
        return self._rowcount

    @property
    def query_id(self) -> str | None:
        return self._result.query_id if self._result else None

    @property
    def closed(self) -> bool:
        return self._closed or self._connection.closed

    # -- executing -------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("this cursor is closed; open a new one with connection.cursor()")
        if self._connection.closed:
            raise InterfaceError("the connection is closed; connect again with cdpdb.connect()")

    def _start(self, result: Result) -> None:
        self._result = result
        self._progress = Progress(self._connection.settings.progress, result.row_count, "cdpdb fetch")
        self._pages = iter(result.pages())
        self._page, self._rows, self._position, self._fetched = None, None, 0, 0
        self._rowcount = result.row_count if result.row_count is not None else -1

    def _reset(self) -> None:
        if self._pages is not None and hasattr(self._pages, "close"):
            self._pages.close()
        if self._progress is not None:
            self._progress.close()
        self._result, self._pages, self._page, self._rows, self._position, self._rowcount = (
            None,
            None,
            None,
            None,
            0,
            -1,
        )

    def execute(self, operation: str, parameters: Any = None, **options: Any) -> Cursor:
        """Run a query. ``parameters``: a mapping for ``:name`` or a sequence for ``?``.

        Options: ``orderby`` (V1 only: the stable order that lets results past 49,999 rows be paged).
        """
        self._check_open()
        if not isinstance(operation, str) or not operation.strip():
            raise ProgrammingError("execute() needs the SQL text of a query")
        keyword = leading_keyword(operation)
        if keyword not in QUERY_KEYWORDS:
            return self._write(keyword, operation, parameters)
        self._reset()
        started = time.perf_counter()
        self._start(self._connection._protocol.execute(operation, parameters, **options))
        log.debug("query %s started in %.0f ms", self.query_id, (time.perf_counter() - started) * 1000)
        return self

    def _write(self, keyword: str, operation: str, parameters: Any) -> Cursor:
        if not self._connection.settings.admin_key:
            raise NotSupportedError(f"{keyword} statements cannot run: {READ_ONLY}")
        self._reset()
        self._rowcount = self._connection._protocol.write(operation, parameters)
        if self._connection._metadata is not None and keyword in ("CREATE", "DROP", "ALTER"):
            self._connection._metadata.refresh()  # the catalog changed
        return self

    def executemany(self, operation: str, seq_of_parameters: Any) -> None:
        """Only a local Data Cloud in writable mode accepts writes; Data Cloud is read-only."""
        self._check_open()
        if not self._connection.settings.admin_key:
            raise NotSupportedError(f"executemany() is for writes, and {READ_ONLY}")
        total = 0
        for parameters in seq_of_parameters:
            self._write(leading_keyword(operation), operation, parameters)
            total += max(self._rowcount, 0)
        self._rowcount = total

    def callproc(self, procname: str, parameters: Any = None) -> None:
        raise NotSupportedError("Data Cloud has no stored procedures")

    def execute_async(self, operation: str, parameters: Any = None) -> str:
        """Submit a query without waiting; returns its query id for :meth:`get_results` (V3, Connect)."""
        self._check_open()
        keyword = leading_keyword(operation)
        if keyword not in QUERY_KEYWORDS:
            raise NotSupportedError(f"{keyword} statements cannot run: {READ_ONLY}")
        return self._connection._protocol.submit(operation, parameters)

    def get_results(self, query_id: str) -> Cursor:
        """Attach to a query submitted earlier (by any cursor or connection of the same user)."""
        self._check_open()
        self._reset()
        self._start(self._connection._protocol.results(query_id))
        return self

    def cancel(self) -> None:
        """Stop the running query: DELETE on V3 and Connect; on V1/V2 stop reading."""
        if self._result is not None:
            self._result.cancel()
        self._reset()

    # -- fetching --------------------------------------------------------------------------------

    def _next_page(self) -> bool:
        """Move to the next non-empty page; False when the result is exhausted."""
        if self._pages is None:
            return False
        for page in self._pages:
            self._progress.update(page)
            if page.num_rows:
                self._page, self._rows, self._position = page, None, 0
                self._fetched += page.num_rows
                return True
        self._pages, self._page, self._rows = None, None, None
        self._progress.close()
        self._rowcount = self._fetched  # every row was read: the count is now exact
        return False

    def _available(self) -> int:
        return 0 if self._page is None else self._page.num_rows - self._position

    def _take_rows(self, limit: int) -> list[tuple]:
        if self._rows is None:
            self._rows = python_rows(self._page)
        rows = self._rows[self._position : self._position + limit]
        self._position += len(rows)
        return rows

    def _check_result(self) -> None:
        self._check_open()
        if self._result is None:
            raise InterfaceError("no query was executed on this cursor; call execute() first")

    def fetchone(self) -> tuple | None:
        self._check_result()
        if not self._available() and not self._next_page():
            return None
        return self._take_rows(1)[0]

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        self._check_result()
        size = self.arraysize if size is None else size
        if size < 0:
            raise ProgrammingError("fetchmany() size must be 0 or more")
        out: list[tuple] = []
        while len(out) < size and (self._available() or self._next_page()):
            out.extend(self._take_rows(size - len(out)))
        return out

    def fetchall(self) -> list[tuple]:
        self._check_result()
        out: list[tuple] = []
        while self._available() or self._next_page():
            out.extend(self._take_rows(self._available()))
        return out

    # -- Arrow, pandas, Polars -----------------------------------------------------------------

    def _arrow_pages(self) -> Iterator[pa.Table]:
        """The rest of the result as Arrow pages, starting inside the current page."""
        self._check_result()
        while self._available() or self._next_page():
            page = self._page.slice(self._position)
            self._position = self._page.num_rows
            self._rows = None
            yield page

    def fetch_arrow_batches(self) -> Iterator[pa.RecordBatch]:
        """The rest of the result as Arrow record batches (one per page: a V2 batch, a V3 chunk),
        with only the pages being downloaded held in memory besides the one being consumed."""
        for page in self._arrow_pages():
            yield from page.to_batches()  # no copy: the batches as they arrived

    def fetch_arrow_table(self) -> pa.Table:
        """The rest of the result as one Arrow table (decimal128, timestamp[us, tz=UTC], date32...)."""
        self._check_result()
        pages = list(self._arrow_pages())
        if not pages:
            return self._empty_table()
        return unify(pages)

    def _empty_table(self) -> pa.Table:
        from .results import empty_table

        return empty_table(self._result.columns or [])

    def fetch_pandas_all(self):
        """The rest of the result as a pandas DataFrame with exact, nullable dtypes."""
        from .frames import to_pandas

        return to_pandas(self.fetch_arrow_table())

    def fetch_pandas_batches(self) -> Iterator:
        """The rest of the result as DataFrames, one page at a time (bounded memory)."""
        from .frames import to_pandas

        for page in self._arrow_pages():
            yield to_pandas(page)

    def fetch_polars(self):
        """The rest of the result as a Polars DataFrame (needs polars)."""
        from .frames import to_polars

        return to_polars(self.fetch_arrow_table())

    def __iter__(self) -> Cursor:
        return self

    def __next__(self) -> tuple:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def nextset(self) -> None:
        return None

    def setinputsizes(self, sizes: Any) -> None:
        """Accepted and ignored (PEP 249)."""

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        """Accepted and ignored (PEP 249)."""

    # -- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        self._reset()
        self._closed = True

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"query_id={self.query_id!r}"
        return f"<cdpdb.Cursor {state}>"
