"""Activations (TD's old name: syndications) as a table, with the folder listing's server-side
filters, sort and cursor paging doing the work.

``GET /audiences/{id}/folders/{fid}/syndications`` lists the activations under a folder,
recursively (the OpenAPI's words), so a parent segment's activations are its root folder's
listing. What a SELECT pushes, and why each is safe (DuckDB checks every predicate again):

- ``name``/``segmentName`` ``= 'x'`` or ``LIKE`` → ``name_include``/``segment_name_include`` with the
  longest run of literal text in the pattern: TD matches it anywhere, ignoring case, so the server
  returns a superset (inexact);
- ``startAt`` ranges → ``start_after``/``start_before``, widened by 14 hours: TD's ``startAt`` is a
  wall-clock time without a zone and TD does not say in which zone the bounds are compared
  (inexact);
- ``=``/``IN`` on ``connectionType``, ``scheduleStatus``, ``repeatUnit``, ``activationTemplateId``,
  ``createdByTdUserId`` → the list filters (exact);
- ``audienceId``/``folderId`` ``=``/``IN`` → only those parent segments / folders are listed;
- ``ORDER BY`` a time column → ``sorted_by=<key>:asc|desc``; with ``LIMIT n`` each listing stops
  after the first ``n`` rows that pass every pushed predicate (checked here, exactly) and the rows
  tied with the n-th. Names are not ordered by the server: TD's collation is not documented, and
  a case-insensitive order would pick other first rows than DuckDB.

Every request is logged at DEBUG (``cdpdb.backends.treasuredata.activations``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import pyarrow as pa

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.client import AudienceApi
from cdpdb.backends.treasuredata.lists import TEXT, row_of, wanted
from cdpdb.backends.treasuredata.records import LOCAL_TIME, UTC_TIME, to_batch, user_fields
from cdpdb.core.sqlapi.tables import BETWEEN, EQ, GE, GT, IN, LE, LIKE, LT, Field, Order, Predicate, Scan, Table
from cdpdb.exceptions import OperationalError

log = logging.getLogger(__name__)
CHOICES = frozenset({EQ, IN})
TEXT_MATCH = frozenset({EQ, LIKE})
RANGE = frozenset({EQ, LT, LE, GT, GE, BETWEEN})
ZONE_SLACK = dt.timedelta(hours=14)  # the widest UTC offset: a bound in any zone is inside the widened one
INCLUDE = {"name": "name_include", "segmentName": "segment_name_include"}
CHOICE_FILTERS = {  # column → (query parameter, the values TD accepts: None for any)
    "connectionType": ("connection_type", None),
    "scheduleStatus": ("schedule_status", frozenset(wire.ACTIVATION_SCHEDULE_STATUSES)),
    "repeatUnit": ("repeat_unit", frozenset(wire.ACTIVATION_REPEAT_UNITS)),
    "activationTemplateId": ("activation_template_id", None),
    "createdByTdUserId": ("created_by_td_user_id", None),
}
ID_CHOICES = frozenset({"activationTemplateId", "createdByTdUserId", "folderId"})  # integers on the wire
SORT_KEYS = {column: key for key, column in wire.ACTIVATION_SORT_FIELDS.items()}
ORDERED = frozenset({"startAt", "createdAt", "updatedAt"})  # times: the same order on TD and in DuckDB

ACTIVATION_FIELDS = [
    Field("id", TEXT, nullable=False),
    Field("audienceId", TEXT, nullable=False, pushdown=CHOICES, comment="the parent segment (the listing's)"),
    Field("folderId", TEXT, pushdown=CHOICES, comment="the segment's folder (the last of the item's folder list)"),
    Field("folderName", TEXT),
    Field("name", TEXT, pushdown=TEXT_MATCH),
    Field("segmentId", TEXT),
    Field("segmentName", TEXT, pushdown=TEXT_MATCH),
    Field("scheduleStatus", TEXT, pushdown=CHOICES),
    Field("runStatus", TEXT),
    Field("activationTemplateId", TEXT, pushdown=CHOICES),
    Field("activationTemplateName", TEXT),
    Field("connectionId", TEXT),
    Field("connectionType", TEXT, pushdown=CHOICES),
    Field("connectionTypeDescription", TEXT),
    Field("connectionName", TEXT),
    Field("connectionValid", pa.bool_()),
    Field("startAt", LOCAL_TIME, pushdown=RANGE, comment="wall-clock time, without a zone, as TD gives it"),
    Field("endOn", pa.date32()),
    Field("repeatUnit", TEXT, pushdown=CHOICES),
    Field("repeatFrequency", pa.int64()),
    Field("timezone", TEXT),
    Field("workflowProjectName", TEXT),
    Field("workflowName", TEXT),
    Field("lastExecution", TEXT, comment="JSON text"),
    Field("lastRecordCount", pa.int64()),
    Field("createdAt", UTC_TIME),
    Field("updatedAt", UTC_TIME),
    *user_fields("createdBy", td_user_pushdown=CHOICES),
    *user_fields("updatedBy"),
]


class ActivationsTable(Table):
    # The key includes the parent segment: the local Treasure Data numbers activations per parent segment.
    name, fields, primary_key = "activations", ACTIVATION_FIELDS, ("audienceId", "id")
    comment = "segment activations (syndications) of every parent segment"
    orders = limits = True

    def __init__(self, api: AudienceApi, audiences: Sequence[str], page_size: int | None = None) -> None:
        self.api, self.audiences, self.page_size = api, list(audiences), page_size

    def can_order(self, column: str) -> bool:
        return column in ORDERED

    def accepts(self, predicate: Predicate) -> bool:
        if not super().accepts(predicate):
            return False
        column, op, value = predicate.column, predicate.op, predicate.value
        if column in INCLUDE:
            return isinstance(value, str) and bool(_fragment(value) if op == LIKE else value)
        if column == "startAt":
            bounds = value if op == BETWEEN else (value,)
            return all(_moment(v) is not None for v in bounds)
        values = value if op == IN else (value,)
        if column in ID_CHOICES:
            return all(_is_id(v) for v in values)
        if column == "audienceId":
            return True
        allowed = CHOICE_FILTERS[column][1]
        return all(isinstance(v, str) and "," not in v and (allowed is None or v in allowed) for v in values)

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        params = _params(scan, self.page_size)
        if params is None:
            return  # the pushed predicates contradict each other: no row can pass
        for audience in wanted(self.audiences, scan, "audienceId"):
            seen: set[str] = set()
            for folder in self._folders(audience, scan):
                for rows in _Listing(self.api, audience, folder, params, scan).pages():
                    fresh = [row for row in rows if row["id"] not in seen]  # listings of nested folders overlap
                    seen.update(row["id"] for row in fresh)
                    yield to_batch(fresh, self.fields)

    def _folders(self, audience: str, scan: Scan) -> list[str]:
        """The folders to list: the ones named by ``folderId``, else the roots (listings recurse)."""
        path = self.api.path(wire.FOLDERS, audience_id=audience)
        log.debug("activations: GET %s", path)
        folders = self.api.get(path, what=f"listing the folders of parent segment {audience}")
        ids = [str(f["id"]) for f in folders]
        if scan.predicates_on("folderId"):
            return wanted(ids, scan, "folderId")
        return [str(f["id"]) for f in folders if f.get("parentFolderId") is None]


class _Listing:
    """One folder's listing, page by page, stopping early where a pushed LIMIT allows."""

    def __init__(self, api: AudienceApi, audience: str, folder: str, params: dict[str, Any], scan: Scan) -> None:
        self.api, self.audience, self.folder, self.params, self.scan = api, audience, folder, params, scan
        self.order = scan.order[0].column if scan.order else None
        self.counted = 0  # rows that pass every pushed predicate (with a sort key, when ordered)
        self.boundary: Any = None  # the sort key of the limit-th counted row

    def pages(self) -> Iterator[list[dict[str, Any]]]:
        path = self.api.path(wire.ACTIVATIONS, audience_id=self.audience, folder_id=self.folder)
        after: str | None = None
        cursors: set[str] = set()
        while not self.scan.stop.is_set():
            params = dict(self.params, **({wire.PAGE_AFTER: after} if after else {}))
            log.debug("activations: GET %s?%s", path, urlencode(params, doseq=True))
            body = self.api.get(path, params, what=f"listing the activations of folder {self.folder}")
            rows = [_row(item, self.audience) for item in body.get(wire.ACTIVATION_ITEMS) or []]
            pagination = body.get(wire.ACTIVATION_PAGINATION) or {}
            log.debug("activations: served %d (hasNext %s)", len(rows), pagination.get(wire.PAGE_HAS_NEXT))
            done = any(self._enough(row) for row in rows)
            yield rows
            if done or not pagination.get(wire.PAGE_HAS_NEXT):
                return
            after = pagination.get(wire.PAGE_NEXT)
            if not after or after in cursors:
                raise OperationalError(
                    f"the activations of folder {self.folder} announced another page without a new cursor "
                    f"({wire.PAGE_NEXT}={after!r}): the listing cannot be completed"
                )
            cursors.add(after)

    def _enough(self, row: dict[str, Any]) -> bool:
        """Whether the rows before ``row`` hold the scan's first ``limit`` rows (ties included)."""
        limit = self.scan.limit
        if limit is None:
            return False
        key = row.get(self.order) if self.order else None
        if self.counted >= limit:
            return self.order is None or key is None or key != self.boundary
        if passes(row, self.scan.predicates) and (self.order is None or key is not None):
            self.counted += 1  # a NULL key sorts last in DuckDB, wherever the server puts it
            if self.counted == limit:
                self.boundary = key  # the API's text: equal times are equal text
        return False


def _row(item: Mapping[str, Any], audience: str) -> dict[str, Any]:
    folders = item.get("folder") or []
    last = folders[-1] if folders and isinstance(folders[-1], Mapping) else {}
    flat = {**item, "audienceId": audience, "folderId": last.get("id"), "folderName": last.get("name")}
    row = row_of(flat, ACTIVATION_FIELDS)
    row["id"] = str(row["id"])
    return row


def _params(scan: Scan, page_size: int | None) -> dict[str, Any] | None:
    """The listing's query parameters for the scan's predicates and order; None when they
    cannot all hold."""
    params: dict[str, Any] = {}
    for column, name in INCLUDE.items():
        texts = [p.value if p.op == EQ else _fragment(p.value) for p in scan.predicates_on(column)]
        if texts:
            params[name] = max(texts, key=len)
    low, high = _bounds(scan.predicates_on("startAt"))
    if low is not None:
        params["start_after"] = (low - ZONE_SLACK).isoformat(timespec="seconds")
    if high is not None:
        params["start_before"] = (high + ZONE_SLACK).isoformat(timespec="seconds")
    for column, (name, _) in CHOICE_FILTERS.items():
        predicates = scan.predicates_on(column)
        if not predicates:
            continue
        values = wanted(_choices(predicates[0]), scan, column)
        if not values:
            return None
        params[name] = values if name in wire.ACTIVATION_REPEATED_FILTERS else ",".join(values)
    if scan.order:
        first: Order = scan.order[0]
        params["sorted_by"] = f"{SORT_KEYS[first.column]}:{'desc' if first.descending else 'asc'}"
    if page_size is not None:
        params[wire.PAGE_SIZE] = page_size
    return params


def _choices(predicate: Predicate) -> list[str]:
    values = predicate.value if predicate.op == IN else (predicate.value,)
    return list(dict.fromkeys(str(v) for v in values))


def _bounds(predicates: list[Predicate]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The tightest lower and upper bound the range predicates on ``startAt`` give."""
    lows: list[dt.datetime] = []
    highs: list[dt.datetime] = []
    for p in predicates:
        if p.op == BETWEEN:
            lows.append(_need(p.value[0]))
            highs.append(_need(p.value[1]))
        if p.op in (EQ, GT, GE):
            lows.append(_need(p.value))
        if p.op in (EQ, LT, LE):
            highs.append(_need(p.value))
    return (max(lows) if lows else None), (min(highs) if highs else None)


def _moment(value: Any) -> dt.datetime | None:
    """A wall-clock time (naive datetime) from a SQL value or the API's text; None if it is not one
    (a time with a zone is not compared with a column without one here)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is None else None
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo is None else None
    return None


def _need(value: Any) -> dt.datetime:
    moment = _moment(value)
    assert moment is not None, value  # accepts() let only times through
    return moment


def _is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return (isinstance(value, int) and value > 0) or (isinstance(value, str) and value.isdigit() and len(value) <= 18)


def _fragment(pattern: str) -> str:
    """The longest run of literal text in a LIKE pattern: every match contains it."""
    return max(re.split(r"[%_]", pattern), key=len)


def _like(pattern: str) -> re.Pattern[str]:
    parts = ("." if c == "_" else ".*" if c == "%" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def passes(row: Mapping[str, Any], predicates: Sequence[Predicate]) -> bool:
    """Whether ``row`` satisfies every pushed predicate, as DuckDB would decide it (NULL fails)."""
    for p in predicates:
        value = row.get(p.column)
        if value is None:
            return False
        if p.column == "startAt":
            moment = _moment(value)
            if moment is None:
                return False  # not a wall-clock time: not counted, so the listing reads on
            low, high = _bounds([p])
            strict = p.op in (GT, LT)
            if low is not None and (moment < low or (strict and moment == low)):
                return False
            if high is not None and (moment > high or (strict and moment == high)):
                return False
        elif p.op == LIKE:
            if not _like(p.value).fullmatch(value):
                return False
        elif str(value) not in _choices(p):
            return False
    return True
