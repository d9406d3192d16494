"""Turning Arrow results into each API's wire format, column by column.

JSON rows are built with Arrow compute kernels: every column becomes an array of JSON text
fragments, fragments are joined into one ``[...],`` string per row, and a page of rows is a
zero-copy slice of that array's data buffer. No Python code runs per value.
"""

from __future__ import annotations

import base64
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.backends.salesforce import types, wire

# -- type names ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WireType:
    legacy: str  # V1/V2 metadata "type"
    type_code: int  # V1/V2 metadata "typeCode" (java.sql.Types)
    modern: str  # V3 / Connect metadata "type"


def _wire(name: str) -> WireType:
    kind = types.lookup(name)
    legacy, type_code = wire.LEGACY_TYPE_NAMES[kind.name]
    return WireType(legacy, type_code, kind.name)


def wire_type(arrow_type: pa.DataType) -> WireType:
    """The Data Cloud type a result column of ``arrow_type`` is reported as (anything else: text)."""
    if pa.types.is_decimal(arrow_type):
        return _wire("NUMERIC")
    if pa.types.is_int64(arrow_type) or pa.types.is_uint32(arrow_type):
        return _wire("BIGINT")
    if pa.types.is_int32(arrow_type):
        return _wire("INTEGER")
    if pa.types.is_int16(arrow_type) or pa.types.is_int8(arrow_type):
        return _wire("SMALLINT")
    if pa.types.is_float32(arrow_type):
        return _wire("FLOAT")
    if pa.types.is_floating(arrow_type):
        return _wire("DOUBLE")
    if pa.types.is_boolean(arrow_type):
        return _wire("BOOLEAN")
    if pa.types.is_date(arrow_type):
        return _wire("DATE")
    if pa.types.is_timestamp(arrow_type):
        return _wire("TIMESTAMPTZ" if arrow_type.tz else "TIMESTAMP")
    if pa.types.is_time(arrow_type):
        return _wire("TIME")
    if pa.types.is_binary(arrow_type):
        return _wire("BYTES")
    return _wire("VARCHAR")


def legacy_metadata(schema: pa.Schema) -> dict:
    """V1/V2 ``metadata``: an object keyed by column name, order given by ``placeInOrder``."""
    return {
        f.name: {"type": wire_type(f.type).legacy, "placeInOrder": i, "typeCode": wire_type(f.type).type_code}
        for i, f in enumerate(schema)
    }


def modern_metadata(schema: pa.Schema) -> list[dict]:
    """V3 / Connect column list: name, type, nullable, precision, scale."""
    columns = []
    for f in schema:
        precision = scale = None
        if pa.types.is_decimal(f.type):
            precision, scale = f.type.precision, f.type.scale
        elif pa.types.is_string(f.type) and f.metadata and b"hyper:max_string_length" in f.metadata:
            precision = int(f.metadata[b"hyper:max_string_length"])
        columns.append(
            {
                "name": f.name,
                "type": wire_type(f.type).modern,
                "nullable": f.nullable,
                "precision": precision,
                "scale": scale,
            }
        )
    return columns


# -- JSON ---------------------------------------------------------------------------------------

_CONTROL = [(chr(c), f"\\u{c:04x}") for c in range(32)]
_CONTROL[8], _CONTROL[9], _CONTROL[10], _CONTROL[12], _CONTROL[13] = (
    ("\b", "\\b"),
    ("\t", "\\t"),
    ("\n", "\\n"),
    ("\f", "\\f"),
    ("\r", "\\r"),
)


def _quoted(text: pa.Array) -> pa.Array:
    """Wrap text that needs no escaping (digits, dates, times) in JSON quotes."""
    return pc.binary_join_element_wise('"', text, '"', "")


def _needs(text: pa.Array) -> tuple[bool, bool]:
    """Whether any value holds a quote or backslash, and whether any holds a control byte: one
    numpy pass over the values' bytes, instead of replacements (which copy every value even when
    nothing matches) and a regular expression."""
    data = text.buffers()[2]
    if data is None:
        return False, False
    width = np.int64 if pa.types.is_large_string(text.type) else np.int32
    offsets = np.frombuffer(text.buffers()[1], dtype=width)
    used = np.frombuffer(data, np.uint8)[offsets[text.offset] : offsets[text.offset + len(text)]]
    return bool(((used == 0x22) | (used == 0x5C)).any()), bool((used < 0x20).any())


def _escaped(text: pa.Array) -> pa.Array:
    """Text with JSON's escapes (quotes, backslashes, control characters), not yet quoted."""
    quotes, controls = _needs(text)
    if quotes:
        text = pc.replace_substring(text, "\\", "\\\\")
        text = pc.replace_substring(text, '"', '\\"')
    if controls:
        for raw, escaped in _CONTROL:
            text = pc.replace_substring(text, raw, escaped)
    return text


def _float_text(values: pa.Array, mode: str) -> pa.Array:
    """JSON text of doubles. JSON has no NaN or infinity: typed mode (V3/Connect) sends them as
    the strings "NaN", "Infinity", "-Infinity", string mode spells them out too, number mode sends
    null. A bare ``-0`` would be read as the integer 0, so negative zero is written ``-0.0``."""
    finite = pc.is_finite(values)
    text = pc.cast(values, pa.string())
    if mode != "string":
        text = pc.if_else(pc.equal(text, "-0"), "-0.0", text)
    if pc.all(pc.or_kleene(finite, pc.is_null(values))).as_py():
        return text
    special = pc.if_else(pc.is_nan(values), "NaN", pc.if_else(pc.greater(values, 0), "Infinity", "-Infinity"))
    if mode == "typed":
        special = _quoted(special)
    return pc.if_else(finite, text, special if mode != "number" else pa.scalar(None, pa.string()))


def json_fragments(column: pa.ChunkedArray | pa.Array, mode: str) -> pa.Array:
    """JSON text of each value. ``mode``: 'string' (V1/V2 non-aggregates), 'number' (V1/V2
    aggregates), or 'typed' (V3 / Connect: numbers and booleans native, decimals as strings)."""
    pieces = json_pieces(column, mode)
    return pieces[0] if len(pieces) == 1 else pc.binary_join_element_wise(*pieces, "")


def json_pieces(column: pa.ChunkedArray | pa.Array, mode: str) -> list[pa.Array | str]:
    """The JSON text of each value as pieces to join: ``['"', text, '"']`` when the text is quoted
    and no value is null (the quotes then cost no pass of their own in the row join), else one
    array of fragments (``null`` for nulls)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    kind = column.type
    quoted_numbers = mode == "string"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text, quote = _escaped(column), True
    elif pa.types.is_integer(kind):
        text, quote = pc.cast(column, pa.string()), quoted_numbers
    elif pa.types.is_floating(kind):
        text, quote = _float_text(column, mode), quoted_numbers
    elif pa.types.is_decimal(kind):
        text, quote = pc.cast(column, pa.string()), mode != "number"
    elif pa.types.is_boolean(kind):
        text, quote = pc.if_else(column, "true", "false"), quoted_numbers
    elif pa.types.is_date(kind):
        text, quote = pc.cast(pc.cast(column, pa.date32()), pa.string()), True
    elif pa.types.is_timestamp(kind):
        text, quote = _timestamp_text(column, legacy=mode != "typed"), True
    elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
        text, quote = _escaped(_list_text(column, mode)), True
    else:
        text, quote = _escaped(_other_text(column)), True
    if quote and text.null_count == 0:
        return ['"', text, '"']
    return [pc.fill_null(_quoted(text) if quote else text, "null")]


def _list_text(column: pa.Array, mode: str) -> pa.Array:
    """An ARRAY as the text of a JSON array (``[1,2]``), elements encoded like columns.

    It travels as a JSON string (and as ``Varchar`` in the metadata): no Data Cloud type names an
    array, and a client decoding text must never meet a nested JSON value.
    """
    elements = json_fragments(column.values, mode)
    lists = type(column).from_arrays(column.offsets, elements, mask=column.is_null())
    return pc.binary_join_element_wise("[", pc.binary_join(lists, ","), "]", "")


def _other_text(column: pa.Array) -> pa.Array:
    """Text of a type Arrow cannot cast to text: INTERVAL as ISO 8601 (``P1Y2M3DT4H5M6.5S``),
    bytes as base64; anything else by Arrow's cast, or Python's ``str`` when there is none."""
    kind = column.type
    if kind == pa.month_day_nano_interval():
        return pa.array([None if v is None else _iso_duration(*v) for v in column.to_pylist()], pa.string())
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        values = column.to_pylist()
        return pa.array([None if v is None else base64.b64encode(v).decode("ascii") for v in values], pa.string())
    try:
        return pc.cast(column, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())


def _iso_duration(months: int, days: int, nanoseconds: int) -> str:
    years, months = divmod(months, 12) if months >= 0 else (-((-months) // 12), -((-months) % 12))
    seconds = nanoseconds / 1e9
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    sign = "-" if seconds < 0 else ""
    date = "".join(f"{n}{unit}" for n, unit in ((years, "Y"), (months, "M"), (days, "D")) if n)
    clock = "".join(
        f"{sign}{n:g}{unit}" for n, unit in ((int(hours), "H"), (int(minutes), "M"), (round(secs, 9), "S")) if n
    )
    return "P" + date + ("T" + clock if clock else "") if date or clock else "PT0S"


def _timestamp_text(column: pa.Array, legacy: bool) -> pa.Array:
    kind = column.type
    if legacy:  # V1/V2: 2020-09-28T00:00:00.000+00:00 (milliseconds, cut: a cast rounds pre-1970 ones up)
        column = pc.cast(pc.floor_temporal(column, unit="millisecond"), pa.timestamp("ms", tz=kind.tz), safe=False)
    else:
        column = pc.cast(column, pa.timestamp("us", tz=kind.tz), safe=False)
    naive = pc.cast(column, pa.timestamp(column.type.unit)) if kind.tz else column
    # Arrow prints "YYYY-MM-DD HH:MM:SS.fff[fff]"; ISO-8601 wants a "T" between date and time.
    text = pc.replace_substring(pc.cast(naive, pa.string()), " ", "T", max_replacements=1)
    return pc.binary_join_element_wise(text, "+00:00", "") if kind.tz else text


# Arrow kernels release the GIL, so columns encode in parallel (about 2x on two cores).
_COLUMN_POOL = ThreadPoolExecutor(max_workers=max(os.cpu_count() or 1, 2), thread_name_prefix="cdpdb-json")
# The rest of a result is encoded while its client reads the first pages.
_AHEAD_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cdpdb-json-ahead")
#: Rows encoded at a time: about one V2 batch (8 MB) of a 10-column result.
BLOCK_ROWS = 65_536


@dataclass(frozen=True)
class _Block:
    offsets: np.ndarray  # where each row's text starts in ``data``, and where the last one ends
    data: pa.Buffer | None


def _encode(table: pa.Table, modes: list[str]) -> _Block:
    """Rows as JSON arrays, each followed by a comma, in one buffer: every column becomes an array
    of JSON text fragments (in parallel), joined into one ``[...],`` string per row."""
    if table.num_columns == 0 or table.num_rows == 0:
        rows = pa.array([""] * table.num_rows, pa.large_string())
    else:
        parts = list(_COLUMN_POOL.map(lambda i: json_pieces(table.column(i), modes[i]), range(table.num_columns)))
        between = [piece for part in parts for piece in (",", *part)][1:]  # one join: "[" a "," b ... "],"
        rows = pc.cast(pc.binary_join_element_wise("[", *between, "],", ""), pa.large_string())
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset : rows.offset + table.num_rows + 1]
    return _Block(offsets - offsets[0], None if rows.buffers()[2] is None else rows.buffers()[2].slice(offsets[0]))


class JsonRows:
    """All rows of a result as JSON arrays, each followed by a comma, encoded lazily: a block of
    ``block_rows`` rows when a page first needs it, and the blocks after the first page sent in
    the background, so the first page does not wait for the whole result. Every value is encoded on its own, so the
    bytes are the same whichever blocks a result is cut into."""

    def __init__(self, table: pa.Table, modes: list[str], block_rows: int = BLOCK_ROWS) -> None:
        self.num_rows = table.num_rows
        self._table, self._modes, self._block_rows = table, modes, max(block_rows, 1)
        self._blocks: dict[int, _Block] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._lock = threading.Lock()
        self._sweeping = False

    def _block(self, index: int) -> _Block:
        with self._lock:
            found = self._blocks.get(index)
            if found is not None:
                return found
            lock = self._locks.setdefault(index, threading.Lock())
        with lock:  # one encoding per block, while other blocks stay readable
            found = self._blocks.get(index)
            if found is None:
                found = _encode(self._table.slice(index * self._block_rows, self._block_rows), self._modes)
                with self._lock:
                    self._blocks[index] = found
            return found

    def _spans(self, start: int, stop: int):
        """(block, first row, end row) for the blocks holding rows ``[start, stop)``, rows counted in the block."""
        size = self._block_rows
        for index in range(start // size, (stop - 1) // size + 1 if stop > start else start // size):
            first, end = max(start - index * size, 0), min(stop - index * size, size)
            yield self._block(index), first, end

    def ahead(self, row: int) -> None:
        """Encode the blocks from the one holding ``row`` on, in order, in the background: the
        pages after the one being sent are ready when asked for (one sweep per result)."""
        with self._lock:
            if self._sweeping or row >= self.num_rows:
                return
            self._sweeping = True
        _AHEAD_POOL.submit(self._sweep, row // self._block_rows)

    def _sweep(self, first: int) -> None:
        for index in range(first, -(-self.num_rows // self._block_rows)):
            self._block(index)

    def nbytes(self, start: int, stop: int) -> int:
        return sum(int(b.offsets[end] - b.offsets[first]) for b, first, end in self._spans(start, stop))

    def rows_within(self, start: int, byte_limit: int, row_limit: int | None = None) -> int:
        """How many rows from ``start`` fit in ``byte_limit`` bytes (at least one, if any remain)."""
        stop = self.num_rows if row_limit is None else min(self.num_rows, start + row_limit)
        if start >= stop:
            return 0
        fit, room = 0, byte_limit
        for block, first, end in self._spans(start, stop):
            sizes = block.offsets[first + 1 : end + 1] - block.offsets[first]
            rows = int(np.searchsorted(sizes, room, side="right"))
            fit += rows
            if rows < end - first:
                break
            room -= int(sizes[-1])
        return max(fit, 1)

    def array_bytes(self, start: int, stop: int) -> bytes:
        """The rows ``[start, stop)`` as the text of a JSON array."""
        pieces = [
            memoryview(b.data)[b.offsets[first] : b.offsets[end]]
            for b, first, end in self._spans(start, stop)
            if b.data is not None
        ]
        self.ahead(stop)
        if stop <= start or not pieces:
            return b"[]"
        pieces[-1] = pieces[-1][:-1]  # the last row's comma
        return b"".join((b"[", *pieces, b"]"))


# -- Arrow --------------------------------------------------------------------------------------


def arrow_ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def arrow_base64(table: pa.Table) -> str:
    return base64.b64encode(arrow_ipc(table)).decode("ascii")


_END_OF_STREAM = b"\xff\xff\xff\xff\x00\x00\x00\x00"


def arrow_messages(table: pa.Table, piece_bytes: int = 1 << 20):
    """The Arrow IPC stream of ``table`` in pieces of about ``piece_bytes``, for chunked transfer.

    Messages are coalesced: many tiny writes would meet delayed ACKs and cost 40 ms each.
    """
    pending = [table.schema.serialize().to_pybytes()]
    size = len(pending[0])
    for batch in table.to_batches(max_chunksize=65_536):
        message = batch.serialize().to_pybytes()
        pending.append(message)
        size += len(message)
        if size >= piece_bytes:
            yield b"".join(pending)
            pending, size = [], 0
    pending.append(_END_OF_STREAM)
    yield b"".join(pending)
