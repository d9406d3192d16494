"""The Real-Time Customer Profile API's data as declared tables of the shared SQL layer.

- :class:`EntityTable` (``profiles``, ``accounts``): point lookups only. ``namespace`` and
  ``identity`` equality (or ``IN``) are *required*: one pair → ``GET /access/entities``, more →
  batched ``POST /access/entities``; the selected columns → ``fields``; ``merge_policy_id = ...``
  → ``mergePolicyId``. There is no endpoint that lists profiles, so a scan without both
  predicates raises NotSupportedError naming them.
- :class:`EventsTable` (``experience_events``): the events of one identity (or a few), with the
  time range, the order by timestamp and the limit pushed down, paged by ``_page.next``.
- :class:`ListTable`: small configuration lists read whole (merge policies, jobs, reports).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa

from cdpdb.backends.adobe import wire, xdm
from cdpdb.backends.adobe.client import PlatformApi
from cdpdb.core.sqlapi.tables import BETWEEN, EQ, GE, GT, IN, LE, LT, Field, Predicate, Scan, Table
from cdpdb.exceptions import NotSupportedError, ProgrammingError

log = logging.getLogger(__name__)
UTC_TIME = xdm.UTC_TIME
LOOKUP = frozenset({EQ, IN})
TIME_RANGE = frozenset({EQ, LT, LE, GT, GE, BETWEEN})


def _wanted(scan: Scan, column: str) -> list[Any] | None:
    """The values ``column`` is restricted to by EQ/IN predicates (in the order given; several
    predicates intersect), or None when no predicate restricts it."""
    values: list[Any] | None = None
    for predicate in scan.predicates_on(column):
        given = list(predicate.value) if predicate.op == IN else [predicate.value]
        given = [str(v) for v in given if v is not None]
        values = given if values is None else [v for v in values if v in set(given)]
    if values is None:
        return None
    return list(dict.fromkeys(values))  # no duplicates, order kept


class SchemaFields:
    """A sandbox's union schema of one XDM class, fetched on first use (connecting reads none)."""

    def __init__(self, api: PlatformApi, sandbox: str, schema: str, reserved: frozenset[str]) -> None:
        self.api, self.sandbox, self.schema, self.reserved = api, sandbox, schema, reserved
        self._fields: list[xdm.XdmField] | None = None
        self.missing = False
        self._lock = threading.Lock()

    def get(self) -> list[xdm.XdmField]:
        with self._lock:
            if self._fields is None:
                url = self.api.url(wire.UNION_SCHEMA, schema=self.schema)
                try:
                    body = self.api.get(
                        url, sandbox=self.sandbox, what=f"reading the {self.schema} union schema", accept=wire.XED_FULL
                    )
                except ProgrammingError as exc:
                    if exc.status != 404:
                        raise
                    self.missing, body = True, {}
                self._fields = xdm.flatten_schema(body if isinstance(body, dict) else {}, self.reserved)
            return self._fields


ENTITY_BASE = [
    Field(
        "namespace",
        pa.string(),
        nullable=False,
        pushdown=LOOKUP,
        comment="the identity namespace looked up (entityIdNS)",
    ),
    Field("identity", pa.string(), nullable=False, pushdown=LOOKUP, comment="the identity value looked up (entityId)"),
    Field(
        "merge_policy_id",
        pa.string(),
        pushdown=frozenset({EQ}),
        comment="the merge policy asked for (mergePolicyId); NULL: the default",
    ),
    Field("entity_id", pa.string(), comment="the profile's XID"),
    Field("sources", pa.string(), comment="the datasets the profile was merged from (JSON list)"),
    Field("last_modified_at", UTC_TIME),
    Field("entity", pa.string(), comment="the whole merged entity as JSON"),
]


class EntityTable(Table):
    """Profiles (or accounts) of one sandbox, looked up by identity."""

    def __init__(self, api: PlatformApi, sandbox: str, name: str, schema: str, batch_size: int, threads: int) -> None:
        self.api, self.sandbox, self.name, self.schema_name = api, sandbox, name, schema
        self.batch_size, self.threads = batch_size, threads
        self.comment = f"{schema} entities of the sandbox {sandbox}: WHERE namespace = ... AND identity = ... required"
        self._xdm = SchemaFields(api, sandbox, schema, frozenset(f.name for f in ENTITY_BASE))
        self.primary_key = ("namespace", "identity", "merge_policy_id")

    @property
    def fields(self) -> list[Field]:  # type: ignore[override]  # read from the union schema on first use
        return [*ENTITY_BASE, *(Field(f.column, f.type, comment=f.path) for f in self._xdm.get())]

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        namespaces, identities = _wanted(scan, "namespace"), _wanted(scan, "identity")
        if namespaces is None or identities is None:
            raise NotSupportedError(
                f"{self.name} can only be looked up by identity: add WHERE namespace = '<namespace>' AND "
                f"identity = '<value>' (or identity IN (...)); the Profile API has no endpoint that lists "
                f"{self.name}, and this query gives no {'namespace' if namespaces is None else 'identity'}",
                sqlstate="0A000",
                reason="identity_required",
            )
        policies = _wanted(scan, "merge_policy_id")
        if policies is not None and len(policies) != 1:
            return  # two different policies at once: no row can match
        self._xdm.get()
        if self._xdm.missing:
            raise ProgrammingError(
                f"the sandbox {self.sandbox} has no {self.schema_name} union schema, so {self.name} has no rows "
                "there (accounts need Real-Time CDP B2B edition)",
                sqlstate="42P01",
                reason="no_union_schema",
            )
        policy = policies[0] if policies else None
        pairs = [(ns, ident) for ns in namespaces for ident in identities]
        schema = self._arrow_schema(scan.columns)
        paths = self._paths(scan.columns)
        if len(pairs) == 1:
            rows = self._one(pairs[0], paths, policy)
            if rows:
                yield xdm.rows_to_batch(rows, schema)
            return
        batches = [pairs[i : i + self.batch_size] for i in range(0, len(pairs), self.batch_size)]
        pool = ThreadPoolExecutor(max_workers=min(self.threads, len(batches)), thread_name_prefix="adobe-lookup")
        try:
            for rows in pool.map(lambda batch: self._many(batch, paths, policy, scan), batches):
                if scan.stop.is_set():
                    return
                if rows:
                    yield xdm.rows_to_batch(rows, schema)
        finally:  # a cancelled or abandoned scan sends none of the batches still queued (map cancels them too)
            pool.shutdown(wait=True, cancel_futures=True)

    def _arrow_schema(self, columns: Sequence[str]) -> pa.Schema:
        wanted = set(columns)
        return pa.schema([pa.field(f.name, f.type) for f in self.fields if f.name in wanted])

    def _paths(self, columns: Sequence[str]) -> list[str] | None:
        """The ``fields`` to ask for: None (the whole entity) when the JSON column is wanted."""
        if "entity" in columns:
            return None
        wanted = set(columns)
        return [f.path for f in self._xdm.get() if f.column in wanted]

    def _row(
        self, pair: tuple[str, str], policy: str | None, answer: dict[str, Any], paths: list[str] | None
    ) -> dict[str, Any]:
        entity = answer.get("entity") or {}
        row: dict[str, Any] = {
            "namespace": pair[0],
            "identity": pair[1],
            "merge_policy_id": policy,
            "entity_id": answer.get("entityId"),
            "sources": xdm.json_text(answer.get("sources")),
            "last_modified_at": xdm.column_value(answer.get("lastModifiedAt"), UTC_TIME),
            "entity": xdm.json_text(entity),
        }
        for f in self._xdm.get():
            if paths is None or f.path in paths:
                row[f.column] = xdm.column_value(xdm.value_at(entity, f.path), f.type)
        return row

    def _one(self, pair: tuple[str, str], paths: list[str] | None, policy: str | None) -> list[dict[str, Any]]:
        params = {wire.P_SCHEMA: self.schema_name, wire.P_ENTITY_ID: pair[1], wire.P_ENTITY_NS: pair[0]}
        if paths is not None:
            params[wire.P_FIELDS] = ",".join(paths or [wire.IDENTITY_MAP])
        if policy:
            params[wire.P_MERGE_POLICY] = policy
        try:
            body = self.api.get(
                self.api.url(wire.ENTITIES), params, sandbox=self.sandbox, what=f"looking up {self.name}"
            )
        except ProgrammingError as exc:
            if exc.reason == wire.UPS_NOT_FOUND:
                return []  # a point lookup that finds nothing is an empty result
            raise
        return [self._row(pair, policy, answer, paths) for answer in _answers(body)]

    def _many(
        self, pairs: list[tuple[str, str]], paths: list[str] | None, policy: str | None, scan: Scan
    ) -> list[dict[str, Any]]:
        if scan.stop.is_set():
            return []
        body: dict[str, Any] = {
            "schema": {"name": self.schema_name},
            wire.BATCH_IDENTITIES: [{"entityId": ident, "entityIdNS": {"code": ns}} for ns, ident in pairs],
        }
        if paths is not None:
            body["fields"] = list(dict.fromkeys([*paths, wire.IDENTITY_MAP]))
        if policy:
            body[wire.P_MERGE_POLICY] = policy
        answer = self.api.post(
            self.api.url(wire.ENTITIES),
            body,
            sandbox=self.sandbox,
            what=f"looking up {len(pairs)} {self.name}",
            safe=True,
        )
        asked = set(pairs)
        rows = []
        for found in _answers(answer):
            entity = found.get("entity") or {}
            for ns in dict.fromkeys(ns for ns, _ in pairs):
                for ident in xdm.identities_of(entity, ns):
                    if (ns, ident) in asked:
                        rows.append(self._row((ns, ident), policy, found, paths))
        return rows


def _answers(body: Any) -> list[dict[str, Any]]:
    """The entities of an /access/entities answer: a map of XID → {entityId, sources, entity, ...}."""
    if not isinstance(body, dict):
        return []
    return [v for v in body.values() if isinstance(v, dict) and "entity" in v]


EVENT_BASE = [
    Field(
        "namespace",
        pa.string(),
        nullable=False,
        pushdown=frozenset({EQ}),
        comment="the profile identity's namespace (relatedEntityIdNS)",
    ),
    Field("identity", pa.string(), nullable=False, pushdown=LOOKUP, comment="the profile identity (relatedEntityId)"),
    Field("timestamp", UTC_TIME, pushdown=TIME_RANGE, comment="the event's time (startTime/endTime, orderby)"),
    Field("event_id", pa.string(), comment="the event's _id"),
    Field("entity", pa.string(), comment="the whole event as JSON"),
]


def _epoch_ms(value: Any) -> int:
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return int(value.timestamp() * 1000)
    if isinstance(value, dt.date):
        return int(dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc).timestamp() * 1000)
    if isinstance(value, str):
        return _epoch_ms(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return int(value)
    raise ProgrammingError(f"experience_events.timestamp must be compared with a timestamp, not {value!r}")


def time_window(predicates: Sequence[Predicate]) -> tuple[int | None, int | None]:
    """``startTime`` (inclusive) and ``endTime`` (exclusive) in epoch ms covering every pushed
    comparison: a superset of the rows (a bound is widened by 1 ms where SQL's is strict or the
    value has sub-millisecond digits); DuckDB applies the exact comparison afterwards."""
    start: int | None = None
    end: int | None = None

    def low(ms: int) -> None:
        nonlocal start
        start = ms if start is None else max(start, ms)

    def high(ms: int) -> None:
        nonlocal end
        end = ms if end is None else min(end, ms)

    for p in predicates:
        if p.op == BETWEEN:
            low(_epoch_ms(p.value[0]))
            high(_epoch_ms(p.value[1]) + 1)
        elif p.op == EQ:
            low(_epoch_ms(p.value))
            high(_epoch_ms(p.value) + 1)
        elif p.op in (GT, GE):
            low(_epoch_ms(p.value))
        elif p.op in (LT, LE):
            high(_epoch_ms(p.value) + 1)
    return start, end


class EventsTable(Table):
    """The experience events of a profile, found through one of its identities."""

    orders = limits = True

    def __init__(self, api: PlatformApi, sandbox: str, page_size: int) -> None:
        self.api, self.sandbox, self.page_size = api, sandbox, page_size
        self.name = "experience_events"
        self.comment = f"experience events of the sandbox {sandbox}: WHERE namespace = ... AND identity = ... required"
        self._xdm = SchemaFields(api, sandbox, wire.EVENT_SCHEMA, frozenset(f.name for f in EVENT_BASE))
        self.primary_key = ("event_id",)

    @property
    def fields(self) -> list[Field]:  # type: ignore[override]  # read from the union schema on first use
        return [*EVENT_BASE, *(Field(f.column, f.type, comment=f.path) for f in self._xdm.get())]

    def can_order(self, column: str) -> bool:
        return column == "timestamp"

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        namespaces, identities = _wanted(scan, "namespace"), _wanted(scan, "identity")
        if namespaces is None or identities is None:
            raise NotSupportedError(
                "experience_events are read for one profile at a time: add WHERE namespace = '<namespace>' AND "
                "identity = '<value>'; the Profile API has no endpoint that lists every event",
                sqlstate="0A000",
                reason="identity_required",
            )
        start, end = time_window(scan.predicates_on("timestamp"))
        order = None
        if scan.order:
            order = ("-" if scan.order[0].descending else "") + wire.ORDER_TIMESTAMP
        wanted = set(scan.columns)
        schema = pa.schema([pa.field(f.name, f.type) for f in self.fields if f.name in wanted])
        for ns in namespaces:
            for ident in identities:
                yield from self._events(ns, ident, start, end, order, scan, schema)

    def _events(
        self, ns: str, ident: str, start: int | None, end: int | None, order: str | None, scan: Scan, schema: pa.Schema
    ) -> Iterator[pa.RecordBatch]:
        params: dict[str, Any] = {
            wire.P_SCHEMA: wire.EVENT_SCHEMA,
            wire.P_RELATED_SCHEMA: wire.PROFILE_SCHEMA,
            wire.P_RELATED_ENTITY_ID: ident,
            wire.P_RELATED_ENTITY_NS: ns,
            wire.P_LIMIT: min(self.page_size, scan.limit) if scan.limit else self.page_size,
        }
        if start is not None:
            params[wire.P_START_TIME] = start
        if end is not None:
            params[wire.P_END_TIME] = end
        if order:
            params[wire.P_ORDER_BY] = order
        left = scan.limit
        if left == 0:
            return
        while not scan.stop.is_set():
            body = self.api.get(
                self.api.url(wire.ENTITIES), params, sandbox=self.sandbox, what="reading experience events"
            )
            children = body.get(wire.CHILDREN) or [] if isinstance(body, dict) else []
            if left is not None:
                children = children[:left]
                left -= len(children)
            if children:
                yield xdm.rows_to_batch([self._row(ns, ident, c) for c in children], schema)
            token = ((body.get(wire.PAGE) or {}) if isinstance(body, dict) else {}).get(wire.PAGE_NEXT)
            if not token or not children or left == 0:
                return
            params[wire.P_START] = token

    def _row(self, ns: str, ident: str, child: dict[str, Any]) -> dict[str, Any]:
        entity = child.get("entity") or {}
        row: dict[str, Any] = {
            "namespace": ns,
            "identity": ident,
            "timestamp": xdm.column_value(child.get("timestamp") or entity.get("timestamp"), UTC_TIME),
            "event_id": child.get("entityId") or entity.get("_id"),
            "entity": xdm.json_text(entity),
        }
        for f in self._xdm.get():
            row[f.column] = xdm.column_value(xdm.value_at(entity, f.path), f.type)
        return row


@dataclass(frozen=True)
class Column:
    """A list table's column: its field and where the value sits in an item (a dotted path)."""

    field: Field
    path: str


def col(name: str, kind: pa.DataType, path: str | None = None, comment: str | None = None) -> Column:
    return Column(Field(name, kind, comment=comment or (path if path and path != name else None)), path or name)


class ListTable(Table):
    """A small API collection, fetched whole at each scan (the API filters none of it)."""

    def __init__(
        self,
        name: str,
        columns: list[Column],
        fetch: Callable[[], list[dict[str, Any]]],
        comment: str,
        primary_key: tuple[str, ...] = ("id",),
    ) -> None:
        self.name, self.columns, self._fetch, self.comment = name, columns, fetch, comment
        self.fields = [c.field for c in columns]
        self.primary_key = primary_key

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        items = self._fetch()
        rows = [
            {c.field.name: xdm.column_value(xdm.value_at(item, c.path), c.field.type) for c in self.columns}
            for item in items
        ]
        yield xdm.rows_to_batch(rows, pa.schema([pa.field(f.name, f.type) for f in self.fields]))
