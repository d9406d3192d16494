"""The local Adobe's HTTP surface; :data:`ROUTES` feeds both the Starlette app and the OpenAPI description."""

from __future__ import annotations

from cdpdb.backends.adobe.local.routes import config, entities, ims
from cdpdb.local.routetable import Endpoint

ROUTES: list[Endpoint] = [*ims.ENDPOINTS, *entities.ENDPOINTS, *config.ENDPOINTS]
