"""A JSON answer whose rows are arrays of scalars, read as one Arrow text array per column.

Parsing a page of a million values with ``orjson`` makes a million Python objects, which then
have to be transposed into columns and turned back into Arrow arrays: most of a JSON result's
time. :func:`loads` finds the row array's values with a few numpy passes over the bytes (quotes,
escapes, brackets and commas outside strings) and cuts each column out of the body with one
Arrow ``take``: no Python object per value. Each value becomes its exact JSON text (a string
unescaped, a number as written — ``1.10`` stays ``1.10``, ``1e2`` stays ``1e2``, a 30-digit
integer keeps its digits —, ``true``/``false``) and ``null`` a null; the type table's casts do the
rest (:func:`cdpdb.core.results.decode.decode_column`). Only strings with escapes are unescaped
one by one (by orjson).

Anything else than compact rows of scalars (whitespace or control bytes anywhere, rows of
objects, nested arrays, rows of different widths, a malformed body) is left to ``orjson.loads``
of the whole answer, so the callers' checks and errors stay the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from cdpdb.exceptions import DataError

_QUOTE, _BACKSLASH, _COMMA = 34, 92, 44
_OPEN, _CLOSE = 91, 93
_DEPTH = np.zeros(256, np.int8)
_DEPTH[list(b"[{")], _DEPTH[list(b"]}")] = 1, -1
_FIRST = np.zeros(256, np.bool_)  # how a JSON scalar other than a string can begin ...
_FIRST[list(b"-0123456789tfn")] = True
_LAST = np.zeros(256, np.bool_)  # ... and end (a digit, true/false, null)
_LAST[list(b"0123456789el")] = True
_SCALAR = r"^(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|null)$"
_LARGEST = (1 << 31) - 1  # int32 offsets
_TEXT_ROWS = pa.schema([("r", pa.list_(pa.list_(pa.string())))])


@dataclass(frozen=True)
class TextRows:
    """Rows of a JSON answer as columns of text: each a ``pa.string()`` array of the values'
    exact JSON text (strings unescaped), ``null`` as null."""

    columns: tuple[pa.Array, ...]
    num_rows: int

    def __len__(self) -> int:
        return self.num_rows


class _Unusual(Exception):
    """The body is not compact rows of scalars: orjson reads it (and raises if it is malformed)."""


def loads(content: bytes, key: str = "data") -> Any:
    """``orjson.loads(content)``, except that an array of rows under the top-level ``key`` comes
    back as :class:`TextRows` (when the answer has the common shape; otherwise as lists)."""
    try:
        span, rows = _text_rows(content, key)
    except _Unusual:
        try:
            span, rows = _rows(content, key)
        except _Unusual:
            return orjson.loads(content)
    rest = _around(content, span, key)
    if rest is None:
        return orjson.loads(content)
    rest[key] = rows
    return rest


_HERE = "\u0000cdpdb: the rows were here"  # stands in for the rows while the rest is parsed


def _around(content: bytes, span: tuple[int, int], key: str) -> dict[str, Any] | None:
    """The answer without the rows at ``span`` (parsed by orjson), or None when it is no object
    or names ``key`` again (orjson keeps the last of a repeated key, as it would have here)."""
    rest = orjson.loads(b"".join((content[: span[0]], orjson.dumps(_HERE), content[span[1] :])))
    if not isinstance(rest, dict) or rest.get(key) != _HERE:
        return None
    return rest


@dataclass(frozen=True)
class Deferred:
    """Rows of an answer not read yet (:func:`envelope`): :func:`rows` reads them."""

    content: bytes
    key: str
    span: tuple[int, int]


def envelope(content: bytes, key: str = "data") -> Any:
    """The answer with its rows under the top-level ``key`` left unread (a :class:`Deferred`),
    when they come first: the rest (``nextBatchId``, ``done``) is known at once, so the next
    request can go out while this page's rows are read. Otherwise :func:`loads` of the whole.

    Where the rows end is guessed by :func:`_rows_end`; :func:`rows` checks the guess when it
    reads them, and the envelope read from a wrong guess almost never parses at all."""
    head = b"{" + orjson.dumps(key) + b":[["
    if content.startswith(head):
        end = _rows_end(content, len(head))
        if end > 0:
            span = (len(head) - 2, end)
            try:
                rest = _around(content, span, key)
            except orjson.JSONDecodeError:
                rest = None
            if rest is not None:
                rest[key] = Deferred(content, key, span)
                return rest
    return loads(content, key)


def rows(body: dict[str, Any], key: str = "data") -> Any:
    """The rows under ``key`` of an answer read by :func:`envelope` (or :func:`loads`): as
    :func:`loads` gives them. A DataError if the envelope read first was not the answer's."""
    value = body.get(key)
    if not isinstance(value, Deferred):
        return value
    try:
        whole = loads(value.content, key)
    except orjson.JSONDecodeError as exc:
        raise DataError(f"the server's JSON answer was cut short or malformed ({exc})") from None
    envelope_now = {k: v for k, v in body.items() if k != key}
    if not isinstance(whole, dict) or {k: v for k, v in whole.items() if k != key} != envelope_now:
        raise DataError(
            "the answer's fields around its rows were misread before its rows were (a value holds ']],\"'); "
            "run the query again with arrow=True"
        )
    return whole[key]


def _rows_end(content: bytes, start: int) -> int:
    """Where rows that open the answer probably end (just after their ``]]``), or -1: at the last
    ``]],"``, else the last ``]]}``, searched from the end (the answer's other fields are short).
    The true end is such a place; a later one lies inside a string after it, an earlier one
    (the true end being ``]]}``) inside a string of the rows: either way the rows cut there do
    not parse, as they end inside a string or hold the fields after them."""
    at = content.rfind(b']],"', start)
    if at < 0:
        at = content.rfind(b"]]}", start)
    return at + 2 if at >= 0 else -1


def _text_rows(content: bytes, key: str) -> tuple[tuple[int, int], TextRows]:
    """Rows whose every value is a string or null (V1/V2 pages of plain columns), when the rows
    come first in the answer: read by Arrow's JSON reader (C++, about twice the numpy scan's
    speed), which refuses anything else — a number, a boolean, a nested value, a broken string —
    so that such a body is left to :func:`_rows`.

    Where the rows end is guessed by :func:`_rows_end`; a wrong guess makes the rows cut there
    fail to parse, and the numpy scan reads the body."""
    head = b"{" + orjson.dumps(key) + b":[["
    if not content.startswith(head):
        raise _Unusual
    end = _rows_end(content, len(head))
    if end < 0 or len(content) > _LARGEST:
        raise _Unusual
    span = (len(head) - 2, end)
    wrapped = b"".join((b'{"r":', content[span[0] : span[1]], b"}"))
    try:
        table = pa_json.read_json(
            pa.BufferReader(wrapped),
            read_options=pa_json.ReadOptions(use_threads=False, block_size=len(wrapped) + 1),
            parse_options=pa_json.ParseOptions(explicit_schema=_TEXT_ROWS, unexpected_field_behavior="error"),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _Unusual from None
    if table.num_rows != 1:
        raise _Unusual
    rows = table.column(0).chunk(0).values  # the one object's row array
    if rows.null_count or len(rows) == 0:
        raise _Unusual  # a row that is null, not an array: orjson's lists keep it as it is
    count = len(rows)
    lengths = pc.list_value_length(rows)
    width = int(lengths[0].as_py())
    if pc.any(pc.not_equal(lengths, width)).as_py() or width == 0:
        raise _Unusual  # rows of different widths: the caller's check reports it
    values = rows.flatten()
    try:
        values.validate(full=True)  # UTF-8: the reader does not check it
    except pa.ArrowInvalid:
        raise _Unusual from None
    order = np.arange(count, dtype=np.int64) * width
    columns = tuple(pc.take(values, pa.array(order + c)) for c in range(width))
    return span, TextRows(columns, count)


def _rows(content: bytes, key: str) -> tuple[tuple[int, int], TextRows]:
    if len(content) > _LARGEST or not content.startswith(b"{") or orjson.dumps(key) + b":[[" not in content:
        raise _Unusual  # not rows of arrays (e.g. an Arrow answer's empty data): no scan
    b = np.frombuffer(content, np.uint8)
    if (b < 0x20).any():  # whitespace between tokens, or a raw control byte (not valid in a string)
        raise _Unusual
    quotes = _real_quotes(b)
    if len(quotes) % 2:
        raise _Unusual
    marks = np.zeros(len(b) + 1, np.int32)
    marks[quotes + 1] = 1
    before = np.cumsum(marks, dtype=np.int32)  # before[p]: real quotes ahead of byte p
    candidates = np.flatnonzero(_structural(b))
    structural = candidates[(before[candidates] & 1) == 0]  # outside strings
    chars = b[structural]
    depth = np.cumsum(_DEPTH[chars], dtype=np.int64)  # depth after each structural byte
    opening = _array_of(content, key, quotes, structural, depth)
    closed = np.flatnonzero(depth[opening + 1 :] == depth[opening] - 1)
    if len(closed) == 0:
        raise _Unusual  # cut short
    closing = opening + 1 + int(closed[0])
    span = (int(structural[opening]), int(structural[closing]) + 1)
    inner, places = chars[opening + 1 : closing], structural[opening + 1 : closing]
    if len(inner) == 0 or inner[0] != _OPEN:
        raise _Unusual  # no rows (orjson is as quick), or not rows of arrays
    width = int(np.argmax(inner == _CLOSE))  # the first row's values: its "]" comes after width - 1 commas
    if inner[width] != _CLOSE:
        raise _Unusual
    per_row = width + 2  # "[", width - 1 commas, "]", the comma after the row
    if (len(inner) + 1) % per_row:
        raise _Unusual
    count = (len(inner) + 1) // per_row
    pattern = np.array([_OPEN, *[_COMMA] * (width - 1), _CLOSE, _COMMA], np.uint8)
    grid = np.append(inner, np.uint8(_COMMA)).reshape(count, per_row)
    if not (grid == pattern).all():
        raise _Unusual
    at = np.append(places, 0).reshape(count, per_row)
    starts, ends = (at[:, :width] + 1).ravel(), at[:, 1 : width + 1].ravel()
    return span, _columns(content, b, before, starts, ends, count, width)


def _structural(b: np.ndarray) -> np.ndarray:
    """Where ``[]{},:`` are (comparisons are several times quicker than a 256-entry lookup)."""
    found: np.ndarray = b == _COMMA
    for char in b"[]{}:":
        found |= b == char
    return found


def _real_quotes(b: np.ndarray) -> np.ndarray:
    """Positions of the quotes that open or close a string: those after an even run of backslashes."""
    quotes = np.flatnonzero(b == _QUOTE)
    if len(quotes) == 0 or quotes[0] == 0:
        return quotes
    suspects = np.flatnonzero(b[quotes - 1] == _BACKSLASH)
    if len(suspects) == 0:
        return quotes
    run = np.ones(len(suspects), np.int64)
    going = np.ones(len(suspects), np.bool_)
    while going.any():  # lengthen each run of backslashes while the byte before it is one too
        before = quotes[suspects] - run - 1
        going &= before >= 0
        going[going] &= b[before[going]] == _BACKSLASH
        run += going
    keep = np.ones(len(quotes), np.bool_)
    keep[suspects[run % 2 == 1]] = False  # an odd run escapes the quote
    return quotes[keep]


def _array_of(content: bytes, key: str, quotes: np.ndarray, structural: np.ndarray, depth: np.ndarray) -> int:
    """Index (in ``structural``) of the ``[`` that opens the rows under the top-level ``key``."""
    name = orjson.dumps(key)
    found = content.find(name + b":[[")
    while found >= 0:
        at = int(np.searchsorted(quotes, found))
        if at % 2 == 0 and at + 1 < len(quotes) and quotes[at] == found and quotes[at + 1] == found + len(name) - 1:
            colon = int(np.searchsorted(structural, found + len(name)))
            if (depth[colon - 1] if colon else 0) == 1:  # a key of the top-level object
                return colon + 1
        found = content.find(name + b":[[", found + 1)
    raise _Unusual


def _columns(
    content: bytes, b: np.ndarray, before: np.ndarray, starts: np.ndarray, ends: np.ndarray, count: int, width: int
) -> TextRows:
    first, last = b[starts], b[ends - 1]
    quoted = first == _QUOTE
    inside = before[ends] - before[starts]  # real quotes in each value
    plain = ~quoted
    if (
        (ends <= starts).any()
        or (inside != np.where(quoted, 2, 0)).any()
        or (quoted & ((last != _QUOTE) | (ends - starts < 2))).any()
        or (plain & ~(_FIRST[first] & _LAST[last])).any()
    ):
        raise _Unusual
    lo, hi = starts + quoted, ends - quoted
    offsets = np.empty(2 * len(lo) + 1, np.int32)
    offsets[0:-1:2], offsets[1:-1:2], offsets[-1] = lo, hi, hi[-1]
    values = pa.StringArray.from_buffers(2 * len(lo), pa.py_buffer(offsets), pa.py_buffer(content))
    if plain.any():
        scalars = pc.take(values, pa.array(2 * np.flatnonzero(plain)))
        if not pc.all(pc.match_substring_regex(scalars, _SCALAR)).as_py():
            raise _Unusual
    # every column's value indices in one array, column after column (nulls masked), sliced per column
    order = (2 * np.arange(count * width, dtype=np.int64)).reshape(count, width).T.ravel()
    null = (first == ord("n")).reshape(count, width).T.ravel()
    indices = pa.array(order, mask=null)
    escaped = _escaped(b, quoted, starts, ends).reshape(count, width).T.ravel()
    columns = []
    for c in range(width):
        taken = pc.take(values, indices.slice(c * count, count))
        holds = escaped[c * count : (c + 1) * count]
        if holds.any():
            which = order[c * count : (c + 1) * count][holds] // 2
            spans = zip(starts[which].tolist(), ends[which].tolist(), strict=True)
            try:
                text = pa.array([orjson.loads(content[s:e]) for s, e in spans], pa.string())
            except orjson.JSONDecodeError:
                raise _Unusual from None
            taken = pc.replace_with_mask(taken, pa.array(holds), text)
        try:
            taken.validate(full=True)  # UTF-8
        except pa.ArrowInvalid:
            raise _Unusual from None
        columns.append(taken)
    return TextRows(tuple(columns), count)


def _escaped(b: np.ndarray, quoted: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which values are strings holding a backslash (an escape to undo)."""
    out = np.zeros(len(starts), np.bool_)
    slashes = np.flatnonzero(b[starts.min() : ends.max()] == _BACKSLASH) + starts.min()
    if len(slashes):
        which = np.searchsorted(starts, slashes, side="right") - 1
        which = which[(which >= 0) & (slashes < ends[np.maximum(which, 0)])]
        out[which] = True
    escaped: np.ndarray = out & quoted
    return escaped
