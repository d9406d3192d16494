"""Every Treasure Data ``connect()`` setting, validated in one place (mechanics: core.settings)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlparse

from cdpdb.backends.treasuredata import wire
from cdpdb.core.http import HttpOptions
from cdpdb.core.settings import BackendSettings
from cdpdb.exceptions import ProgrammingError


@dataclass(repr=False)
class Settings(BackendSettings):
    SECRETS: ClassVar[frozenset[str]] = frozenset({"apikey"})
    ENVIRONMENT: ClassVar[dict[str, tuple[str, ...]]] = {"apikey": ("CDPDB_TD_APIKEY", "TD_API_KEY")}

    apikey: str | None = None  # a master API key (write-only keys cannot read)
    site: str = wire.DEFAULT_SITE  # us01, jp01, eu01, ap02, ap03
    site_url: str | None = None  # another Audience API host (a local Treasure Data): overrides site
    connect_timeout: float = 10.0
    read_timeout: float = 300.0
    query_timeout: float | None = None
    max_retries: int = 5
    retry_max_seconds: float = 60.0
    verify: bool = True
    ca_bundle: str | None = None
    proxies: dict[str, str] | None = None
    user_agent: str | None = None
    page_size: int = wire.DEFAULT_PAGE_SIZE  # profiles per /customers page of a segment query
    activation_page_size: int | None = None  # activations per listing page (page[size]); None: TD's default
    progress: bool = False
    trino: bool = False  # read profiles and segments on TD's Trino endpoint (needs the trino package)
    trino_host: str | None = None  # that endpoint (host, host:port or https://host:port); implies trino

    def validate(self) -> None:
        if not self.apikey:
            raise ProgrammingError(
                "no Treasure Data API key: give apikey=... or set CDPDB_TD_APIKEY (or TD_API_KEY) to a master key"
            )
        self.site = str(self.site).lower()
        if self.site_url is None and self.site not in wire.SITES:
            raise ProgrammingError(f"site must be one of {', '.join(wire.SITES)}, not {self.site!r}")
        if self.site_url is not None and not self.site_url.startswith(("https://", "http://")):
            raise ProgrammingError(f"site_url must start with https://, not {self.site_url!r}")
        for name in ("connect_timeout", "read_timeout", "retry_max_seconds"):
            if getattr(self, name) <= 0:
                raise ProgrammingError(f"{name} must be positive, not {getattr(self, name)}")
        if self.query_timeout is not None and self.query_timeout <= 0:
            raise ProgrammingError(f"query_timeout must be positive, not {self.query_timeout}")
        if not 1 <= self.page_size <= wire.MAX_PAGE_SIZE:
            raise ProgrammingError(f"page_size must be 1 to {wire.MAX_PAGE_SIZE}, not {self.page_size}")
        top = wire.MAX_ACTIVATION_PAGE_SIZE
        if self.activation_page_size is not None and not 1 <= self.activation_page_size <= top:
            raise ProgrammingError(f"activation_page_size must be 1 to {top}, not {self.activation_page_size}")
        if self.trino_host is not None:
            self.trino = True
            if not str(self.trino_host).strip() or " " in str(self.trino_host):
                raise ProgrammingError(f"trino_host must be a host, host:port or URL, not {self.trino_host!r}")
        if self.trino and self.trino_host is None and self.site_url is not None:
            raise ProgrammingError(
                "trino=true with site_url needs trino_host= too: the Trino endpoint of another host is not known"
            )
        if self.ca_bundle and not Path(self.ca_bundle).is_file():
            raise ProgrammingError(f"ca_bundle {self.ca_bundle!r} is not a file")

    @property
    def base_url(self) -> str:
        return (self.site_url or wire.SITES[self.site]).rstrip("/")

    @property
    def trino_url(self) -> str:
        """TD's Trino endpoint as a URL: ``trino_host`` (``https://`` and port 443 unless it says
        otherwise) or the site's host from ``wire.TRINO_HOSTS``."""
        host = self.trino_host or wire.TRINO_HOSTS[self.site]
        if "://" not in host:
            host = f"https://{host}"
        parsed = urlparse(host)
        port = parsed.port or wire.TRINO_PORT
        return f"{parsed.scheme}://{parsed.hostname}:{port}"

    def http_options(self) -> HttpOptions:
        return HttpOptions.of(self)
