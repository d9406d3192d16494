"""The PEP 249 Cursor: a thin driver of a backend's result stream, plus Arrow/pandas/Polars fetches."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa

from cdpdb.backends.base import write_many
from cdpdb.core.jobs import QueryControl
from cdpdb.core.results.decode import empty_table
from cdpdb.core.results.fetch import Stopped
from cdpdb.core.results.partitions import Partitions
from cdpdb.core.results.progress import Progress
from cdpdb.core.results.rows import Row, python_rows, unify
from cdpdb.core.results.schema import Result
from cdpdb.core.sqlscan import QUERY_KEYWORDS, WRITE_KEYWORDS, leading_keyword, original_position
from cdpdb.exceptions import Error, InterfaceError, NotSupportedError, OperationalError, ProgrammingError

if TYPE_CHECKING:
    from cdpdb.backends.base import Session

log = logging.getLogger(__name__)


class Owner(Protocol):
    """What a cursor needs of its connection (a :class:`cdpdb.Connection`): its session, and
    whether it is closed. Spelled out so the cursor does not depend on the connection module."""

    @property
    def session(self) -> Session: ...

    @property
    def closed(self) -> bool: ...


class Cursor:
    """Run queries and fetch rows. Give each thread its own cursor; only ``cancel()`` and
    ``close()`` may be called from another thread (that is what they are for)."""

    arraysize: int = 1

    def __init__(self, connection: Owner) -> None:
        self._connection = connection
        self._session: Session = connection.session
        self._result: Result | None = None
        self._control: QueryControl | None = None  # shared with cancel()/close() from other threads
        self._stop = threading.Event()
        self._pages: Iterator[pa.Table] | None = None
        self._buffer: deque[pa.Table] = deque()  # pages received and not yet fully taken
        self._rows: list[Row] | None = None  # the first page as Python rows, once a row fetch needs them
        self._position = 0  # rows of the first page already taken
        self._buffered = 0  # rows in the buffer not yet taken
        self._fetched = 0
        self._rowcount = -1
        self._failure: BaseException | None = None  # why reading the result failed: raised again on every fetch
        self._cancelled: str | None = None
        self._closed = False
        self._progress = Progress(False, None, "")
        self._procedure: str | None = None  # the last callproc() that returned no result set

    # -- PEP 249 attributes ----------------------------------------------------------------------

    @property
    def connection(self) -> Owner:
        return self._connection

    @property
    def description(self) -> list[Row] | None:
        """7-tuples: name, the server's type name, None, None, precision, scale, null_ok."""
        if self._result is None or not self._result.columns:
            return None
        return [(c.name, c.type_name, None, None, c.precision, c.scale, c.nullable) for c in self._result.columns]

    @property
    def rowcount(self) -> int:
        """Rows of the last query: exact as soon as the API says (Data Cloud V3, Connect) or all rows were read."""
        return self._rowcount

    @property
    def query_id(self) -> str | None:
        return self._result.query_id if self._result else None

    @property
    def continuation(self) -> str | None:
        """Where the rest of a part-read result continues (Data Cloud V2 ``execute(sql,
        max_batches=N)``): pass it to ``get_results()`` in any process, once. None: nothing left."""
        return self._result.continuation if self._result else None

    @property
    def closed(self) -> bool:
        return self._closed or self._connection.closed

    # -- executing -------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("this cursor is closed; open a new one with connection.cursor()", reason="closed")
        if self._connection.closed:
            raise InterfaceError("the connection is closed; connect again with cdpdb.connect()", reason="closed")

    def _start(self, result: Result, stop: threading.Event) -> None:
        self._result, self._stop = result, stop
        self._progress = Progress(self._session.progress, result.row_count, "cdpdb fetch")
        self._pages = iter(result.pages(stop))
        self._rowcount = result.row_count if result.row_count is not None else -1

    def _reset(self) -> None:
        """Forget the last result. Called by the thread that owns the cursor (execute, close)."""
        pages, self._pages = self._pages, None
        close = getattr(pages, "close", None)
        if close is not None:
            with contextlib.suppress(ValueError):  # another thread is inside it: it sees the stop and ends
                close()
        self._progress.close()
        self._result, self._failure, self._cancelled, self._procedure = None, None, None, None
        self._stop = threading.Event()
        self._buffer.clear()
        self._rows, self._position, self._buffered, self._fetched, self._rowcount = None, 0, 0, 0, -1

    def execute(self, operation: str, parameters: Any = None, **options: Any) -> Cursor:
        """Run a query. ``parameters``: a mapping for ``:name`` or a sequence for ``?``.

        ``options`` go to the backend (Data Cloud V1: ``orderby``, the order to page in).
        """
        self._check_open()
        if not isinstance(operation, str) or not operation.strip():
            raise ProgrammingError("execute() needs the SQL text of a query")
        keyword = leading_keyword(operation)
        if self._is_write(keyword):
            return self._write(keyword, operation, parameters)
        self._reset()
        started = time.perf_counter()
        control = self._control = QueryControl(self._stop)
        try:
            result = self._run(lambda: self._session.execute(operation, parameters, control, **options))
        except ProgrammingError as exc:
            raise self._session.explain(exc, operation) from exc.__cause__
        self._start(result, control.stop)
        log.debug("query %s started in %.0f ms", self.query_id, (time.perf_counter() - started) * 1000)
        return self

    def _is_write(self, keyword: str) -> bool:
        """Statements that change data; with a backend that takes writes, anything not a query."""
        return keyword in WRITE_KEYWORDS or (keyword not in QUERY_KEYWORDS and self._session.read_only is None)

    def _write(self, keyword: str, operation: str, parameters: Any) -> Cursor:
        refused = self._session.read_only
        if refused:
            raise NotSupportedError(f"{keyword} statements cannot run: {refused}")
        self._reset()
        try:
            self._rowcount = self._session.write(operation, parameters)
        except Error as exc:
            self._rowcount = exc.write.accepted_count if exc.write is not None else -1
            raise
        if keyword in ("CREATE", "DROP", "ALTER"):
            self._session.catalog_changed()
        return self

    def executemany(self, operation: str, seq_of_parameters: Any) -> None:
        """Run a write with each parameter set; ``rowcount`` is the total. A backend that
        batches gets them all at once; if some rows are not accepted, the error's ``write``
        says which, and ``rowcount`` counts those that were."""
        self._check_open()
        refused = self._session.read_only
        if refused:
            raise NotSupportedError(f"executemany() is for writes, and {refused}")
        keyword = leading_keyword(operation)
        self._reset()
        try:
            self._rowcount = write_many(self._session, operation, seq_of_parameters)
        except Error as exc:
            self._rowcount = exc.write.accepted_count if exc.write is not None else -1
            raise
        if keyword in ("CREATE", "DROP", "ALTER"):
            self._session.catalog_changed()

    def callproc(self, procname: str, parameters: Sequence[Any] | None = None) -> Sequence[Any]:
        """Run a backend's named procedure: returns the parameters as the procedure left them (PEP 249);
        its result set, if it has one, is fetched from this cursor like a query's."""
        self._check_open()
        if not isinstance(procname, str) or not procname.strip():
            raise ProgrammingError("callproc() needs the name of a procedure")
        if isinstance(parameters, (str, bytes, Mapping)):
            raise ProgrammingError("callproc() takes its parameters as a sequence (a list or a tuple), in order")
        given = list(parameters) if parameters is not None else []
        self._reset()
        control = self._control = QueryControl(self._stop)
        returned, result = self._session.call(procname.strip(), given)
        if result is not None:
            self._start(result, control.stop)
        else:
            self._procedure = procname.strip()
        return tuple(returned) if isinstance(parameters, tuple) else list(returned)

    def execute_async(self, operation: str, parameters: Any = None) -> str:
        """Submit a query without waiting; returns its query id for :meth:`get_results` (Data Cloud V3, Connect)."""
        self._check_open()
        keyword = leading_keyword(operation)
        if keyword in WRITE_KEYWORDS:
            why = self._session.read_only or "run them with execute()"
            raise NotSupportedError(f"{keyword} statements cannot run asynchronously: {why}")
        return self._session.submit(operation, parameters)

    def get_results(self, query_id: str) -> Cursor:
        """Attach to a query submitted earlier (by any cursor or connection of the same user)."""
        self._check_open()
        self._reset()
        control = self._control = QueryControl(self._stop, query_id)
        result = self._run(lambda: self._session.results(query_id, control))
        self._start(result, control.stop)
        return self

    def execute_partitions(
        self, operation: str, parameters: Any = None, partitions: int | None = None, **options: Any
    ) -> Partitions:
        """Run a query once and hand out its finished result as picklable partitions, for the
        workers of Ray, Dask or Spark (or any other processes) to read in parallel.

        Named after ADBC's ``adbc_execute_partitions``, which does the same (Snowflake's
        ``get_result_batches()`` is the other model): the query runs once on the server, never
        once per partition. ``partitions``: how many parts (None: one per chunk of the result);
        never more than there are chunks, so none is empty, and every chunk is in exactly one.
        Each ``partition.read()`` yields Arrow record batches of ``result.schema`` in any process.
        The cursor's previous result is forgotten; ``cancel()`` from another thread stops the wait
        and cancels the query on the server, and so does Ctrl-C or any error while waiting.
        """
        self._check_open()
        if not isinstance(operation, str) or not operation.strip():
            raise ProgrammingError("execute_partitions() needs the SQL text of a query")
        if partitions is not None and (isinstance(partitions, bool) or not isinstance(partitions, int)):
            raise ProgrammingError(f"partitions must be a whole number or None, not {partitions!r}")
        if partitions is not None and partitions < 1:
            raise ProgrammingError(f"partitions must be 1 or more (or None: one per chunk), not {partitions}")
        keyword = leading_keyword(operation)
        if keyword in WRITE_KEYWORDS:
            raise NotSupportedError(f"{keyword} statements have no result to partition; run them with execute()")
        run = getattr(self._session, "execute_partitions", None)
        if run is None:
            raise NotSupportedError(
                f"the {self._session.backend} backend cannot hand out a result in partitions: its API "
                "returns a result as one stream of pages, not as chunks other processes can read; "
                "use execute() and fetch_arrow_batches()"
            )
        self._reset()
        control = self._control = QueryControl(self._stop)
        try:
            split: Partitions = self._run_call(lambda: run(operation, parameters, control, partitions, **options))
        except ProgrammingError as exc:
            raise self._session.explain(exc, operation) from exc.__cause__
        return split

    def _run(self, call: Callable[[], Result]) -> Result:
        result: Result = self._run_call(call)
        return result

    def _run_call(self, call: Callable[[], Any]) -> Any:
        """Run or attach to a query; once cancel() was called, whatever ended it is reported as that."""
        try:
            return call()
        except Stopped:
            raise self._cancelled_error() from None
        except Exception as exc:
            if self._stop.is_set():
                raise self._cancelled_error() from exc
            control = self._control
            if isinstance(exc, Error) and exc.position and control is not None and control.edits:
                exc.moved_to(original_position(control.edits, exc.position))  # a place in the user's SQL
            raise

    def cancel(self) -> None:
        """Stop the query, from any thread: the thread running or fetching it gets an
        OperationalError saying it was cancelled; V3 and Connect also cancel it on the server."""
        self._abort("cancelled by cancel()", on_server=True)

    def _abort(self, why: str, on_server: bool) -> None:
        control = self._control
        if control is None or control.stop.is_set():
            return
        self._cancelled = why
        control.stop.set()
        if on_server and control.query_id and self._session.supports_async:
            try:
                self._session.cancel(control.query_id)
            except Error as exc:  # the query stops on our side anyway; say why the server did not hear it
                log.warning("query %s: the server could not be told to cancel it: %s", control.query_id, exc)

    def _cancelled_error(self) -> OperationalError:
        query_id = self._control.query_id if self._control else None
        return OperationalError(
            f"query {query_id} was {self._cancelled or 'cancelled'}; its result cannot be read, run execute() again",
            query_id=query_id,
            reason="cancelled",
        )

    # -- fetching --------------------------------------------------------------------------------
    # Pages arrive in ``_buffer``; rows are taken from its front. A fetch first loads the pages it
    # needs and only then takes rows, so a failure while loading loses nothing already received:
    # those rows stay readable, and every fetch that reaches the failure raises it again.

    def _load(self) -> bool:
        """Add the next non-empty page to the buffer; False only at the result's true end."""
        if self._failure is not None:
            raise self._failed_again()
        if self._stop.is_set():
            self._failure = self._cancelled_error()
            raise self._failure
        pages = self._pages
        if pages is None:
            return False
        while True:
            try:
                page = next(pages)
            except StopIteration:
                self._finish()
                return False
            except Stopped:
                self._failure = self._cancelled_error()
                raise self._failure from None
            except BaseException as exc:
                self._failure = self._cancelled_error() if self._stop.is_set() else exc
                if self._failure is exc:
                    raise
                raise self._failure from exc
            if self._stop.is_set():  # stopped while this page was on its way: it is not delivered
                self._failure = self._cancelled_error()
                raise self._failure
            self._progress.update(page)
            if page.num_rows:
                self._buffer.append(page)
                self._buffered += page.num_rows
                self._fetched += page.num_rows
                return True

    def _finish(self) -> None:
        self._pages = None
        self._progress.close()
        self._rowcount = self._fetched  # every row was read: the count is now exact

    def _failed_again(self) -> Error:
        """The earlier failure, raised again (same class) for every fetch that reaches it."""
        cause = self._failure
        query_id = self.query_id
        kind = type(cause) if isinstance(cause, Error) else OperationalError
        reason = f"{type(cause).__name__}: {cause}" if not isinstance(cause, Error) else str(cause)
        error = kind(
            f"the result of query {query_id} cannot be read further: reading it failed earlier ({reason}); "
            "run execute() again",
            query_id=query_id,
        )
        error.__cause__ = cause
        return error

    def _ensure(self, rows: int | None) -> None:
        """Load pages until ``rows`` rows are buffered (``None``: the whole rest of the result).
        Past a failure, rows received before it are still handed out by fetchone/fetchmany (a
        short list is not the end); a fetch that needs more, and fetchall, raise it."""
        while rows is None or self._buffered < rows:
            if self._failure is not None and self._buffered and rows is not None:
                return
            if not self._load():
                return

    def _take(self, limit: int) -> list[Row]:
        out: list[Row] = []
        while len(out) < limit and self._buffer:
            page = self._buffer[0]
            if self._rows is None:
                self._rows = python_rows(page)
            taken = self._rows[self._position : self._position + limit - len(out)]
            out.extend(taken)
            self._position += len(taken)
            self._buffered -= len(taken)
            if self._position >= page.num_rows:
                self._buffer.popleft()
                self._rows, self._position = None, 0
        return out

    def _take_pages(self) -> list[pa.Table]:
        pages = [self._buffer.popleft().slice(self._position)] if self._buffer else []
        pages += self._buffer
        self._buffer.clear()
        self._rows, self._position, self._buffered = None, 0, 0
        return pages

    def _check_result(self) -> None:
        self._check_open()
        if self._result is None:
            if self._procedure is not None:
                raise InterfaceError(f"procedure {self._procedure!r} returned no result set; there is nothing to fetch")
            raise InterfaceError("no query was executed on this cursor; call execute() first")
        if self._stop.is_set() and self._failure is None:
            self._failure = self._cancelled_error()
            raise self._failure

    def fetchone(self) -> Row | None:
        self._check_result()
        self._ensure(1)
        rows = self._take(1)
        return rows[0] if rows else None

    def fetchmany(self, size: int | None = None) -> list[Row]:
        self._check_result()
        size = self.arraysize if size is None else size
        if size < 0:
            raise ProgrammingError("fetchmany() size must be 0 or more")
        self._ensure(size)
        return self._take(size)

    def fetchall(self) -> list[Row]:
        self._check_result()
        made: list[Row] = []  # rows of the pages loaded here, made while the next one downloads
        while self._load():  # a failure raises here, every row received still in the buffer
            python_rows(self._buffer[-1], into=made)
        earlier = self._buffered - len(made)  # rows of the pages buffered before this call
        out = made if earlier == 0 else self._take(earlier) + made
        self._buffer.clear()
        self._rows, self._position, self._buffered = None, 0, 0
        return out

    # -- Arrow, pandas, Polars -----------------------------------------------------------------

    def _arrow_pages(self) -> Iterator[pa.Table]:
        """The rest of the result as Arrow pages, one at a time, starting inside the current page."""
        self._check_result()
        while self._buffer or self._load():
            yield from self._take_pages()

    def fetch_arrow_batches(self) -> Iterator[pa.RecordBatch]:
        """The rest of the result as Arrow record batches (one per page: a V2 batch, a V3 chunk),
        with only the pages being downloaded held in memory besides the one being consumed."""
        for page in self._arrow_pages():
            yield from page.to_batches()  # no copy: the batches as they arrived

    def fetch_arrow_table(self) -> pa.Table:
        """The rest of the result as one Arrow table (decimal128, timestamp[us, tz=UTC], date32...)."""
        self._check_result()
        self._ensure(None)
        pages = self._take_pages()
        if not pages:
            if self._result is not None and self._result.schema is not None:
                return self._result.schema.empty_table()
            columns = self._result.columns if self._result is not None else None
            return empty_table(columns or [], self._session.types)
        return unify(pages)

    def fetch_pandas_all(self) -> Any:
        """The rest of the result as a pandas DataFrame with exact, nullable dtypes."""
        from cdpdb.core.results.frames import to_pandas

        return to_pandas(self.fetch_arrow_table())

    def fetch_pandas_batches(self) -> Iterator[Any]:
        """The rest of the result as DataFrames, one page at a time (bounded memory)."""
        from cdpdb.core.results.frames import to_pandas

        for page in self._arrow_pages():
            yield to_pandas(page)

    def fetch_polars(self) -> Any:
        """The rest of the result as a Polars DataFrame (needs polars)."""
        from cdpdb.core.results.frames import to_polars

        return to_polars(self.fetch_arrow_table())

    def __iter__(self) -> Cursor:
        return self

    def __next__(self) -> Row:
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
        """Close the cursor, from any thread: a fetch under way in another thread stops with an
        OperationalError, and the cursor's background threads end."""
        self._closed = True
        self._abort("stopped because its cursor was closed", on_server=False)
        rowcount = self._rowcount if self._result is None else -1
        self._reset()
        self._rowcount = rowcount  # a write's count stays readable: SQLAlchemy reads it after closing

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"query_id={self.query_id!r}"
        return f"<cdpdb.Cursor {state}>"
