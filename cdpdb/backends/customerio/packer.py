"""Greedy packing of calls into ``/v1/batch`` requests: as many consecutive rows as fit in the
request limit, a new request where the rows' context/integrations change (a batch carries them
once for all its calls). Spans are planned first — sizes only — so a row that cannot fit in any
request is refused before anything is sent; each request's body is built when it is sent."""

from __future__ import annotations

from cdpdb.backends.customerio.calls import Calls
from cdpdb.exceptions import DataError, WriteReport

_OPEN = b'{"batch":['
_CLOSE = b"]}"


def envelope_bytes(group: bytes | None) -> int:
    """Bytes of a batch body besides its calls and the commas between them."""
    return len(_OPEN) + len(_CLOSE) + (len(group) - 1 if group else 0)  # ',' + the group's inside


def plan(calls: Calls, max_bytes: int) -> list[range]:
    """Consecutive rows per request, each request's body at most ``max_bytes``."""
    spans: list[range] = []
    start, size, group = 0, 0, None
    groups, total = calls.groups, len(calls)
    for row in range(total):
        length = calls.size(row)
        if row > start and groups[row] == group and size + 1 + length <= max_bytes:
            size += 1 + length
            continue
        if row > start:
            spans.append(range(start, row))
        start, group = row, groups[row]
        size = envelope_bytes(group) + length
        if size > max_bytes:
            why = f"its call with its context/integrations is {size:,} bytes, over the {max_bytes:,} of a request"
            raise DataError(
                f"row {row} cannot be sent, so none was: {why}",
                sqlstate="22023",
                reason="row_refused",
                write=WriteReport(total, (), ((range(row, row + 1), why),)),
            )
    if total > start:
        spans.append(range(start, total))
    return spans


def body(calls: Calls, span: range) -> bytes:
    """The ``/v1/batch`` body of the rows ``span``."""
    group = calls.groups[span.start]
    inside = calls.joined(span)
    return _OPEN + inside + (b"]," + group[1:] if group else _CLOSE)
