"""The Calculated Insights API (``/api/v1/insight/...``): insights' metadata and their rows by
dimensions and measures, typed, at a time grain, read past the 4,999-row cap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.apis.direct import DirectClient, names, page_of, pages
from cdpdb.backends.salesforce.apis.filters import encode_filters
from cdpdb.backends.salesforce.apis.records import Records, decode
from cdpdb.backends.salesforce.metadata import Entity
from cdpdb.exceptions import ProgrammingError


def check_insight_request(insight: str, dimensions: Sequence[str] | None, measures: Sequence[str] | None) -> None:
    """The API's per-call limits, checked before any request is sent."""
    if not insight.endswith("__cio"):
        raise ProgrammingError(f"{insight!r} is not a calculated insight name (they end in __cio)")
    if dimensions is not None and len(dimensions) > wire.INSIGHT_MAX_DIMENSIONS:
        raise ProgrammingError(
            f"{len(dimensions)} dimensions asked of {insight}; the Calculated Insights API takes at most "
            f"{wire.INSIGHT_MAX_DIMENSIONS} per call: ask for fewer, or query the insight with SQL "
            f'(SELECT ... FROM "{insight}")'
        )
    if measures is not None and len(measures) > wire.INSIGHT_MAX_MEASURES:
        raise ProgrammingError(
            f"{len(measures)} measures asked of {insight}; the Calculated Insights API takes at most "
            f"{wire.INSIGHT_MAX_MEASURES} per call: split them over several calls, or query the insight with SQL"
        )


def grain(value: str | None) -> str | None:
    if value is None:
        return None
    upper = value.upper()
    if upper not in wire.TIME_GRANULARITIES:
        raise ProgrammingError(f"time_granularity must be one of {', '.join(wire.TIME_GRANULARITIES)}, not {value!r}")
    return upper


class InsightsClient(DirectClient):
    """``InsightsClient(conn).query("Customer_Lifetime_Value__cio", dimensions=[...], measures=[...])``."""

    def metadata(self, insight: str | None = None) -> list[Entity]:
        """The calculated insights (all, or one): dimensions, measures (``role``), relationships."""
        path = f"{wire.INSIGHTS_METADATA_PATH}/{quote(insight, safe='')}" if insight else wire.INSIGHTS_METADATA_PATH
        return self._entities(path, f"the Calculated Insights metadata{f' of {insight}' if insight else ''}")

    def query(
        self,
        insight: str,
        *,
        dimensions: Sequence[str] | None = None,
        measures: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        time_granularity: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        orderby: str | None = None,
    ) -> Records:
        """Rows of a calculated insight; ``limit=None`` reads them all (ordered by the dimensions
        unless ``orderby`` says otherwise, so offset pages neither repeat nor skip rows)."""
        check_insight_request(insight, dimensions, measures)
        params = {
            "dimensions": names(dimensions),
            "measures": names(measures),
            "filters": encode_filters(filters) if filters else None,
            "timeGranularity": grain(time_granularity),
        }
        if orderby is None and (limit is None or limit > wire.PROFILE_MAX_ROWS):
            chosen = dimensions or [f.name for f in self._entity(insight).fields if f.role == "dimension"]
            orderby = ", ".join(f"{d} ASC" for d in chosen) or None
        path, what = f"{wire.INSIGHTS_PATH}/{quote(insight, safe='')}", f"the Calculated Insights API ({insight})"

        def fetch(at: int, count: int) -> tuple[list[dict[str, Any]], bool]:
            body = self._get(path, {**params, "limit": count, "offset": at or None, "orderby": orderby}, what)
            return page_of(body, count)

        rows = [row for page in pages(fetch, limit, offset) for row in page]
        return Records(decode(rows, self._fields(insight), [*(dimensions or ()), *(measures or ())]))
