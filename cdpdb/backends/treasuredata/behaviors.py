"""Behaviours (``/audiences/{id}/behaviors``) as tables: ``behavior_<parent segment id>_<name>``,
one column per column of the behaviour's schema, typed like attributes.

The Audience API has no endpoint that lists a behaviour's rows: besides the schema it offers only
``/behaviors/{id}/sample_values`` (distinct values for the UI), and a segment query's ``/customers``
pages carry attributes, not events. So the table is declared (its columns reflect, its comment
says where the rows live) and a scan refuses with NotSupportedError naming the two ways that do
work: TD's Trino endpoint (``cdp_audience_<id>.behavior_<name>``), or a behaviour condition in a
segment rule. Behaviour predicates are not pushed into profile queries: a rule's behaviour
condition is an aggregate over a time window (``Count`` of events ... ``>= n``), which a SQL
join of profiles with events expresses only through a GROUP BY the pushdown cannot see.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.records import UTC_TIME
from cdpdb.backends.treasuredata.tables import ARROW_TYPES
from cdpdb.core.sqlapi.tables import Field, Scan, Table
from cdpdb.exceptions import NotSupportedError

NO_ROWS_STATE = "0A000"


def table_name(audience_id: str, behavior: str) -> str:
    return f"behavior_{audience_id}_{behavior}"


class BehaviorTable(Table):
    """A behaviour's columns, for reflection; its rows are not readable through the Audience API."""

    def __init__(self, audience_id: str, behavior: dict[str, Any], parent_name: str | None) -> None:
        self.audience_id, self.behavior = audience_id, str(behavior.get("name"))
        self.name = table_name(audience_id, self.behavior)
        self.source = (
            f"{wire.AUDIENCE_DATABASE.format(audience_id=audience_id)}.{wire.BEHAVIOR_TABLE.format(name=self.behavior)}"
        )
        self.comment = (
            f"behaviour {self.behavior!r} of the parent segment {parent_name!r}; rows: {self.source} on Trino"
        )
        fields = [
            Field(wire.PROFILE_KEY, pa.string(), nullable=False, comment="the profile the event belongs to"),
            Field(wire.EVENT_TIME, UTC_TIME, comment="when the event happened (TD: unix seconds)"),
        ]
        for column in behavior.get("schema") or []:
            name = str(column.get("matrixColumnName") or column.get("name"))
            if name not in (wire.PROFILE_KEY, wire.EVENT_TIME):
                fields.append(
                    Field(name, ARROW_TYPES.get(str(column.get("type")), pa.string()), comment=column.get("type"))
                )
        self.fields = fields

    def scan(self, scan: Scan) -> Iterator[pa.RecordBatch]:
        raise NotSupportedError(
            f"{self.name}: the Audience API has no endpoint listing a behaviour's rows; read {self.source} "
            "through Treasure Data's Trino endpoint, or select profiles by behaviour with a segment rule "
            "(create_segment with a rule in JSON)",
            sqlstate=NO_ROWS_STATE,
        )
