"""Every Adobe ``connect()`` setting, validated in one place (mechanics: core.settings)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from cdpdb.backends.adobe import wire
from cdpdb.core.http import HttpOptions
from cdpdb.core.settings import BackendSettings
from cdpdb.exceptions import ProgrammingError


@dataclass(repr=False)
class Settings(BackendSettings):
    SECRETS: ClassVar[frozenset[str]] = frozenset({"client_secret"})
    ENVIRONMENT: ClassVar[dict[str, tuple[str, ...]]] = {
        "client_secret": ("CDPDB_ADOBE_CLIENT_SECRET",),
        "client_id": ("CDPDB_ADOBE_CLIENT_ID",),
        "org_id": ("CDPDB_ADOBE_ORG_ID",),
    }

    client_id: str | None = None  # the OAuth Server-to-Server credential's client id (also the x-api-key)
    client_secret: str | None = None
    org_id: str | None = None  # the IMS organisation, ...@AdobeOrg (x-gw-ims-org-id)
    sandbox: str = wire.DEFAULT_SANDBOX  # the default schema: unqualified tables read this sandbox
    scopes: str = wire.DEFAULT_SCOPES
    platform_url: str = wire.PLATFORM_URL  # another Platform host (a local Adobe)
    ims_url: str = wire.IMS_URL  # another IMS host (a local Adobe)
    connect_timeout: float = 10.0
    read_timeout: float = 300.0
    max_retries: int = 5
    retry_max_seconds: float = 60.0
    verify: bool = True
    ca_bundle: str | None = None
    proxies: dict[str, str] | None = None
    user_agent: str | None = None
    batch_size: int = wire.MAX_BATCH_IDENTITIES  # identities per POST /access/entities
    event_page_size: int = wire.DEFAULT_EVENT_LIMIT  # experience events per page (limit)
    lookup_threads: int = 4  # batch POSTs in flight at once for a long IN list

    def validate(self) -> None:
        for name, hint in (
            ("client_id", "the OAuth Server-to-Server credential's client id (or CDPDB_ADOBE_CLIENT_ID)"),
            ("client_secret", "its client secret, best through CDPDB_CLIENT_SECRET or CDPDB_ADOBE_CLIENT_SECRET"),
            ("org_id", "the IMS organisation id, ...@AdobeOrg (or CDPDB_ADOBE_ORG_ID)"),
        ):
            if not getattr(self, name):
                raise ProgrammingError(f"no Adobe {name}: give {name}=... — {hint}")
        for name in ("platform_url", "ims_url"):
            if not str(getattr(self, name)).startswith(("https://", "http://")):
                raise ProgrammingError(f"{name} must start with https://, not {getattr(self, name)!r}")
        if not self.sandbox:
            raise ProgrammingError("sandbox must name a sandbox (prod by default)")
        for name in ("connect_timeout", "read_timeout", "retry_max_seconds"):
            if getattr(self, name) <= 0:
                raise ProgrammingError(f"{name} must be positive, not {getattr(self, name)}")
        if not 1 <= self.batch_size <= wire.MAX_BATCH_IDENTITIES:
            raise ProgrammingError(f"batch_size must be 1 to {wire.MAX_BATCH_IDENTITIES}, not {self.batch_size}")
        if not 1 <= self.event_page_size <= wire.MAX_EVENT_LIMIT:
            raise ProgrammingError(f"event_page_size must be 1 to {wire.MAX_EVENT_LIMIT}, not {self.event_page_size}")
        if not 1 <= self.lookup_threads <= 16:
            raise ProgrammingError(f"lookup_threads must be 1 to 16, not {self.lookup_threads}")
        if self.ca_bundle and not Path(self.ca_bundle).is_file():
            raise ProgrammingError(f"ca_bundle {self.ca_bundle!r} is not a file")

    @property
    def base_url(self) -> str:
        return self.platform_url.rstrip("/")

    def http_options(self) -> HttpOptions:
        return HttpOptions.of(self, at_once=self.lookup_threads)
