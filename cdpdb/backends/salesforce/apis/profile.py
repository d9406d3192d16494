"""Profile API (``/api/v1/profile/...``) and Calculated Insights API (``/api/v1/insight/...``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.apis.filters import encode_filters
from cdpdb.backends.salesforce.session import DataCloudSession
from cdpdb.exceptions import InterfaceError


class _DirectClient:
    """A client on a Data Cloud connection's session: its login, HTTP, retries and errors."""

    def __init__(self, connection: Any) -> None:
        session = getattr(connection, "session", connection)
        if not isinstance(session, DataCloudSession):
            raise InterfaceError("the Data Cloud API clients need a Data Cloud connection (cdpdb.connect(...))")
        self._session = session

    def _get(self, path: str, params: dict[str, Any], what: str) -> list[dict[str, Any]]:
        body = self._session.direct_get(path, {k: v for k, v in params.items() if v is not None}, what)
        return list(body.get("data") or [])


def _names(items: Sequence[str] | None) -> str | None:
    return ",".join(items) if items else None


class ProfileClient(_DirectClient):
    def search(
        self,
        model: str,
        filters: Mapping[str, Any],
        *,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        orderby: str | None = None,
    ) -> list[dict]:
        """Records of a profile DMO (e.g. ``UnifiedIndividual__dlm``) whose fields equal ``filters``."""
        params = {
            "filters": encode_filters(filters),
            "fields": _names(fields),
            "limit": limit,
            "offset": offset,
            "orderby": orderby,
        }
        return self._get(f"{wire.PROFILE_PATH}/{model}", params, f"the Profile API ({model})")


class InsightsClient(_DirectClient):
    def query(
        self,
        insight: str,
        *,
        dimensions: Sequence[str] | None = None,
        measures: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        orderby: str | None = None,
    ) -> list[dict]:
        """Rows of a calculated insight (``*__cio``), optionally filtered by equality."""
        params = {
            "dimensions": _names(dimensions),
            "measures": _names(measures),
            "filters": encode_filters(filters) if filters else None,
            "limit": limit,
            "offset": offset,
            "orderby": orderby,
        }
        return self._get(f"{wire.INSIGHTS_PATH}/{insight}", params, f"the Calculated Insights API ({insight})")
