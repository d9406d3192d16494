"""Data Cloud's APIs besides SQL — Profile, Calculated Insights, Universal ID Lookup — as typed
clients on a cdpdb connection's login (implemented in :mod:`cdpdb.backends.salesforce.apis`)."""

from cdpdb.backends.salesforce.apis import InsightsClient, ProfileClient, Records, UniversalIdClient, encode_filters

__all__ = ["InsightsClient", "ProfileClient", "Records", "UniversalIdClient", "encode_filters"]
