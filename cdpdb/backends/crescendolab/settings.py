"""Every Crescendo Lab ``connect()`` setting, validated in one place (mechanics: core.settings)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from cdpdb.backends.crescendolab import wire
from cdpdb.core.http import HttpOptions
from cdpdb.core.settings import BackendSettings
from cdpdb.exceptions import ProgrammingError


@dataclass(repr=False)
class Settings(BackendSettings):
    SECRETS: ClassVar[frozenset[str]] = frozenset({"token"})
    ENVIRONMENT: ClassVar[dict[str, tuple[str, ...]]] = {"token": wire.TOKEN_ENVIRONMENT}

    token: str | None = None  # the API token Crescendo Lab issues (Bearer)
    region: str = wire.DEFAULT_REGION  # tw, th or jp
    base_url: str | None = None  # another host (a local Crescendo Lab): overrides the region's
    import_path: str = wire.IMPORT_PATH  # the CAAC paths are not public: settings (docs/crescendolab.md)
    import_task_path: str = wire.IMPORT_TASK_PATH
    export_path: str = wire.EXPORT_PATH
    export_task_path: str = wire.EXPORT_TASK_PATH
    import_key: str = wire.DEFAULT_IMPORT_KEY  # the field contacts are matched on
    import_rows: int = wire.MAX_IMPORT_ROWS  # rows per import task (never above the API's)
    rate_limit: int = wire.RATE_REQUESTS  # import requests per window the client allows itself
    rate_window_seconds: float = wire.RATE_WINDOW_SECONDS  # the window (shorter only for a local server)
    task_timeout: float = 3600.0  # seconds one import or export task may take
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_retries: int = 5
    retry_max_seconds: float = 120.0
    verify: bool = True
    ca_bundle: str | None = None
    proxies: dict[str, str] | None = None
    user_agent: str | None = None
    progress: bool = False  # a tqdm bar over the import tasks of a statement

    def validate(self) -> None:
        if not self.token:
            raise ProgrammingError(
                "no Crescendo Lab token: give token=... or set CDPDB_CRESCENDO_TOKEN to the API token "
                "Crescendo Lab issued you (it is not self-service: ask your Crescendo Lab contact)"
            )
        self.region = str(self.region).lower()
        if self.region not in wire.REGIONS:
            raise ProgrammingError(f"region must be one of {', '.join(wire.REGIONS)}, not {self.region!r}")
        if self.base_url is not None and not self.base_url.startswith(("https://", "http://")):
            raise ProgrammingError(f"base_url must start with https:// or http://, not {self.base_url!r}")
        for name in ("import_path", "export_path"):
            if not str(getattr(self, name)).startswith("/"):
                raise ProgrammingError(f"{name} must be a path starting with /, not {getattr(self, name)!r}")
        for name in ("import_task_path", "export_task_path"):
            if "{task_id}" not in str(getattr(self, name)):
                raise ProgrammingError(f"{name} must contain {{task_id}}, not {getattr(self, name)!r}")
        if self.import_key not in wire.IMPORT_KEYS:
            raise ProgrammingError(f"import_key must be one of {', '.join(wire.IMPORT_KEYS)}, not {self.import_key!r}")
        if not 1 <= self.import_rows <= wire.MAX_IMPORT_ROWS:
            raise ProgrammingError(f"import_rows must be 1 to {wire.MAX_IMPORT_ROWS:,}, not {self.import_rows}")
        if not 1 <= self.rate_limit <= wire.RATE_REQUESTS:
            raise ProgrammingError(
                f"rate_limit must be 1 to {wire.RATE_REQUESTS} (imports per window), not {self.rate_limit}"
            )
        for name in ("rate_window_seconds", "task_timeout", "connect_timeout", "read_timeout", "retry_max_seconds"):
            if getattr(self, name) <= 0:
                raise ProgrammingError(f"{name} must be positive, not {getattr(self, name)}")
        if self.max_retries < 0:
            raise ProgrammingError(f"max_retries must be 0 or more, not {self.max_retries}")
        if self.ca_bundle and not Path(self.ca_bundle).is_file():
            raise ProgrammingError(f"ca_bundle {self.ca_bundle!r} is not a file")

    @property
    def base(self) -> str:
        return (self.base_url or wire.REGIONS[self.region]).rstrip("/")

    def http_options(self) -> HttpOptions:
        return HttpOptions.of(self)
