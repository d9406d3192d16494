"""The OpenAPI 3 description of the local Data Cloud (for fuzzing and documentation), generated
from the route table the app is built from."""

from __future__ import annotations

from functools import cache
from typing import Any

from cdpdb.backends.salesforce.local.routes import ROUTES
from cdpdb.local.routetable import openapi


@cache
def spec() -> dict[str, Any]:
    return openapi(ROUTES, "cdpdb local Data Cloud", security={"bearer": {"type": "http", "scheme": "bearer"}})
