"""Typed clients for Data Cloud's other APIs, on a cdpdb connection's login."""

from cdpdb.backends.salesforce.apis.filters import encode_filters
from cdpdb.backends.salesforce.apis.profile import InsightsClient, ProfileClient

__all__ = ["InsightsClient", "ProfileClient", "encode_filters"]
