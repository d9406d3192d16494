"""One module per Query API generation; each turns SQL and parameters into a stream of pages."""

from __future__ import annotations

from cdpdb.backends.salesforce.query.base import Protocol
from cdpdb.backends.salesforce.settings import Settings
from cdpdb.core.auth import TokenCache
from cdpdb.core.http import HttpClient


def protocol_for(settings: Settings, http: HttpClient, tokens: TokenCache) -> Protocol:
    from cdpdb.backends.salesforce.query.connect import ConnectProtocol
    from cdpdb.backends.salesforce.query.v1 import V1Protocol
    from cdpdb.backends.salesforce.query.v2 import V2Protocol
    from cdpdb.backends.salesforce.query.v3 import V3Protocol

    kind = {"v1": V1Protocol, "v2": V2Protocol, "v3": V3Protocol, "connect": ConnectProtocol}[settings.api]
    return kind(settings, http, tokens)


__all__ = ["Protocol", "protocol_for"]
