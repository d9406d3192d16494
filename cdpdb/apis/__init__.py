"""Typed clients for Data Cloud's other APIs, on a cdpdb connection's login."""

from .filters import encode_filters
from .profile import InsightsClient, ProfileClient

__all__ = ["InsightsClient", "ProfileClient", "encode_filters"]
