"""The Calculated Insights API: an insight's metadata, and its rows by dimensions and measures,
optionally rolled up to a coarser time grain (``timeGranularity``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.backend import Backend
from cdpdb.backends.salesforce.local.catalog import CIO, Entity
from cdpdb.backends.salesforce.local.routes import objects
from cdpdb.backends.salesforce.local.routes.common import DIRECT_ERRORS, backend, direct_auth
from cdpdb.backends.salesforce.local.routes.metadata import entity_json
from cdpdb.local.engine import quote_ident
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.routetable import Endpoint, Param

_GRAIN_UNITS = {"HOUR": "hour", "DAY": "day", "MONTH": "month", "QUARTER": "quarter", "YEAR": "year"}


class InsightRequest:
    """The dimensions, measures and grain one call asks of an insight, checked as Salesforce does."""

    def __init__(self, request: Request, insight: Entity) -> None:
        dimensions = objects.names(request, "dimensions")
        measures = objects.names(request, "measures")
        self.dimensions = dimensions or [c.name for c in insight.columns if c.role == "dimension"]
        self.measures = measures or [c.name for c in insight.columns if c.role == "measure"]
        if len(self.dimensions) > wire.INSIGHT_MAX_DIMENSIONS or len(self.measures) > wire.INSIGHT_MAX_MEASURES:
            raise ApiError(
                400,
                f"at most {wire.INSIGHT_MAX_DIMENSIONS} dimensions and {wire.INSIGHT_MAX_MEASURES} measures "
                f"per request, not {len(self.dimensions)} and {len(self.measures)}",
                "INVALID_INPUT",
            )
        objects.check_fields(insight, self.dimensions + self.measures)
        for name, role in [(d, "dimension") for d in self.dimensions] + [(m, "measure") for m in self.measures]:
            if insight.column(name).role != role:
                raise ApiError(400, f"{name} is not a {role} of {insight.name}", "INVALID_INPUT")
        grain = request.query_params.get("timeGranularity")
        if grain is not None and grain.upper() not in wire.TIME_GRANULARITIES:
            raise ApiError(
                400,
                f"timeGranularity must be one of {', '.join(wire.TIME_GRANULARITIES)}, not {grain!r}",
                "INVALID_INPUT",
            )
        self.grain = grain.upper() if grain else None
        self.insight = insight
        if self.grain:
            stuck = [m for m in self.measures if not insight.column(m).rollupable]
            if stuck:
                raise ApiError(
                    400,
                    f"{', '.join(stuck)} cannot be rolled up to {self.grain}: leave timeGranularity out",
                    "INVALID_INPUT",
                )

    def columns(self) -> tuple[list[str], list[str] | None]:
        """The SELECT list and, for a time grain, the GROUP BY (time dimensions truncated, measures added up)."""
        if not self.grain:
            return [quote_ident(c) for c in self.dimensions + self.measures], None
        unit = _GRAIN_UNITS[self.grain]
        dims = []
        for name in self.dimensions:
            column = self.insight.column(name)
            quoted = quote_ident(name)
            dims.append(
                f"CAST(DATE_TRUNC('{unit}', {quoted}) AS {column.sql_type}) AS {quoted}" if column.temporal else quoted
            )
        measures = []
        for name in self.measures:
            column = self.insight.column(name)
            rollup = "MAX" if column.temporal else "SUM"
            measures.append(f"CAST({rollup}({quote_ident(name)}) AS {column.sql_type}) AS {quote_ident(name)}")
        return dims + measures, [str(i + 1) for i in range(len(dims))]

    def rows(
        self,
        backend: Backend,
        dataspace: str,
        conditions: list[str],
        *,
        limit: int | None = None,
        offset: int = 0,
        orderby: str | None = None,
    ) -> list[dict]:
        columns, group_by = self.columns()
        return objects.select(
            backend,
            dataspace,
            self.insight,
            columns,
            conditions,
            limit=limit,
            offset=offset,
            orderby=orderby,
            group_by=group_by,
        )


async def insight_metadata(request: Request) -> Response:
    _, dataspace = direct_auth(request)
    name = request.path_params.get("ci")
    if name:
        return JSON({"metadata": [entity_json(objects.entity(request, name, dataspace, (CIO,)))]})
    insights = [e for e in backend(request).catalog.visible(dataspace) if e.entity_type == CIO]
    return JSON({"metadata": [entity_json(e) for e in insights]})


async def insight_query(request: Request) -> Response:
    _, dataspace = direct_auth(request)
    insight = objects.entity(request, request.path_params["ci"], dataspace, (CIO,))
    asked = InsightRequest(request, insight)
    filters = objects.filters(request, False)
    objects.check_fields(insight, [f for f, _ in filters])
    limit = objects.limit(request, wire.PROFILE_MAX_ROWS)
    conditions = [objects.equal(f, v) for f, v in filters]
    rows = await off_loop(
        asked.rows,
        backend(request),
        dataspace,
        conditions,
        limit=limit,
        offset=objects.offset(request),
        orderby=request.query_params.get("orderby"),
    )
    return objects.answer(rows, limit)


QUERY_PARAMS = (Param("dimensions"), Param("measures"), Param("filters"), Param("timeGranularity"), *objects.PAGING)
ENDPOINTS = [
    Endpoint(
        "GET", wire.INSIGHTS_METADATA_PATH, insight_metadata, "Calculated Insights metadata", errors=DIRECT_ERRORS
    ),
    Endpoint(
        "GET",
        f"{wire.INSIGHTS_METADATA_PATH}/{{ci}}",
        insight_metadata,
        "Calculated Insights metadata, one insight",
        errors=(*DIRECT_ERRORS, 404),
    ),
    Endpoint(
        "GET",
        f"{wire.INSIGHTS_PATH}/{{ci}}",
        insight_query,
        "Calculated Insights API",
        params=QUERY_PARAMS,
        errors=(*DIRECT_ERRORS, 404, 422),
    ),
]
