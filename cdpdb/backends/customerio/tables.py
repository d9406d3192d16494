"""The write-only tables, one per call type, with fixed reflectable schemas.

A table takes INSERT (its rows become calls, :mod:`~cdpdb.backends.customerio.calls`) and
refuses SELECT: the Pipelines API has nothing to read, and a fake read-back would be dishonest.
Columns beyond the declared ones are allowed and fold into ``traits`` or ``properties``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from cdpdb.backends.customerio import calls as calls_
from cdpdb.backends.customerio.client import PipelinesApi
from cdpdb.core.sqlapi.tables import Field, Scan, Table
from cdpdb.exceptions import NotSupportedError

UTC_TIME = pa.timestamp("us", tz="UTC")
JSON = "a JSON object, as text"

_COMMON_HEAD = [
    Field("user_id", pa.string(), comment="userId: your id of the person"),
    Field("anonymous_id", pa.string(), comment="anonymousId: an id before the person is known"),
]
_COMMON_TAIL = [
    Field("timestamp", UTC_TIME, comment="when it happened (default: when Customer.io receives it)"),
    Field("message_id", pa.string(), comment="messageId, for de-duplication (default: one made per row)"),
    Field("context", pa.string(), comment=f"context ({JSON}); shared by the rows of one request"),
    Field("integrations", pa.string(), comment=f"integrations ({JSON}); shared by the rows of one request"),
]


def _fields(kind: str) -> list[Field]:
    middle = {
        "identify": [],
        "track": [Field("event", pa.string(), comment="the event's name (required)")],
        "page": [Field("name", pa.string(), comment="the page's name")],
        "screen": [Field("name", pa.string(), comment="the screen's name")],
        "group": [Field("group_id", pa.string(), comment="the group's id (required)")],
        "alias": [Field("previous_id", pa.string(), comment="the id to merge into user_id (required)")],
    }[kind]
    head = [_COMMON_HEAD[0]] if kind == "alias" else _COMMON_HEAD
    bag = calls_.wire.BAG.get(kind)
    tail = [Field(bag, pa.string(), comment=f"{bag} ({JSON}); other columns are added to it")] if bag else []
    return [*head, *middle, *_COMMON_TAIL, *tail]


COMMENTS = {
    "identify": "identify calls: who a person is and their traits (write-only)",
    "track": "track calls: events a person did, with properties (write-only)",
    "page": "page calls: web page views (write-only)",
    "screen": "screen calls: mobile screen views (write-only)",
    "group": "group calls: a person's membership of a group (account, company), with its traits (write-only)",
    "alias": "alias calls: merge a previous id into a user id (write-only)",
}
REQUIRED_COLUMNS = {"track": ("event",), "group": ("group_id",), "alias": ("user_id", "previous_id")}


class CallTable(Table):
    writable = True

    def __init__(self, kind: str, api: PipelinesApi) -> None:
        self.name, self.api = kind, api
        self.fields = _fields(kind)
        self.comment = COMMENTS[kind]
        self.required = REQUIRED_COLUMNS.get(kind, ())
        self.open_columns = kind != "alias"

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        raise NotSupportedError(
            f"{self.name} cannot be read: Customer.io's Data Pipelines API is write-only (there is nothing to "
            "SELECT); read people and activity with Customer.io's App API instead",
            sqlstate="0A000",
        )

    def insert(self, rows: pa.Table) -> int:
        return self.api.send(calls_.build(self.name, rows))
