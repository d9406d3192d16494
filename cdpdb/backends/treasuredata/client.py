"""The Audience API over HTTP: the ``TD1`` key on every call, TD's errors, the session's retries."""

from __future__ import annotations

from typing import Any

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.errors import error_from_response
from cdpdb.backends.treasuredata.settings import Settings
from cdpdb.core.http import HttpClient
from cdpdb.core.retry import Deadline


class AudienceApi:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.http = HttpClient(settings.http_options(), error_from_response)
        self._headers = {wire.AUTH_HEADER: f"{wire.AUTH_SCHEME} {settings.apikey}", "Accept": wire.ACCEPT}

    def path(self, template: str, **ids: Any) -> str:
        return self.settings.base_url + template.format(**ids)

    def get(self, path: str, params: dict[str, Any] | None = None, *, what: str, **kwargs: Any) -> Any:
        return self.http.call("GET", path, params=params, headers=self._headers, what=what, **kwargs)

    def post(
        self, path: str, body: Any, *, what: str, safe: bool = False, deadline: Deadline | None = None, **kwargs: Any
    ) -> Any:
        """A POST creates or starts something: not repeated after a broken transfer unless ``safe``."""
        return self.http.call(
            "POST", path, json=body, headers=self._headers, what=what, safe=safe, deadline=deadline, **kwargs
        )

    def put(self, path: str, body: Any, *, what: str, **kwargs: Any) -> Any:
        """A PUT sets fields to given values: repeating it changes nothing more, so it is retried."""
        return self.http.call("PUT", path, json=body, headers=self._headers, what=what, safe=True, **kwargs)

    def delete(self, path: str, *, what: str, **kwargs: Any) -> None:
        """A DELETE is not repeated after a broken transfer: the repeat would answer 404 for what was
        deleted. TD documents no body for its 200 answer, so none is read."""
        self.http.call("DELETE", path, headers=self._headers, what=what, safe=False, expect="none", **kwargs)

    def close(self) -> None:
        self.http.close()
