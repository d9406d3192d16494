"""One V3 answer or chunk read and decoded: what the V3 protocol (on the driver) and a partition
(on any worker) share, so both read chunks the same way, with the same retries and errors."""

from __future__ import annotations

import pyarrow as pa

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.query.hyper import columns_from_meta
from cdpdb.backends.salesforce.settings import Settings
from cdpdb.backends.salesforce.types import TYPES
from cdpdb.core.auth import TokenCache
from cdpdb.core.http import Answer, HttpClient
from cdpdb.core.results.arrow import normalise_arrow
from cdpdb.core.results.decode import columns_from_arrow, decode_json_page
from cdpdb.core.results.schema import Column


def v3_headers(settings: Settings) -> dict[str, str]:
    """Arrow unless turned off; the dataspace header when the connection names one."""
    headers = {"Accept": wire.ARROW_MEDIA_TYPE if settings.arrow else "application/json"}
    if settings.dataspace:
        headers[wire.DATASPACE_HEADER] = settings.dataspace
    return headers


def decode_v3(answer: Answer) -> tuple[pa.Table, list[Column] | None]:
    """A V3 answer (Arrow or JSON) as an Arrow table and the columns it announced."""
    if answer.table is not None:
        table = normalise_arrow(answer.table)
        return table, columns_from_arrow(table.schema, TYPES)
    body = answer.json
    meta = (body.get("metadata") or {}).get("columns")
    columns = columns_from_meta(meta)
    return decode_json_page(body.get("data") or [], columns or [], TYPES), columns


def read_chunk(settings: Settings, http: HttpClient, tokens: TokenCache, query_id: str, number: int) -> pa.Table:
    """Chunk ``number`` (0-based) of a finished V3 query."""
    answer = http.call(
        "GET",
        f"{tokens.base_url()}{wire.V3_QUERY_PATH}/{query_id}/chunks/{number}",
        headers=v3_headers(settings),
        bearer=tokens.bearer,
        expect="answer",
        what=f"reading chunk {number} of query {query_id}",
        query_id=query_id,
    )
    return decode_v3(answer)[0]
