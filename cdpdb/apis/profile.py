"""Profile API (``/api/v1/profile/...``) and Calculated Insights API (``/api/v1/insight/...``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .filters import encode_filters


class _DirectClient:
    def __init__(self, connection) -> None:
        self._connection = connection

    def _get(self, path: str, params: dict, what: str) -> list[dict]:
        body = self._connection._direct_get(path, {k: v for k, v in params.items() if v is not None}, what)
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
        return self._get(f"/api/v1/profile/{model}", params, f"the Profile API ({model})")


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
        return self._get(
            f"/api/v1/insight/calculated-insights/{insight}", params, f"the Calculated Insights API ({insight})"
        )
