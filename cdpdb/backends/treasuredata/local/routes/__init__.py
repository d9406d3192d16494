"""The local Treasure Data's HTTP surface, one module per family; :data:`ROUTES` is the table
from which both the Starlette app and the OpenAPI description are generated."""

from __future__ import annotations

from cdpdb.backends.treasuredata.local.routes import activations, admin, lists, parents, queries, segments, trino
from cdpdb.local.routetable import Endpoint

ROUTES: list[Endpoint] = [
    *parents.ENDPOINTS,
    *queries.ENDPOINTS,  # before segments: /segments/queries is not /segments/{segment_id}
    *segments.ENDPOINTS,
    *activations.ENDPOINTS,
    *lists.ENDPOINTS,
    *admin.ENDPOINTS,
    *trino.ENDPOINTS,  # TD's Trino endpoint (api-presto), on the same server
]
