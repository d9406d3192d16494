"""What the local Data Cloud keeps on a query result beyond the kit's, and its query ids."""

from __future__ import annotations

import base64
import itertools
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from cdpdb.backends.salesforce.local.encoding import JsonRows
from cdpdb.local import results

_sequence = itertools.count(1)


def trino_query_id() -> str:
    """V1/V2 ids look like Trino's: ``20211006_133630_00059_9adm3``."""
    now = datetime.now(timezone.utc)
    suffix = base64.b32encode(os.urandom(5)).decode().lower()[:5]
    return f"{now:%Y%m%d_%H%M%S}_{next(_sequence) % 100000:05d}_{suffix}"


def hyper_query_id() -> str:
    """V3 / Connect ids look like ``MTAuMjcuMTgxLjE0OTo3NDg0_1cfc8d35``."""
    host = base64.urlsafe_b64encode(b"127.0.0.1:7484").decode().rstrip("=")
    return f"{host}_{uuid.uuid4().hex[:8]}{next(_sequence):x}"


@dataclass
class QueryResult(results.QueryResult):
    #: V1/V2: per output column, whether it is an aggregate (sent as a JSON number, not text).
    aggregates: tuple[bool, ...] | None = None
    #: Connect: the workload the query was submitted to (echoed in its status as ``workload``).
    workload: str | None = None

    def json_rows(self, style: str) -> JsonRows:
        """Rows as JSON, encoded once per wire style ('legacy': V1/V2, 'typed': V3/Connect)."""

        def encode(table) -> JsonRows:
            if style == "legacy":
                flags = self.aggregates or (False,) * table.num_columns
                modes = ["number" if f else "string" for f in flags]
            else:
                modes = ["typed"] * table.num_columns
            return JsonRows(table, modes)

        rows: JsonRows = self.encoded(style, encode)
        return rows
