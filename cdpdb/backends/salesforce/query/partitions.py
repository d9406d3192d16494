"""A finished Query API V3 result as partitions: contiguous chunk ranges that any process reads.

The driver submits the query once and waits; each partition then carries the query id, its chunk
range, the result's Arrow schema and expiry, and a :class:`WorkerAccess`: the tenant URL, the
short-lived Data Cloud token, and the *non-secret* connect settings. A password, client secret,
private key, refresh token or admin key never goes into a partition (they would travel in every
pickle to every worker). When the token has expired or is refused, a worker logs in again with
those settings plus the secrets of its own environment (``CDPDB_PASSWORD``, ``CDPDB_CLIENT_SECRET``...,
as ``connect()`` reads them); without them it raises an OperationalError saying what to set.

Chunk ids are the server's (0-based, ``< chunkCount``); every chunk is in exactly one partition
(:func:`cdpdb.core.results.partitions.split_ranges`).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timezone
from typing import Any

import pyarrow as pa

from cdpdb.backends.salesforce.auth import SalesforceLogin
from cdpdb.backends.salesforce.errors import error_from_response
from cdpdb.backends.salesforce.query.chunks import read_chunk
from cdpdb.backends.salesforce.query.patience import chunk_patience
from cdpdb.backends.salesforce.settings import FLOWS, SECRETS, Settings
from cdpdb.backends.salesforce.types import TYPES
from cdpdb.core.auth import Token, TokenCache
from cdpdb.core.http import HttpClient
from cdpdb.core.results.arrow import ARROW_STREAM, read_stream
from cdpdb.core.results.fetch import ordered_parallel
from cdpdb.core.results.partitions import Partitions, split_ranges
from cdpdb.core.results.schema import Column
from cdpdb.exceptions import Error, InternalError, OperationalError

#: Settings a worker never receives: secrets, paths of secrets, and proxies (their URLs may hold a
#: password; workers take CDPDB_PROXIES from their own environment). The token travels apart.
NOT_SENT = SECRETS | Settings.HIDDEN | {"proxies", "progress", "tenant_url"}


def arrow_schema(columns: list[Column]) -> pa.Schema:
    """The Arrow schema of the result's columns (the type table's types, NOT NULL where said)."""
    return pa.schema(
        [pa.field(c.name, TYPES.arrow(c) or pa.decimal128(38, 0), nullable=c.nullable is not False) for c in columns]
    )


def _utc(text: str | None) -> datetime | None:
    """An ISO-8601 time of the API (``...Z`` or with an offset) as an aware UTC datetime."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


@dataclass(frozen=True)
class WorkerAccess:
    """What a worker needs to call the tenant: its URL, a short-lived Data Cloud token (with its
    wall-clock expiry: monotonic clocks differ between machines) and the non-secret settings."""

    tenant_url: str
    token: str = field(repr=False)
    token_expires_at: float  # time.time() seconds
    settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, settings: Settings, token: Token) -> WorkerAccess:
        kept = {f.name: getattr(settings, f.name) for f in fields(settings) if f.name not in NOT_SENT}
        kept["api"] = "v3"
        wall = time.time() + (token.expires_at - time.monotonic())
        return cls(token.base_url, token.value, wall, kept)

    def token_settings(self) -> Settings:
        """Settings that use the handed token as it is (no login, no environment read)."""
        values = {k: v for k, v in self.settings.items() if k not in ("auth", "username", "client_id")}
        settings = Settings(**values, auth="token", token=self.token, tenant_url=self.tenant_url)
        settings.validate()
        return settings


class WorkerLogin:
    """The token source of a worker: the handed token while it lives, then a login of its own
    with the driver's non-secret settings and the worker's ``CDPDB_*`` secrets."""

    def __init__(self, access: WorkerAccess, http: HttpClient) -> None:
        self.access, self.http = access, http
        self._handed = True

    def __call__(self) -> Token:
        access = self.access
        remaining = access.token_expires_at - time.time()
        if self._handed and remaining > 0:
            self._handed = False  # asked again: the token is stale or was refused (401)
            return Token(access.token, access.tenant_url, time.monotonic() + remaining)
        return self._login()

    def _login(self) -> Token:
        flow = self.access.settings.get("auth")
        needs = [f"CDPDB_{name.upper()}" for name in _flow_secrets(flow)]
        try:
            if flow == "token":
                raise OperationalError("a token login cannot log in again")
            arguments = {k: v for k, v in self.access.settings.items() if v is not None}
            settings = Settings.from_arguments(arguments)
            return SalesforceLogin(settings, self.http)()
        except Error as exc:
            fix = (
                f"set {' and '.join(needs)} in the workers' environment so they can log in again, or " if needs else ""
            )
            raise OperationalError(
                f"the Data Cloud token handed to this partition has expired or was refused, and this worker "
                f"could not log in again ({exc.message}); {fix}call execute_partitions() again for a fresh token",
                reason="token_expired",
            ) from None


def _flow_secrets(flow: str | None) -> list[str]:
    return [name for name in FLOWS.get(flow or "", ()) if name in SECRETS]


@dataclass(frozen=True)
class ChunkPartition:
    """Chunks ``[first_chunk, stop_chunk)`` of V3 query ``query_id``; picklable, read anywhere."""

    query_id: str
    index: int
    first_chunk: int
    stop_chunk: int
    schema: pa.Schema
    row_count: int | None
    estimated_rows: int
    expires_at: datetime | None
    access: WorkerAccess = field(repr=False)

    @property
    def chunks(self) -> range:
        return range(self.first_chunk, self.stop_chunk)

    def read(self) -> Iterator[pa.RecordBatch]:
        """This partition's rows as record batches of ``schema``, chunk by chunk in order (up to
        ``max_workers`` chunks downloading at once), with the session's retries and errors."""
        self._check_not_expired()
        settings = self.access.token_settings()
        http = HttpClient(settings.http_options(), error_from_response, {ARROW_STREAM: read_stream})
        tokens = TokenCache(WorkerLogin(self.access, http))
        stop = threading.Event()
        workers = settings.max_workers
        try:
            chunks = ordered_parallel(
                self._reader(settings, http, tokens),
                len(self.chunks),
                workers,
                workers + settings.prefetch,
                stop,
                chunk_patience(settings, self.query_id, self.first_chunk),
            )
            rows = 0
            for table in chunks:
                rows += table.num_rows
                yield from self._conformed(table).to_batches()
            if self.row_count is not None and rows != self.row_count:
                raise InternalError(
                    f"partition {self.index} of query {self.query_id} should hold {self.row_count} rows but its "
                    f"chunks held {rows}",
                    query_id=self.query_id,
                )
        finally:
            stop.set()
            http.close()

    def _reader(self, settings: Settings, http: HttpClient, tokens: TokenCache) -> Callable[[int], pa.Table]:
        def read(n: int) -> pa.Table:
            try:
                table = read_chunk(settings, http, tokens, self.query_id, self.first_chunk + n)
            except OperationalError as exc:
                if exc.status == 404:  # the server no longer has the result
                    raise self._expired() from exc
                raise
            return table

        return read

    def _conformed(self, table: pa.Table) -> pa.Table:
        """The chunk in the announced schema (the wire's nullability flags may differ)."""
        if table.schema.equals(self.schema):
            return table
        if table.column_names != self.schema.names:
            raise InternalError(
                f"chunk of query {self.query_id} has columns {table.column_names}, not {self.schema.names}",
                query_id=self.query_id,
            )
        return table.cast(self.schema)

    def _check_not_expired(self) -> None:
        if self.expires_at is not None and datetime.now(timezone.utc) >= self.expires_at:
            raise self._expired()

    def _expired(self) -> OperationalError:
        when = f" at {self.expires_at:%Y-%m-%d %H:%M:%S} UTC" if self.expires_at else ""
        return OperationalError(
            f"the result of query {self.query_id} is no longer on the server (it expires{when}, or was "
            "cancelled), so partition "
            f"{self.index} cannot be read; run execute_partitions() again and read the new partitions sooner",
            query_id=self.query_id,
            reason="result_expired",
        )


def merged(parts: Sequence[ChunkPartition], index: int) -> ChunkPartition:
    """Consecutive partitions as one (chunks downloaded ``max_workers`` at a time over one HTTP
    session, instead of one after the other): how an engine groups one-chunk partitions into
    fewer read tasks after the query ran."""
    if not parts or any(a.stop_chunk != b.first_chunk for a, b in itertools.pairwise(parts)):
        raise ValueError("only a non-empty run of consecutive partitions can be merged")
    first = parts[0]
    counts = [p.row_count for p in parts]
    exact = None if None in counts else sum(c for c in counts if c is not None)
    return replace(
        first,
        index=index,
        stop_chunk=parts[-1].stop_chunk,
        row_count=exact,
        estimated_rows=sum(p.estimated_rows for p in parts),
    )


def split_result(
    query_id: str,
    status: dict[str, Any],
    columns: list[Column],
    partitions: int | None,
    settings: Settings,
    token: Token,
) -> Partitions:
    """The partitions of a finished V3 query whose status says ``chunkCount`` and ``rowCount``."""
    chunk_count = int(status.get("chunkCount") or 0)
    row_count = int(status["rowCount"]) if status.get("rowCount") is not None else None
    expires_at = _utc(status.get("expirationTime"))
    schema = arrow_schema(columns)
    access = WorkerAccess.of(settings, token)
    ranges = split_ranges(chunk_count, partitions)
    parts = []
    for index, chunks in enumerate(ranges):
        total = row_count or 0
        estimate = total * chunks.stop // chunk_count - total * chunks.start // chunk_count
        exact = row_count if len(ranges) == 1 else None
        parts.append(
            ChunkPartition(query_id, index, chunks.start, chunks.stop, schema, exact, estimate, expires_at, access)
        )
    return Partitions(query_id, schema, tuple(parts), row_count, chunk_count, expires_at)


__all__ = ["ChunkPartition", "WorkerAccess", "arrow_schema", "merged", "split_result"]
