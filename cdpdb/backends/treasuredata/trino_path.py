"""Big segment reads on TD's Trino endpoint, through the real ``trino`` package (its DB-API): the
protocol (statement, ``nextUri`` pages, retries of 429/502/503/504, cancel) is the package's, not
ours. This module adds what cdpdb needs around it: the connection as TD wants it (user = the API
key, catalog ``td-presto``, HTTPS), rows into Arrow batches typed from the statement's columns,
cancellation when the scan is stopped, and the package's errors as PEP 249 errors with data.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import requests

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.settings import Settings
from cdpdb.core.results.fetch import Stopped
from cdpdb.exceptions import (
    DataError,
    Error,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
)

log = logging.getLogger(__name__)

#: Trino's error names → SQLSTATE (the class PostgreSQL would give the same mistake).
SQLSTATES = {
    "SYNTAX_ERROR": "42601",
    "TABLE_NOT_FOUND": "42P01",
    "COLUMN_NOT_FOUND": "42703",
    "SCHEMA_NOT_FOUND": "3F000",
    "CATALOG_NOT_FOUND": "3D000",
    "FUNCTION_NOT_FOUND": "42883",
    "PERMISSION_DENIED": "42501",
    "DIVISION_BY_ZERO": "22012",
    "INVALID_CAST_ARGUMENT": "22P02",
    "INVALID_FUNCTION_ARGUMENT": "22023",
    "NUMERIC_VALUE_OUT_OF_RANGE": "22003",
    "NOT_SUPPORTED": "0A000",
    "USER_CANCELED": "57014",
    "EXCEEDED_TIME_LIMIT": "57014",
}
_SIMPLE: dict[str, pa.DataType] = {
    "boolean": pa.bool_(),
    "tinyint": pa.int8(),
    "smallint": pa.int16(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "real": pa.float32(),
    "double": pa.float64(),
    "date": pa.date32(),
    "varchar": pa.string(),
    "char": pa.string(),
    "json": pa.string(),
    "uuid": pa.string(),
    "varbinary": pa.binary(),
}
_TYPE = re.compile(r"^(?P<base>[a-z ]+?)\s*(?:\((?P<args>.*)\))?(?P<zone> with time zone)?$")


def _parts(trino_type: str) -> tuple[str, str | None, bool]:
    match = _TYPE.match(trino_type.strip().lower())
    if match is None:
        return "", None, False
    return match["base"], match["args"], bool(match["zone"])


def arrow_type(trino_type: str) -> pa.DataType:
    """A Trino type as the package's ``description`` gives it (``array(varchar)``,
    ``timestamp(3) with time zone``, ``decimal(10,2)``) → Arrow; others become text."""
    base, args, zone = _parts(trino_type)
    if base == "array" and args:
        return pa.list_(arrow_type(args))
    if base == "timestamp":
        return pa.timestamp("us", tz="UTC" if zone else None)
    if base == "decimal" and args:
        precision, _, scale = args.partition(",")
        return pa.decimal128(int(precision), int(scale or 0))
    return _SIMPLE.get(base, pa.string())


_TEXT_ON_THE_WIRE = ("date", "timestamp", "decimal")  # values Trino's JSON gives as text


def _wire_type(trino_type: str) -> pa.DataType:
    """The Arrow type of a column's values as they are in Trino's JSON (times, dates, decimals
    as text), so ``pa.array`` takes them in one call."""
    base, args, _zone = _parts(trino_type)
    if base == "array" and args:
        return pa.list_(_wire_type(args))
    if base in _TEXT_ON_THE_WIRE:
        return pa.string()
    return arrow_type(trino_type)


def column(values: Sequence[Any], trino_type: str) -> pa.Array:
    """One column of raw Trino JSON values → Arrow, converted in Arrow (not value by value):
    ``YYYY-MM-DD HH:MM:SS.fff UTC`` → a UTC timestamp, dates and decimals cast from their text,
    arrays element-wise. Rare shapes (a zone other than UTC, NaN as text) take a slower exact way."""
    try:
        raw = pa.array(values, _wire_type(trino_type))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # "NaN", "Infinity": doubles given as text
        raw = pa.array([_number(v) for v in values], _wire_type(trino_type))
    return _finish(raw, trino_type)


def _finish(raw: pa.Array, trino_type: str) -> pa.Array:
    base, args, zone = _parts(trino_type)
    target = arrow_type(trino_type)
    if base == "array" and args:
        assert isinstance(raw, pa.ListArray)
        return pa.ListArray.from_arrays(raw.offsets, _finish(raw.values, args), mask=raw.is_null())
    if base == "timestamp" and zone:
        if pc.all(pc.ends_with(raw, " UTC")).as_py() is not False:
            return pc.utf8_slice_codeunits(raw, 0, -4).cast(pa.timestamp("us")).cast(target)
        return pa.array([_instant(v) for v in raw.to_pylist()], target)
    if base in _TEXT_ON_THE_WIRE:
        return raw.cast(target)
    return raw


def _number(value: Any) -> Any:
    return float(value.replace("Infinity", "inf")) if isinstance(value, str) else value


def _instant(text: str | None) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS[.fff] <zone>``, the zone a name (``Asia/Tokyo``) or an offset."""
    if text is None:
        return None
    local, _, zone = text.rpartition(" ")
    if zone[:1] in "+-":
        return datetime.fromisoformat(local + zone)
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone))


class TrinoPath:
    """TD's Trino endpoint for one session's settings; each :meth:`read` is one statement on its
    own ``trino`` connection (a connection is not shared between threads)."""

    def __init__(self, settings: Settings) -> None:
        try:
            import trino.dbapi  # noqa: F401  (an optional dependency: the treasuredata extra)
        except ImportError:
            raise ProgrammingError(
                "trino=true needs the trino package: pip install 'cdpdb[treasuredata]'", reason="missing_package"
            ) from None
        self.settings = settings
        url = settings.trino_url
        parsed = urlparse(url)
        self.scheme, self.host = parsed.scheme, parsed.hostname or ""
        self.port = parsed.port or (443 if self.scheme == "https" else 80)

    def __repr__(self) -> str:  # never the key
        return f"<TrinoPath {self.scheme}://{self.host}:{self.port}>"

    def _session(self, statuses: list[int]) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # the machine's CA variables would override ca_bundle
        settings = self.settings
        session.verify = (settings.ca_bundle or True) if settings.verify else False
        if settings.proxies:
            session.proxies.update(settings.proxies)
        session.hooks["response"].append(lambda response, *args, **kwargs: statuses.append(response.status_code))
        return session

    def read(self, sql: str, stop: threading.Event) -> Iterator[pa.RecordBatch]:
        """Run ``sql`` and yield its rows as Arrow batches (``page_size`` rows each), typed from the
        statement's columns (the SQL layer casts them to the table's declared types, as it does
        for the Audience API path). Setting ``stop`` cancels the statement on the server (DELETE
        of its ``nextUri``) and ends the read."""
        import trino.dbapi

        statuses: list[int] = []
        settings = self.settings
        connection = trino.dbapi.connect(
            host=self.host,
            port=self.port,
            http_scheme=self.scheme,
            user=settings.apikey,
            catalog=wire.TRINO_CATALOG,
            http_session=self._session(statuses),
            max_attempts=settings.max_retries + 1,
            request_timeout=(settings.connect_timeout, settings.read_timeout),
            source="cdpdb",
            legacy_primitive_types=True,  # raw JSON values: converted per column in Arrow (column())
        )
        cursor = connection.cursor()
        finished = threading.Event()
        watcher = threading.Thread(target=_cancel_on_stop, args=(cursor, stop, finished), daemon=True)
        watcher.start()
        try:
            try:
                cursor.execute(sql)
                names = [d.name for d in cursor.description]
                kinds = [d.type_code for d in cursor.description]
                while not stop.is_set():
                    rows = cursor.fetchmany(settings.page_size)
                    if not rows:
                        break
                    yield _batch(names, kinds, rows)
            except Exception as exc:
                if stop.is_set():
                    _cancel(cursor)
                    raise Stopped from None
                raise error_of(exc, statuses, getattr(cursor, "query_id", None)) from None
            if stop.is_set():  # stopped before the statement had an id to cancel: cancel it now
                _cancel(cursor)
                raise Stopped
        except GeneratorExit:  # the consumer let go before the end: stop the statement on the server
            _cancel(cursor)
            raise
        finally:
            finished.set()
            connection.close()


def _batch(names: list[str], kinds: list[str], rows: list[list[Any]]) -> pa.RecordBatch:
    """Rows → one batch: transposed once (``zip``, in C), one Arrow conversion per column."""
    columns = zip(*rows, strict=True)
    return pa.RecordBatch.from_arrays(
        [column(values, kind) for values, kind in zip(columns, kinds, strict=True)], names=names
    )


def _cancel_on_stop(cursor: Any, stop: threading.Event, finished: threading.Event) -> None:
    """Cancel while the reading thread is blocked in the package (a long poll, a slow page)."""
    while not finished.is_set():
        if stop.wait(0.05):
            if not finished.is_set():
                _cancel(cursor)
            return


def _cancel(cursor: Any) -> None:
    try:
        cursor.cancel()
    except Exception as exc:  # the read stops anyway; say why the server did not hear it
        log.warning("the Trino statement %s could not be cancelled: %s", getattr(cursor, "query_id", None), exc)


def error_of(exc: Exception, statuses: list[int], query_id: str | None) -> Error:
    """The ``trino`` package's exception → a PEP 249 error carrying Trino's error name as
    ``reason`` and a SQLSTATE; HTTP failures by the status the response hook recorded."""
    from trino import exceptions as tx

    if isinstance(exc, Error):
        return exc
    if isinstance(exc, tx.TrinoQueryError):
        name = exc.error_name or "GENERIC_ERROR"
        sqlstate = SQLSTATES.get(name, "42000" if exc.error_type == "USER_ERROR" else "XX000")
        where = f" at line {exc.error_location[0]}, column {exc.error_location[1]}" if exc.error_location else ""
        message = f"the Trino statement failed ({name}{where}): {exc.message}"
        data: dict[str, Any] = {"sqlstate": sqlstate, "reason": name.lower(), "query_id": exc.query_id or query_id}
        if name in ("USER_CANCELED", "EXCEEDED_TIME_LIMIT", "ADMINISTRATIVELY_KILLED"):
            return OperationalError(message, **data)
        if name == "NOT_SUPPORTED":
            return NotSupportedError(message, **data)
        if sqlstate.startswith("22"):
            return DataError(message, **data)
        if isinstance(exc, tx.TrinoUserError):
            return ProgrammingError(message, **data)
        if isinstance(exc, tx.TrinoExternalError):
            return OperationalError(message, retryable=True, **data)
        return InternalError(message, **data)
    status = next((s for s in reversed(statuses) if s >= 400), None)
    if isinstance(exc, tx.HttpError):
        if status in (401, 403):
            return OperationalError(
                f"TD's Trino endpoint refused the API key (HTTP {status}): give a master API key "
                "(apikey= or CDPDB_TD_APIKEY) and check trino_host / site",
                status=status,
                reason="unauthorised",
                query_id=query_id,
            )
        retryable = status in (429, 502, 503, 504)
        tried = f" after {_attempts(statuses, status)} attempts" if retryable else ""
        return OperationalError(
            f"TD's Trino endpoint answered HTTP {status}{tried}; try again later (max_retries sets the attempts)",
            status=status,
            retryable=retryable,
            reason="unavailable" if retryable else "http_error",
            query_id=query_id,
        )
    if isinstance(exc, tx.TrinoConnectionError):
        return OperationalError(
            f"cannot reach TD's Trino endpoint: {exc}; check trino_host and the network",
            retryable=True,
            reason="unreachable",
            query_id=query_id,
        )
    if isinstance(exc, tx.TrinoAuthError):
        return OperationalError(f"TD's Trino endpoint refused the login: {exc}", reason="unauthorised")
    return InternalError(f"reading from TD's Trino endpoint failed: {type(exc).__name__}: {exc}", query_id=query_id)


def _attempts(statuses: list[int], status: int | None) -> int:
    """How many answers in a row ended with the final failing status (the package's attempts)."""
    count = 0
    for seen in reversed(statuses):
        if seen != status:
            break
        count += 1
    return count
