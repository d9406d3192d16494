"""Every Customer.io ``connect()`` setting, validated in one place (mechanics: core.settings)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from cdpdb.backends.customerio import wire
from cdpdb.core.http import HttpOptions
from cdpdb.core.settings import BackendSettings
from cdpdb.exceptions import ProgrammingError


@dataclass(repr=False)
class Settings(BackendSettings):
    SECRETS: ClassVar[frozenset[str]] = frozenset({"api_key"})
    ENVIRONMENT: ClassVar[dict[str, tuple[str, ...]]] = {"api_key": wire.API_KEY_ENVIRONMENT}

    api_key: str | None = None  # the HTTP source's API key, or a pk_/sk_ region key
    region: str | None = None  # us or eu; a pk_/sk_ key names its own
    base_url: str | None = None  # another host (a local Customer.io): overrides the region's
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_retries: int = 5
    retry_max_seconds: float = 60.0
    verify: bool = True
    ca_bundle: str | None = None
    proxies: dict[str, str] | None = None
    user_agent: str | None = None
    rate_limit: int = wire.RATE_REQUESTS  # requests per 3-second window the client allows itself
    max_batch_bytes: int = wire.MAX_BATCH_BYTES  # bytes per /v1/batch request (never above the API's)

    def validate(self) -> None:
        if not self.api_key:
            raise ProgrammingError(
                "no Customer.io API key: give api_key=... or set CDPDB_CUSTOMERIO_API_KEY to the API key "
                "of your HTTP API source (Data Pipelines > Sources > your source > Settings)"
            )
        key_region = self.key_region
        if self.region is not None:
            self.region = str(self.region).lower()
            if self.region not in wire.REGIONS:
                raise ProgrammingError(f"region must be one of {', '.join(wire.REGIONS)}, not {self.region!r}")
            if key_region is not None and key_region != self.region:
                raise ProgrammingError(
                    f"region={self.region} but the API key is a {key_region} key; leave region out or give "
                    f"a key of the {self.region} region"
                )
        if self.base_url is not None and not self.base_url.startswith(("https://", "http://")):
            raise ProgrammingError(f"base_url must start with https://, not {self.base_url!r}")
        for name in ("connect_timeout", "read_timeout", "retry_max_seconds"):
            if getattr(self, name) <= 0:
                raise ProgrammingError(f"{name} must be positive, not {getattr(self, name)}")
        if self.max_retries < 0:
            raise ProgrammingError(f"max_retries must be 0 or more, not {self.max_retries}")
        if not 1 <= self.rate_limit <= wire.RATE_REQUESTS:
            raise ProgrammingError(
                f"rate_limit must be 1 to {wire.RATE_REQUESTS} (requests per 3 s), not {self.rate_limit}"
            )
        low, high = wire.MAX_CALL_BYTES + 64, wire.MAX_BATCH_BYTES
        if not low <= self.max_batch_bytes <= high:
            raise ProgrammingError(f"max_batch_bytes must be {low} to {high}, not {self.max_batch_bytes}")
        if self.ca_bundle and not Path(self.ca_bundle).is_file():
            raise ProgrammingError(f"ca_bundle {self.ca_bundle!r} is not a file")

    @property
    def key_region(self) -> str | None:
        """The region a pk_/sk_ key names (None: a source API key, which names none)."""
        match = wire.REGION_KEY.match(self.api_key or "")
        return match.group(2) if match else None

    @property
    def bearer(self) -> bool:
        """Whether the key goes as Bearer (pk_/sk_ keys) rather than Basic (a source's API key)."""
        return self.key_region is not None

    @property
    def base(self) -> str:
        region = self.region or self.key_region or wire.DEFAULT_REGION
        return (self.base_url or wire.REGIONS[region]).rstrip("/")

    def http_options(self) -> HttpOptions:
        return HttpOptions.of(self)
