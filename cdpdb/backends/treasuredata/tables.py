"""Treasure Data's objects as declared tables: parent segments, segments, and the profiles of each
parent segment and of each saved segment, read through asynchronous segment queries."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pyarrow as pa

from cdpdb.backends.treasuredata import compile, rules, wire
from cdpdb.backends.treasuredata.client import AudienceApi
from cdpdb.backends.treasuredata.records import UTC_TIME, to_batch
from cdpdb.backends.treasuredata.trino_path import TrinoPath
from cdpdb.core.jobs import wait_until_done
from cdpdb.core.results.decode import decode_column
from cdpdb.core.results.fetch import Stopped
from cdpdb.core.results.schema import Column
from cdpdb.core.retry import Deadline
from cdpdb.core.sqlapi.tables import Field, Predicate, Scan, Table
from cdpdb.exceptions import OperationalError, ProgrammingError

log = logging.getLogger(__name__)
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "number": pa.float64(),  # UNCONFIRMED: TD's numbers are doubles in its Trino tables
    "timestamp": UTC_TIME,
    "date": pa.date32(),
    "boolean": pa.bool_(),
    "string_array": pa.list_(pa.string()),
    "number_array": pa.list_(pa.float64()),
}


class TdTypes:
    """TD attribute type names → Arrow, for the vendor-free decoder."""

    def arrow(self, column: Column) -> pa.DataType:
        return ARROW_TYPES.get(column.type_name, pa.string())

    def name_of(self, arrow_type: pa.DataType) -> str:
        return next((name for name, kind in ARROW_TYPES.items() if kind == arrow_type), "string")


TYPES = TdTypes()


class ListTable(Table):
    """A small API collection, fetched whole at each scan (the API filters none of it)."""

    def __init__(self, name: str, fields: list[Field], fetch: Callable[[Scan], list[dict[str, Any]]], comment: str):
        self.name, self.fields, self._fetch, self.comment = name, fields, fetch, comment
        self.primary_key = ("id",)

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        yield to_batch(self._fetch(scan), self.fields)


class ProfilesTable(Table):
    """The profiles of a parent segment (``base`` None) or of a saved segment (its rule as
    ``base``). A scan is one asynchronous segment query: the pushed predicates become the rule,
    ORDER BY + LIMIT its top-N, the needed columns its ``columns``."""

    orders = limits = True

    def __init__(
        self,
        api: AudienceApi,
        audience_id: str,
        name: str,
        attributes: list[dict[str, Any]],
        comment: str,
        base: rules.Rule | None = None,
        query_timeout: float | None = None,
        trino: TrinoPath | None = None,
    ) -> None:
        self.api, self.audience_id, self.name, self.comment = api, audience_id, name, comment
        self.base, self.query_timeout, self.trino = base, query_timeout, trino
        self.td_types = {a["name"]: a["type"] for a in attributes}
        self.primary_key = (wire.PROFILE_KEY,)
        self.fields = [Field(wire.PROFILE_KEY, pa.string(), nullable=False, comment="the profile's id")]
        for attribute in attributes:
            td_type = attribute["type"]
            pushdown = compile.OPERATORS_BY_TYPE.get(td_type, frozenset())
            self.fields.append(Field(attribute["name"], ARROW_TYPES.get(td_type, pa.string()), pushdown=pushdown))
        if base is not None and base.limit is not None:  # a saved top-N: more conditions would change it
            self.orders = self.limits = False

    def can_order(self, column: str) -> bool:
        """A rule's top-N orders by scalar attributes only (not the key, not arrays)."""
        td_type = self.td_types.get(column)
        return self.orders and td_type is not None and not td_type.endswith("_array")

    def accepts(self, predicate: Predicate) -> bool:
        if self.base is not None and self.base.limit is not None:
            return False
        td_type = self.td_types.get(predicate.column)
        return td_type is not None and compile.convertible(predicate, td_type)

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        rule = compile.rule_for(scan.predicates, self.td_types, scan.order, scan.limit, self.base)
        columns = [c for c in scan.columns if c != wire.PROFILE_KEY]
        if self.trino is not None:
            yield from self._trino_scan(rule, [wire.PROFILE_KEY, *columns], scan)
            return
        body: dict[str, Any] = {
            "columns": [wire.PROFILE_KEY, *columns],
            "kind": wire.KIND_BATCH,
            "pageSize": self.api.settings.page_size,
        }
        if rule is not None:
            body["rule"] = rule.to_json()
        if log.isEnabledFor(logging.DEBUG):
            log.debug("segment query on %s: %s", self.name, orjson.dumps(body.get("rule")).decode())
        submitted = self.api.post(
            self.api.path(wire.SEGMENT_QUERIES, audience_id=self.audience_id),
            body,
            what=f"the segment query on {self.name}",
        )
        query_id = str(submitted.get("id") or submitted.get("queryId"))
        try:
            status = self._wait(query_id, scan.stop)
            yield from self._pages(query_id, status, scan)
        except Stopped:
            self._kill(query_id)
        except GeneratorExit:
            self._kill(query_id)
            raise

    def _trino_scan(self, rule: rules.Rule | None, columns: list[str], scan: Scan) -> Iterator[pa.RecordBatch]:
        """The Trino path: the SQL TD compiles the rule to (``/segments/query``), projected to the
        needed columns and run on TD's Trino endpoint; no segment query, no ``/customers`` pages."""
        assert self.trino is not None
        body: dict[str, Any] = {"format": "sql"}
        if rule is not None:
            body["rule"] = rule.to_json()
        path = self.api.path(wire.SEGMENT_SQL, audience_id=self.audience_id)
        answer = self.api.post(path, body, what=f"the SQL of {self.name}", safe=True)  # compiles only: safe to repeat
        sql = answer.get("sql") if isinstance(answer, dict) else None
        if not isinstance(sql, str) or not sql.strip():
            raise OperationalError(f"{path} answered without the SQL of the rule (no 'sql' text)")
        projected = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        statement = f"select {projected}\nfrom (\n{sql.rstrip()}\n) segment"
        if log.isEnabledFor(logging.DEBUG):
            log.debug("Trino statement for %s: %s", self.name, statement)
        yield from self.trino.read(statement, scan.stop)

    def _status(self, query_id: str) -> dict[str, Any]:
        path = self.api.path(wire.SEGMENT_QUERY, audience_id=self.audience_id, query_id=query_id)
        return dict(self.api.get(path, what=f"the status of segment query {query_id}", query_id=query_id))

    def _wait(self, query_id: str, stop: threading.Event) -> dict[str, Any]:
        """Poll until the query left ``running`` (TD has no long poll: a short sleep between polls)."""
        delay = [0.05]

        def poll(wait_ms: int) -> dict[str, Any]:
            stop.wait(min(delay[0], wait_ms / 1000))
            delay[0] = min(delay[0] * 2, 2.0)
            return self._status(query_id)

        status = wait_until_done(
            self._status(query_id),
            lambda s: s.get("status") != wire.QUERY_RUNNING,
            poll,
            lambda: self._kill(query_id),
            Deadline.after(self.query_timeout, "query_timeout"),
            stop,
            query_id,
            2_000,
        )
        if status.get("status") == wire.QUERY_ERROR:
            raise ProgrammingError(
                f"segment query {query_id} on {self.name} failed: {status.get('error')}", query_id=query_id
            )
        if status.get("status") == wire.QUERY_KILLED:
            raise OperationalError(f"segment query {query_id} on {self.name} was killed", query_id=query_id)
        return status

    def _pages(self, query_id: str, status: dict[str, Any], scan: Scan) -> Iterator[pa.RecordBatch]:
        path = self.api.path(wire.SEGMENT_QUERY_CUSTOMERS, audience_id=self.audience_id, query_id=query_id)
        expected, received, page = status.get("count"), 0, wire.FIRST_PAGE
        while True:
            if scan.stop.is_set():
                raise Stopped
            body = self.api.get(
                path, {"page": page}, what=f"page {page} of segment query {query_id}", query_id=query_id
            )
            kind = body.get("type")
            if kind == wire.PAGE_END:
                break
            if kind == wire.PAGE_PENDING:
                time.sleep(0.1)
                continue
            if kind != wire.PAGE_ROWS:
                raise OperationalError(
                    f"segment query {query_id} ended with {kind}: {body.get('error') or 'no rows'}", query_id=query_id
                )
            batch = self._batch(body.get("names") or [], body.get("rows") or [])
            received += batch.num_rows
            yield batch
            page += 1
        limit = scan.limit
        if isinstance(expected, int) and received != (expected if limit is None else min(expected, limit)):
            raise OperationalError(
                f"segment query {query_id} announced {expected} profiles but {received} arrived", query_id=query_id
            )

    def _batch(self, names: list[str], rows: list[list[Any]]) -> pa.RecordBatch:
        """One page's rows → Arrow: transposed once (``zip``, in C), each column decoded by its type."""
        if any(len(row) != len(names) for row in rows):
            raise OperationalError(f"a row of a /customers page does not have the {len(names)} columns it names")
        columns = zip(*rows, strict=True) if rows else ((),) * len(names)
        arrays = []
        for name, column in zip(names, columns, strict=True):
            values = list(column)
            td_type = self.td_types.get(name, "string")
            if td_type.endswith("_array"):
                arrays.append(pa.array(values, ARROW_TYPES[td_type]))
            else:
                arrays.append(decode_column(values, Column(name, td_type), TYPES))
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def _kill(self, query_id: str) -> None:
        path = self.api.path(wire.SEGMENT_QUERY_KILL, audience_id=self.audience_id, query_id=query_id)
        try:
            self.api.post(path, {}, what=f"killing segment query {query_id}", safe=True, query_id=query_id)
        except OperationalError as exc:  # the scan stops anyway; say why the server did not hear it
            log.warning("segment query %s could not be killed: %s", query_id, exc)
