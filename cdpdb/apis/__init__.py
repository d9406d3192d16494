"""Data Cloud's APIs besides SQL — Profile, Calculated Insights, Universal ID Lookup, Ingestion — as typed
clients on a cdpdb connection's login (implemented in :mod:`cdpdb.backends.salesforce.apis`)."""

from cdpdb.backends.salesforce.apis import (
    IngestionClient,
    IngestJob,
    InsightsClient,
    ProfileClient,
    Records,
    UniversalIdClient,
    encode_filters,
)

__all__ = [
    "IngestJob",
    "IngestionClient",
    "InsightsClient",
    "ProfileClient",
    "Records",
    "UniversalIdClient",
    "encode_filters",
]
