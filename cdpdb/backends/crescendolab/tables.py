"""The tables: ``contacts`` (CAAC profiles: INSERT as import tasks, SELECT through an export)
and ``members`` (the MAAC member list, its documented filters pushed down).

An export holds data up to 24 hours old (the help centre says so): reading ``contacts`` warns
with :class:`StaleDataWarning` every time, so nobody takes it for a live read.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import warnings
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from cdpdb.backends.crescendolab import imports, wire
from cdpdb.backends.crescendolab.client import CrescendoApi
from cdpdb.core.sqlapi.tables import BETWEEN, CONTAINS, EQ, GE, IN, LE, Field, Predicate, Scan, Table
from cdpdb.exceptions import InternalError, ProgrammingError

log = logging.getLogger(__name__)
UTC_TIME = pa.timestamp("us", tz="UTC")


class StaleDataWarning(UserWarning):
    """Rows read from an export, which may be up to 24 hours old."""


_KEY = "a match key of imports"
CONTACT_FIELDS = [
    Field("id", pa.int64(), comment="Crescendo Lab's contact id (read-only)"),
    Field("line_uid", pa.string(), comment=f"the LINE user id; {_KEY} (the default)"),
    Field("display_name", pa.string(), comment="the name shown"),
    Field("display_email", pa.string(), comment=f"e-mail address; {_KEY}"),
    Field("display_mobile", pa.string(), comment=f"mobile number, E.164 (+886912345678); {_KEY}"),
    Field("connect_id", pa.string(), comment=f"the id that connects channels; {_KEY}"),
    Field("customer_id", pa.string(), comment=f"your own customer id; {_KEY}"),
    Field("gender", pa.string(), comment="male, female or other (UNCONFIRMED values)"),
    Field("birthday", pa.date32(), comment="date of birth"),
    Field("created_at", UTC_TIME, comment="when the contact was created (read-only)"),
    Field("updated_at", UTC_TIME, comment="when the contact last changed (read-only)"),
]
READ_ONLY = ("id", "created_at", "updated_at")


class ContactsTable(Table):
    name = "contacts"
    comment = (
        "CAAC contact profiles: INSERT imports (upsert on import_key; omitted columns unchanged, NULL clears); "
        "SELECT reads an export, up to 24 h old"
    )
    fields = CONTACT_FIELDS
    primary_key = ("id",)
    writable = True

    def __init__(self, api: CrescendoApi) -> None:
        self.api = api

    def insert(self, rows: pa.Table) -> int:
        fixed = [c for c in rows.column_names if c in READ_ONLY]
        if fixed:
            raise ProgrammingError(
                f"contacts.{', '.join(fixed)} are set by Crescendo Lab and cannot be imported; leave them out",
                sqlstate="428C9",
            )
        return imports.run(self.api, rows)

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        warnings.warn(
            f"contacts is read from a Crescendo Lab export, whose data may be up to {wire.EXPORT_STALE_HOURS} hours "
            "old: rows imported since may be missing or show older values",
            StaleDataWarning,
            stacklevel=2,
        )
        data = self.api.export("exporting contacts")
        schema = pa.schema([pa.field(f.name, f.type) for f in self.fields])
        try:
            table = pacsv.read_csv(
                io.BytesIO(data),
                convert_options=pacsv.ConvertOptions(
                    column_types=schema, include_columns=list(scan.columns), strings_can_be_null=True
                ),
            )
        except (pa.ArrowInvalid, KeyError) as exc:
            raise InternalError(f"the contacts export is not the CSV expected ({exc})", reason="bad_export") from None
        yield from table.to_batches()


def _text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        text: str = value.astimezone(dt.timezone.utc).isoformat()
        return text.replace("+00:00", "Z")
    return str(value)


_EQ = frozenset({EQ})
MEMBER_FIELDS = [
    Field("member_id", pa.string(), comment="MAAC's member id", pushdown=_EQ),
    Field("line_uid", pa.string(), comment="the LINE user id", pushdown=frozenset({EQ, IN})),
    Field("name", pa.string(), comment="the LINE display name"),
    Field("email", pa.string(), pushdown=_EQ),
    Field("mobile", pa.string(), comment="E.164", pushdown=_EQ),
    Field("customer_id", pa.string(), pushdown=_EQ),
    Field("status", pa.string(), comment="follow status (active, blocked... UNCONFIRMED values)", pushdown=_EQ),
    Field(
        "tags",
        pa.list_(pa.string()),
        comment="the member's tag names (list_contains(tags, 'vip') is sent as all_tag)",
        pushdown=frozenset({CONTAINS}),
    ),
    Field("created_at", UTC_TIME),
    Field("updated_at", UTC_TIME, pushdown=frozenset({GE, LE, BETWEEN})),
]


class MembersTable(Table):
    name = "members"
    comment = "MAAC members: the OpenAPI member list, filters on ids, status, updated_at and tags pushed down"
    fields = MEMBER_FIELDS
    primary_key = ("member_id",)

    def __init__(self, api: CrescendoApi) -> None:
        self.api = api

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        for params in _queries(scan.predicates):
            for page in self.api.member_pages(params, "listing members"):
                if scan.stop.is_set():
                    return
                if page:
                    yield _member_batch(page)

    def accepts(self, predicate: Predicate) -> bool:
        if predicate.op == CONTAINS:
            return super().accepts(predicate) and sendable_tag(predicate.value)
        return super().accepts(predicate) and not (predicate.op == IN and len(predicate.value) > 50)


def sendable_tag(value: object) -> bool:
    """Whether a tag name survives ``all_tag``'s comma-separated list unchanged: not empty, no
    comma (it would split in two), no blank at either end (the service may trim it). Any other
    tag is filtered locally, after the read."""
    return isinstance(value, str) and value != "" and wire.ALL_TAG_SEPARATOR not in value and value == value.strip()


def _queries(predicates: tuple[Predicate, ...]) -> list[dict[str, str]]:
    """Query parameters for the predicates; an IN on line_uid is one query per value (the API takes one)."""
    params: dict[str, str] = {}
    fan_out: list[str] | None = None
    tags = list(dict.fromkeys(p.value for p in predicates if p.op == CONTAINS))
    if tags:
        params[wire.ALL_TAG] = wire.ALL_TAG_SEPARATOR.join(tags)  # a member carries every one of them
    for p in predicates:
        if p.op == EQ:
            if p.column in params and params[p.column] != _text(p.value):
                return []  # a = x AND a = y: no row
            params[p.column] = _text(p.value)
        elif p.op == IN:
            values = [_text(v) for v in p.value]
            fan_out = values if fan_out is None else [v for v in fan_out if v in values]
        elif p.op in (GE, BETWEEN) or p.op == LE:
            low, high = p.value if p.op == BETWEEN else (p.value, None) if p.op == GE else (None, p.value)
            if low is not None:
                params[wire.UPDATED_MIN] = max(params.get(wire.UPDATED_MIN, ""), _text(low))
            if high is not None:
                current = params.get(wire.UPDATED_MAX)
                params[wire.UPDATED_MAX] = _text(high) if current is None else min(current, _text(high))
    if fan_out is None:
        return [params]
    if "line_uid" in params:
        return [params] if params["line_uid"] in fan_out else []
    return [{**params, "line_uid": value} for value in dict.fromkeys(fan_out)]


def _member_batch(page: list[dict[str, Any]]) -> pa.RecordBatch:
    columns: dict[str, list[Any]] = {f.name: [] for f in MEMBER_FIELDS}
    for item in page:
        columns["member_id"].append(None if item.get("id") is None else str(item["id"]))
        for name in ("line_uid", "name", "email", "mobile", "customer_id", "status"):
            columns[name].append(item.get(name))
        columns["tags"].append([str(t.get("name") if isinstance(t, dict) else t) for t in item.get("tags") or []])
        for name in ("created_at", "updated_at"):
            value = item.get(name)
            columns[name].append(dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None)
    return pa.RecordBatch.from_pydict(columns, schema=pa.schema([pa.field(f.name, f.type) for f in MEMBER_FIELDS]))


def _timestamp(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) and value else None


class SegmentsTable(Table):
    name = "segments"
    comment = "MAAC segments (GET /openapi/v1/segment/)"
    fields = (
        Field("segment_id", pa.string(), comment="the segment's id"),
        Field("name", pa.string()),
        Field("created_at", UTC_TIME),
        Field("updated_at", UTC_TIME),
    )
    primary_key = ("segment_id",)

    def __init__(self, api: CrescendoApi) -> None:
        self.api = api

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        schema = self.schema()
        for page in self.api.pages(wire.SEGMENTS, {}, "listing segments"):
            rows = {
                "segment_id": [str(s.get("id")) for s in page],
                "name": [s.get("name") for s in page],
                "created_at": [_timestamp(s.get("created_at")) for s in page],
                "updated_at": [_timestamp(s.get("updated_at")) for s in page],
            }
            yield pa.RecordBatch.from_pydict(rows, schema=schema)


class SegmentMembersTable(Table):
    """One row per (segment, LINE user id): each segment's member CSV. A read names its segments
    (``segment_id = …`` or ``IN (…)``), as the API lists one segment at a time; without one,
    every segment is listed first and each one's CSV read (many requests on a big account)."""

    name = "segment_members"
    comment = "members of each MAAC segment (its CSV export of line_uid); filter on segment_id"
    fields = (
        Field("segment_id", pa.string(), pushdown=frozenset({EQ, IN})),
        Field("line_uid", pa.string()),
    )

    def __init__(self, api: CrescendoApi) -> None:
        self.api = api

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        wanted: list[str] | None = None
        for p in scan.predicates:
            values = [_text(v) for v in (p.value if p.op == IN else (p.value,))]
            wanted = values if wanted is None else [v for v in wanted if v in values]
        if wanted is None:
            wanted = [str(s.get("id")) for page in self.api.pages(wire.SEGMENTS, {}, "listing segments") for s in page]
        for segment in dict.fromkeys(wanted):
            if scan.stop.is_set():
                return
            url = self.api.url(wire.SEGMENT_MEMBERS, segment_id=segment)
            data = self.api.download(url, f"reading segment {segment}'s members")
            try:
                uids = pacsv.read_csv(
                    io.BytesIO(data), convert_options=pacsv.ConvertOptions(column_types={"line_uid": pa.string()})
                ).column("line_uid")
            except (pa.ArrowInvalid, KeyError) as exc:
                raise InternalError(f"segment {segment}'s member CSV has no line_uid column ({exc})") from None
            segment_ids = pa.array([segment] * len(uids), pa.string())
            yield pa.RecordBatch.from_arrays([segment_ids, uids.combine_chunks()], names=["segment_id", "line_uid"])


class TagsTable(Table):
    name = "tags"
    comment = "MAAC tags (GET /openapi/v1/tag/)"
    fields = (
        Field("tag_id", pa.string()),
        Field("name", pa.string()),
        Field("member_count", pa.int64(), comment="members carrying it (UNCONFIRMED field)"),
    )
    primary_key = ("tag_id",)

    def __init__(self, api: CrescendoApi) -> None:
        self.api = api

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        schema = self.schema()
        for page in self.api.pages(wire.TAGS, {}, "listing tags"):
            rows = {
                "tag_id": [str(t.get("id")) for t in page],
                "name": [t.get("name") for t in page],
                "member_count": [t.get("member_count") for t in page],
            }
            yield pa.RecordBatch.from_pydict(rows, schema=schema)
