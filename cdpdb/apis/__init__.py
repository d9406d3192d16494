"""Old import path of the Data Cloud API clients, kept for code written against it.

New code imports :mod:`cdpdb.backends.salesforce.apis`.
"""

from cdpdb.backends.salesforce.apis import InsightsClient, ProfileClient, encode_filters

__all__ = ["InsightsClient", "ProfileClient", "encode_filters"]
