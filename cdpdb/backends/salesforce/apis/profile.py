"""The Profile API (``/api/v1/profile/...``): profile objects' metadata, search, lookup by key, a
profile's child records and calculated insights — typed, and read past the 4,999-row cap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.apis.direct import DirectClient, names, page_of, pages
from cdpdb.backends.salesforce.apis.filters import encode_filters
from cdpdb.backends.salesforce.apis.insights import check_insight_request, grain
from cdpdb.backends.salesforce.apis.records import Records, decode
from cdpdb.backends.salesforce.metadata import Entity
from cdpdb.exceptions import ProgrammingError


def _segment(value: Any) -> str:
    """A path segment (a key value may hold ``/``, ``?`` or spaces)."""
    if value is None or value == "":
        raise ProgrammingError("give the record's key value (an empty id names no record)")
    if "/" in str(value):
        raise ProgrammingError(
            f"{value!r} cannot travel in the API's path (it holds '/'): use search() with a filter on the key instead"
        )
    return quote(str(value), safe="")


class ProfileClient(DirectClient):
    """``ProfileClient(conn).search("ssot__Individual__dlm", {"ssot__FirstName__c": "Ann"})``.

    ``limit=None`` reads every matching row (one call per 4,999, ordered by the object's primary key
    unless ``orderby`` is given, so pages neither repeat nor skip rows); a number reads at most that
    many (the API's own default is 100 rows).
    """

    def metadata(self, model: str | None = None) -> list[Entity]:
        """The profile objects (all, or one) with their fields, keys and relationships."""
        path = f"{wire.PROFILE_METADATA_PATH}/{_segment(model)}" if model else wire.PROFILE_METADATA_PATH
        return self._entities(path, f"the Profile API metadata{f' of {model}' if model else ''}")

    def search(
        self,
        model: str,
        filters: Mapping[str, Any],
        *,
        fields: Sequence[str] | None = None,
        limit: int | None = wire.PROFILE_DEFAULT_LIMIT,
        offset: int = 0,
        orderby: str | None = None,
    ) -> Records:
        """Records of a profile object whose fields equal ``filters`` (AND)."""
        params = {"filters": encode_filters(filters), "fields": names(fields)}
        return self._read(f"{wire.PROFILE_PATH}/{_segment(model)}", model, params, fields, limit, offset, orderby)

    def get(
        self,
        model: str,
        record_id: Any,
        *,
        search_key: str | None = None,
        fields: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        limit: int | None = wire.PROFILE_DEFAULT_LIMIT,
        offset: int = 0,
        orderby: str | None = None,
    ) -> Records:
        """The record whose primary key (or ``search_key`` field) is ``record_id``; empty when none."""
        params = {"searchKey": search_key, "fields": names(fields), "filters": _filters(filters)}
        path = f"{wire.PROFILE_PATH}/{_segment(model)}/{_segment(record_id)}"
        return self._read(path, model, params, fields, limit, offset, orderby)

    def children(
        self,
        model: str,
        record_id: Any,
        child: str,
        *,
        search_key: str | None = None,
        fields: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        limit: int | None = wire.PROFILE_DEFAULT_LIMIT,
        offset: int = 0,
        orderby: str | None = None,
    ) -> Records:
        """The ``child`` object's records related to the profile (e.g. its ``ssot__ContactPointEmail__dlm``)."""
        params = {"searchKey": search_key, "fields": names(fields), "filters": _filters(filters)}
        path = f"{wire.PROFILE_PATH}/{_segment(model)}/{_segment(record_id)}/{_segment(child)}"
        order = orderby or self._key_order(child, limit)
        return self._nested(path, child, params, fields, limit, offset, order)

    def insight(
        self,
        model: str,
        record_id: Any,
        insight: str,
        *,
        search_key: str | None = None,
        dimensions: Sequence[str] | None = None,
        measures: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        time_granularity: str | None = None,
        limit: int | None = wire.PROFILE_DEFAULT_LIMIT,
        offset: int = 0,
        orderby: str | None = None,
    ) -> Records:
        """A calculated insight's rows for the profile (``…/calculated-insights/{insight}``)."""
        check_insight_request(insight, dimensions, measures)
        params = {
            "searchKey": search_key,
            "dimensions": names(dimensions),
            "measures": names(measures),
            "filters": _filters(filters),
            "timeGranularity": grain(time_granularity),
        }
        path = f"{wire.PROFILE_PATH}/{_segment(model)}/{_segment(record_id)}/{wire.PROFILE_INSIGHTS_SEGMENT}/"
        path += _segment(insight)
        names_ = [*(dimensions or ()), *(measures or ())]
        order = orderby or self._dimension_order(insight, dimensions, limit)
        return self._nested(path, insight, params, names_, limit, offset, order)

    # -- reading ---------------------------------------------------------------------------------

    def _key_order(self, name: str, limit: int | None) -> str | None:
        """Offset paging needs a stable order: the primary key, when more than one page may come."""
        if limit is not None and limit <= wire.PROFILE_MAX_ROWS:
            return None
        keys = self._entity(name).primary_keys
        return ", ".join(f"{key} ASC" for key in keys) or None

    def _dimension_order(self, insight: str, dimensions: Sequence[str] | None, limit: int | None) -> str | None:
        if limit is not None and limit <= wire.PROFILE_MAX_ROWS:
            return None
        chosen = dimensions or [f.name for f in self._entity(insight).fields if f.role == "dimension"]
        return ", ".join(f"{d} ASC" for d in chosen) or None

    def _read(
        self,
        path: str,
        model: str,
        params: dict[str, Any],
        fields: Sequence[str] | None,
        limit: int | None,
        offset: int,
        orderby: str | None,
    ) -> Records:
        what = f"the Profile API ({model})"
        order = orderby or self._key_order(model, limit)

        def fetch(at: int, count: int) -> tuple[list[dict[str, Any]], bool]:
            body = self._get(path, {**params, "limit": count, "offset": at or None, "orderby": order}, what)
            return page_of(body, count)

        rows = [row for page in pages(fetch, limit, offset) for row in page]
        return Records(decode(rows, self._fields(model), fields or ()))

    def _nested(
        self,
        path: str,
        child: str,
        params: dict[str, Any],
        columns: Sequence[str] | None,
        limit: int | None,
        offset: int,
        orderby: str | None,
    ) -> Records:
        """The related records nested under each parent record, as one typed table."""
        what = f"the Profile API ({child})"

        def fetch(at: int, count: int) -> tuple[list[dict[str, Any]], bool]:
            body = self._get(path, {**params, "limit": count, "offset": at or None, "orderby": orderby}, what)
            parents, done = page_of(body, count)
            related: list[dict[str, Any]] = []
            for parent in parents:
                nested = parent.get(child) or []
                related += [nested] if isinstance(nested, dict) else nested  # an object in one doc example
            return related, done

        rows = [row for page in pages(fetch, limit, offset) for row in page]
        return Records(decode(rows, self._fields(child), columns or ()))


def _filters(filters: Mapping[str, Any] | None) -> str | None:
    return encode_filters(filters) if filters else None
