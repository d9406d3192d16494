"""Segment population history as a table: ``segment_statistics``, one row per segment and day, from
``GET /audiences/{id}/segments/{sid}/statistics`` (``[[epoch, population, real], ...]``).

The endpoint answers one segment at a time, so a scan makes one request per segment it needs:
``audienceId`` and ``segmentId`` (``=``, ``IN``) narrow which; without them every segment of every
parent segment is asked. A range on ``time`` is sent as the endpoint's ``from`` / ``to`` days,
widened by a day each side (the server's day boundary is UNCONFIRMED); DuckDB checks it again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.client import AudienceApi
from cdpdb.backends.treasuredata.objects import PopulationPoint
from cdpdb.backends.treasuredata.records import UTC_TIME
from cdpdb.core.sqlapi.tables import BETWEEN, EQ, GE, GT, IN, LE, LT, Field, Predicate, Scan, Table

log = logging.getLogger(__name__)
BY_ID = frozenset({EQ, IN})
RANGE = frozenset({EQ, LT, LE, GT, GE, BETWEEN})
FIELDS = [
    Field("audienceId", pa.string(), nullable=False, pushdown=BY_ID, comment="the parent segment"),
    Field("segmentId", pa.string(), nullable=False, pushdown=BY_ID),
    Field("time", UTC_TIME, nullable=False, pushdown=RANGE, comment="the day (TD's epoch, UTC)"),
    Field("population", pa.int64()),
    Field("real", pa.bool_(), comment="false: TD imputed the day's population"),
]
SCHEMA = pa.schema([pa.field(f.name, f.type, f.nullable) for f in FIELDS])


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.timezone.utc) if value.tzinfo else value).date()
    if isinstance(value, dt.date):
        return value
    return None


def day_range(predicates: list[Predicate]) -> tuple[dt.date | None, dt.date | None]:
    """The ``from`` / ``to`` days covering every row the ``time`` predicates keep, a day wider each side."""
    low: dt.date | None = None
    high: dt.date | None = None
    for p in predicates:
        lows, highs = [], []
        if p.op in (GT, GE, EQ):
            lows.append(p.value)
        if p.op in (LT, LE, EQ):
            highs.append(p.value)
        if p.op == BETWEEN:
            lows.append(p.value[0])
            highs.append(p.value[1])
        for v in lows:
            day = _day(v)
            if day is not None and (low is None or day > low):
                low = day
        for v in highs:
            day = _day(v)
            if day is not None and (high is None or day < high):
                high = day
    one = dt.timedelta(days=1)
    return (low - one if low else None, high + one if high else None)


def _narrowed(scan: Scan, column: str, candidates: list[str] | None) -> list[str] | None:
    """The ids the ``=`` / ``IN`` predicates on ``column`` allow among ``candidates`` (None: any id)."""
    for p in scan.predicates_on(column):
        given = {str(v) for v in (p.value if p.op == IN else (p.value,))}
        candidates = sorted(given) if candidates is None else [c for c in candidates if c in given]
    return candidates


class StatisticsTable(Table):
    """``segment_statistics``: the population history of every segment asked for."""

    name = "segment_statistics"
    fields = FIELDS
    primary_key = ("audienceId", "segmentId", "time")
    comment = "daily population of each segment (GET .../segments/{id}/statistics)"

    def __init__(self, api: AudienceApi, audiences: list[str], segments_of: Callable[[str], list[str]]) -> None:
        self.api, self.audiences, self.segments_of = api, audiences, segments_of

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        low, high = day_range(scan.predicates_on("time"))
        params = {k: v.isoformat() for k, v in (("from", low), ("to", high)) if v is not None}
        named = _narrowed(scan, "segmentId", None)
        for audience in _narrowed(scan, "audienceId", self.audiences) or []:
            ids = [s for s in self.segments_of(audience) if named is None or s in named]
            for segment in ids:
                if scan.stop.is_set():
                    return
                path = self.api.path(wire.SEGMENT_STATISTICS, audience_id=audience, segment_id=segment)
                log.debug("segment statistics %s/%s %s", audience, segment, params)
                answer = self.api.get(path, params or None, what=f"population history of segment {segment}")
                points = [PopulationPoint.from_json(p) for p in answer or []]
                yield pa.RecordBatch.from_pydict(
                    {
                        "audienceId": [audience] * len(points),
                        "segmentId": [segment] * len(points),
                        "time": [p.time for p in points],
                        "population": [p.population for p in points],
                        "real": [p.real for p in points],
                    },
                    schema=SCHEMA,
                )
