"""What Query API V1 and V2 share: the JSON page shape and client-side parameter binding."""

from __future__ import annotations

import base64
from typing import Any

import pyarrow as pa

from cdpdb.backends.salesforce import params, wire
from cdpdb.backends.salesforce.settings import Settings
from cdpdb.backends.salesforce.types import TYPES
from cdpdb.core.results import jsontext
from cdpdb.core.results.arrow import normalise_arrow
from cdpdb.core.results.decode import decode_json_page
from cdpdb.core.results.jsontext import TextRows
from cdpdb.core.results.schema import Column
from cdpdb.exceptions import DataError, OperationalError


def columns_of(body: dict) -> list[Column]:
    """Columns in ``placeInOrder`` order — never in the order of the JSON keys."""
    metadata = body.get("metadata")
    if not isinstance(metadata, dict):
        raise OperationalError("the query answer has no metadata object; is this a Data Cloud Query API host?")
    try:
        ordered = sorted(metadata.items(), key=lambda item: int(item[1]["placeInOrder"]))
    except (KeyError, TypeError, ValueError):
        raise DataError("the query answer's metadata lacks placeInOrder for some column") from None
    return [Column(name, str(meta.get("type", "VARCHAR"))) for name, meta in ordered]


def page_of(body: dict, columns: list[Column]) -> pa.Table:
    """One V1/V2 answer's rows as Arrow: the Arrow stream when present, else the JSON rows."""
    stream = body.get("arrowStream")
    if stream:
        try:
            table = pa.ipc.open_stream(base64.b64decode(stream)).read_all()
        except (pa.ArrowInvalid, ValueError) as exc:
            raise DataError(f"the batch's arrowStream could not be read: {exc}") from None
        table = normalise_arrow(table)
        if table.num_columns == len(columns):
            table = table.rename_columns([c.name for c in columns])
        return table
    rows = jsontext.rows(body)  # read now if only the envelope was (jsontext.envelope)
    if not isinstance(rows, (list, TextRows)):
        raise DataError("the query answer has no data array")
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):  # an object per row, keyed by column name
        rows = [[row.get(c.name) for c in columns] for row in rows]
    return decode_json_page(rows, columns, TYPES)


def refine_columns(columns: list[Column], page: pa.Table) -> list[Column]:
    """Precision and scale from an Arrow page: V1/V2 JSON metadata only says DECIMAL."""
    if page.num_columns != len(columns):
        return columns
    return [
        Column(c.name, c.type_name, f.type.precision, f.type.scale) if pa.types.is_decimal(f.type) else c
        for c, f in zip(columns, page.schema, strict=True)
    ]


def bind(sql: str, parameters: Any, edits: list[tuple[int, int, int]] | None = None) -> str:
    return params.inline(sql, parameters, edits)


def arrow_headers(settings: Settings) -> dict[str, str]:
    """V1/V2 send pages as base64 Arrow inside the JSON answer when asked by this header."""
    return {wire.ARROW_STREAM_HEADER: "true"} if settings.arrow else {}
