"""A Customer.io session: the Data Pipelines API as six write-only tables of the shared SQL layer.

``INSERT``, ``executemany`` and pandas ``to_sql`` into ``identify``, ``track``, ``page``,
``screen``, ``group`` or ``alias`` send the rows as ``/v1/batch`` requests before the statement
returns; ``SELECT`` raises NotSupportedError. Nothing is buffered across statements, so
``commit()`` has nothing left to flush and ``rollback()`` raises (sent calls cannot be taken back).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from cdpdb.backends.customerio import wire
from cdpdb.backends.customerio.client import PipelinesApi
from cdpdb.backends.customerio.settings import Settings
from cdpdb.backends.customerio.tables import CallTable
from cdpdb.core.jobs import QueryControl
from cdpdb.core.results.schema import Result
from cdpdb.core.sqlapi.session import ApiSession
from cdpdb.exceptions import NotSupportedError

log = logging.getLogger(__name__)


def open_session(arguments: Mapping[str, Any]) -> CustomerIoSession:
    return CustomerIoSession(Settings.from_arguments(arguments))


class CustomerIoSession(ApiSession):
    backend = "customerio"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.api = PipelinesApi(settings)
        super().__init__({kind: CallTable(kind, self.api) for kind in wire.CALL_TYPES})
        log.debug("Customer.io sink at %s", settings.base)

    def execute(self, sql: str, parameters: Any, control: QueryControl, **options: Any) -> Result:
        raise NotSupportedError(
            "Customer.io's Data Pipelines API is write-only: there is nothing to SELECT. INSERT rows into "
            f"{', '.join(wire.CALL_TYPES)}; read people and activity with Customer.io's App API",
            sqlstate="0A000",
        )

    def close(self) -> None:
        self.api.close()

    def __repr__(self) -> str:
        return f"<CustomerIoSession {self.settings.base}>"
