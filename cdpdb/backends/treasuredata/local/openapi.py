"""The OpenAPI 3 description of the local Treasure Data (for fuzzing and documentation),
generated from the route table the app is built from."""

from __future__ import annotations

from functools import cache
from typing import Any

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.local.routes import ROUTES
from cdpdb.local.routetable import openapi


@cache
def spec() -> dict[str, Any]:
    security = {"TdApikeyAuth": {"type": "apiKey", "in": "header", "name": wire.AUTH_HEADER}}
    return openapi(ROUTES, "cdpdb local Treasure Data (Audience API)", security=security)
