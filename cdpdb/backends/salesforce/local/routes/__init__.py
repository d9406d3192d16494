"""The local Data Cloud's HTTP surface, one module per API; :data:`ROUTES` is the table from
which both the Starlette app and the OpenAPI description are generated."""

from __future__ import annotations

from cdpdb.backends.salesforce.local.routes import (
    admin,
    connect,
    ingest,
    insights,
    legacy,
    metadata,
    oauth,
    profiles,
    universal_id,
    v3,
)
from cdpdb.local.routetable import Endpoint

ROUTES: list[Endpoint] = [
    *oauth.ENDPOINTS,
    *legacy.ENDPOINTS,
    *v3.ENDPOINTS,
    *connect.ENDPOINTS,
    *metadata.ENDPOINTS,
    *profiles.ENDPOINTS,
    *insights.ENDPOINTS,
    *universal_id.ENDPOINTS,
    *ingest.ENDPOINTS,
    *admin.ENDPOINTS,
]
