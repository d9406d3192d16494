"""One module per Query API generation; each turns SQL and parameters into a stream of pages."""

from __future__ import annotations

from ..settings import Settings
from .base import Column, Protocol, QueryControl, Result


def protocol_for(settings: Settings, http, tokens) -> Protocol:
    from .connect import ConnectProtocol
    from .v1 import V1Protocol
    from .v2 import V2Protocol
    from .v3 import V3Protocol

    kind = {"v1": V1Protocol, "v2": V2Protocol, "v3": V3Protocol, "connect": ConnectProtocol}[settings.api]
    return kind(settings, http, tokens)


__all__ = ["Column", "Protocol", "QueryControl", "Result", "protocol_for"]
