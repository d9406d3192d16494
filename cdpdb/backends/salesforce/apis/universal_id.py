"""Universal ID Lookup: every source record linked to the same unified profile as one source record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.apis.direct import DirectClient, names, page_of
from cdpdb.backends.salesforce.apis.filters import encode_filters
from cdpdb.backends.salesforce.apis.records import Records, decode
from cdpdb.exceptions import ProgrammingError

IDENTITY_LINK = "IndividualIdentityLink__dlm"


class UniversalIdClient(DirectClient):
    def lookup(
        self,
        data_source_id: str,
        data_source_object_id: str,
        source_record_id: str,
        *,
        entity: str = IDENTITY_LINK,
        fields: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> Records:
        """The linked source records (one row each, all sharing ``UnifiedRecordId__c``); empty when
        the source record is unknown. One call: the API returns up to 49,999 links."""
        parts = (entity, data_source_id, data_source_object_id, source_record_id)
        if any(not isinstance(p, str) or not p for p in parts):
            raise ProgrammingError("give the data source id, the data source object id and the source record id")
        if fields is not None and len(fields) > 50:
            raise ProgrammingError(f"Universal ID Lookup returns at most 50 fields per call, not {len(fields)}")
        path = wire.UNIVERSAL_ID_PATH + "".join("/" + quote(p, safe="") for p in parts)
        params = {"fields": names(fields), "filters": encode_filters(filters) if filters else None}
        body = self._get(path, params, f"Universal ID Lookup ({entity})")
        rows, done = page_of(body, wire.UNIVERSAL_ID_MAX_ROWS)
        if not done:
            raise ProgrammingError(
                f"source record {source_record_id} links to more than {wire.UNIVERSAL_ID_MAX_ROWS} records; "
                "narrow the lookup with filters"
            )
        return Records(decode(rows, self._fields(entity), fields or ()))
