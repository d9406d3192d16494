"""Typed clients for Data Cloud's other APIs, on a cdpdb connection's login."""

from cdpdb.backends.salesforce.apis.filters import encode_filters
from cdpdb.backends.salesforce.apis.ingest import IngestionClient, IngestJob
from cdpdb.backends.salesforce.apis.insights import InsightsClient
from cdpdb.backends.salesforce.apis.profile import ProfileClient
from cdpdb.backends.salesforce.apis.records import Records
from cdpdb.backends.salesforce.apis.universal_id import UniversalIdClient

__all__ = [
    "IngestJob",
    "IngestionClient",
    "InsightsClient",
    "ProfileClient",
    "Records",
    "UniversalIdClient",
    "encode_filters",
]
