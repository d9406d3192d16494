"""The contract every Query API generation implements: SQL and parameters in, a page stream out."""

from __future__ import annotations

from typing import Any

from cdpdb.backends.salesforce.settings import Settings
from cdpdb.core.auth import TokenCache
from cdpdb.core.http import HttpClient
from cdpdb.core.jobs import QueryControl, Status
from cdpdb.core.results.partitions import Partitions
from cdpdb.core.results.schema import Result
from cdpdb.exceptions import NotSupportedError, ProgrammingError


class Protocol:
    name = "?"
    supports_async = False
    options: frozenset[str] = frozenset()  # the execute() options this API takes

    def check_options(self, options: dict[str, Any]) -> None:
        unknown = sorted(set(options) - self.options)
        if unknown:
            takes = f"it takes {', '.join(sorted(self.options))}" if self.options else "it takes none"
            raise ProgrammingError(
                f"execute() option(s) {', '.join(unknown)} do not apply to api={self.name!r}: {takes}"
            )

    def __init__(self, settings: Settings, http: HttpClient, tokens: TokenCache) -> None:
        self.settings, self.http, self.tokens = settings, http, tokens

    def execute(self, sql: str, parameters: Any, control: QueryControl, **options: Any) -> Result:
        """Run ``sql`` until its result can be read; raise ``fetch.Stopped`` once ``control.stop`` is set."""
        raise NotImplementedError

    def submit(self, sql: str, parameters: Any) -> str:
        raise NotSupportedError(f"asynchronous queries need api='v3' or api='connect', not {self.name}")

    def results(self, query_id: str, control: QueryControl) -> Result:
        raise NotSupportedError(f"fetching results by query id needs api='v3' or api='connect', not {self.name}")

    def status(self, query_id: str, wait_ms: int = 0) -> Status:
        raise NotSupportedError(f"query status needs api='v3' or api='connect', not {self.name}")

    def cancel(self, query_id: str) -> None:
        raise NotSupportedError(f"cancelling by query id needs api='v3' or 'connect', not {self.name}")

    def execute_partitions(
        self, sql: str, parameters: Any, control: QueryControl, partitions: int | None, **options: Any
    ) -> Partitions:
        raise NotSupportedError(
            f"a result in partitions needs api='v3', not {self.name}: only Query API V3 leaves a result "
            "on the server as numbered chunks that other processes can read; connect with api='v3'"
        )

    def url(self, path: str) -> str:
        return self.tokens.base_url() + path
