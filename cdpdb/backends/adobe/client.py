"""The Platform APIs over HTTP: an IMS token and the organisation's headers on every call, the
sandbox chosen per call (a schema-qualified table reads its own sandbox)."""

from __future__ import annotations

from typing import Any

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.auth import ImsLogin
from cdpdb.backends.adobe.errors import error_from_response
from cdpdb.backends.adobe.settings import Settings
from cdpdb.core.auth import TokenCache
from cdpdb.core.http import HttpClient


class PlatformApi:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.http = HttpClient(settings.http_options(), error_from_response)
        self.tokens = TokenCache(ImsLogin(settings, self.http))

    def url(self, template: str, **ids: Any) -> str:
        return self.settings.base_url + template.format(**ids)

    def headers(self, sandbox: str | None, accept: str = "application/json") -> dict[str, str]:
        s = self.settings
        return {
            wire.API_KEY: str(s.client_id),
            wire.ORG_ID: str(s.org_id),
            wire.SANDBOX: sandbox or s.sandbox,
            "Accept": accept,
        }

    def call(
        self,
        method: str,
        url: str,
        *,
        sandbox: str | None,
        what: str,
        accept: str = "application/json",
        safe: bool = True,
        **kwargs: Any,
    ) -> Any:
        headers = {**self.headers(sandbox, accept), **kwargs.pop("headers", {})}
        return self.http.call(method, url, what=what, bearer=self.tokens.bearer, safe=safe, headers=headers, **kwargs)

    def get(self, url: str, params: dict[str, Any] | None = None, *, sandbox: str | None, what: str, **kw: Any) -> Any:
        return self.call("GET", url, params=params, sandbox=sandbox, what=what, **kw)

    def post(self, url: str, body: Any, *, sandbox: str | None, what: str, safe: bool = False, **kw: Any) -> Any:
        """A POST that only reads (the batch lookup) passes ``safe=True``: it may be repeated."""
        return self.call("POST", url, json=body, sandbox=sandbox, what=what, safe=safe, **kw)

    def close(self) -> None:
        self.http.close()
