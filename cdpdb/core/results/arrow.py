"""Arrow facts shared by every backend and every emulator: the IPC stream's media type, reading
a stream off a socket, and the standard types an engine's Arrow is normalised to."""

from __future__ import annotations

from typing import IO

import pyarrow as pa

ARROW_STREAM = "application/vnd.apache.arrow.stream"  # the IANA media type of the Arrow IPC stream format


def read_stream(body: IO[bytes]) -> pa.Table:
    """An Arrow IPC stream read batch by batch as it arrives (an HTTP decoder for ARROW_STREAM)."""
    return pa.ipc.open_stream(body).read_all()


_UTC_SPELLINGS = ("UTC", "ETC/UTC", "Z", "+00:00")


def normalise_arrow(table: pa.Table) -> pa.Table:
    """Standard Arrow types from Hyper: DATE as date32, and time zone "UTC" rather than Hyper's
    "Utc", which is no IANA name (pyarrow cannot convert it to Python values)."""
    fields, changed = [], False
    for field in table.schema:
        kind = field.type
        if pa.types.is_date64(kind):
            field, changed = field.with_type(pa.date32()), True
        elif pa.types.is_timestamp(kind) and kind.tz and kind.tz != "UTC" and kind.tz.upper() in _UTC_SPELLINGS:
            field, changed = field.with_type(pa.timestamp(kind.unit, tz="UTC")), True
        fields.append(field)
    return table.cast(pa.schema(fields, metadata=table.schema.metadata)) if changed else table
