"""A Crescendo Lab session: ``contacts`` and ``members`` as tables of the shared SQL layer.

INSERT, executemany and pandas ``to_sql`` into ``contacts`` run import tasks before the
statement returns (``rowcount`` = created + updated); nothing is buffered across statements, so
``commit()`` has nothing to flush. SELECT reads ``members`` page by page and ``contacts`` through
an export;
``segments``, ``segment_members`` and ``tags`` are MAAC's lists.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from cdpdb.backends.crescendolab.client import CrescendoApi
from cdpdb.backends.crescendolab.settings import Settings
from cdpdb.backends.crescendolab.tables import (
    ContactsTable,
    MembersTable,
    SegmentMembersTable,
    SegmentsTable,
    TagsTable,
)
from cdpdb.core.sqlapi.session import ApiSession

log = logging.getLogger(__name__)


def open_session(arguments: Mapping[str, Any]) -> CrescendoSession:
    return CrescendoSession(Settings.from_arguments(arguments))


class CrescendoSession(ApiSession):
    backend = "crescendolab"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.api = CrescendoApi(settings)
        tables = [ContactsTable, MembersTable, SegmentsTable, SegmentMembersTable, TagsTable]
        super().__init__({table.name: table(self.api) for table in tables})
        log.debug("Crescendo Lab at %s", settings.base)

    def close(self) -> None:
        self.api.close()

    def __repr__(self) -> str:
        return f"<CrescendoSession {self.settings.base}>"
