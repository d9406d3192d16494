"""Every Data Cloud ``connect()`` setting, validated in one place.

The same names work as keyword arguments, as SQLAlchemy URL query parameters, and as
``CDPDB_<NAME>`` environment variables (for secrets above all); the mechanics are
:mod:`cdpdb.core.settings`. A wrong or incomplete combination fails here, at ``connect()``,
naming the argument to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from cdpdb.backends.salesforce import wire
from cdpdb.core.http import HttpOptions
from cdpdb.core.settings import BackendSettings
from cdpdb.exceptions import ProgrammingError

APIS = ("v3", "v2", "v1", "connect")
TOKEN_CACHES = ("process", "store", "off")
SECRETS = frozenset({"password", "client_secret", "private_key", "refresh_token", "token", "admin_key"})
FLOWS = {
    "password": ("username", "password", "client_id", "client_secret"),
    "jwt": ("username", "client_id", "private_key"),
    "refresh_token": ("refresh_token", "client_id"),
    "client_credentials": ("client_id", "client_secret"),
    "token": ("token", "tenant_url"),
    "browser": ("client_id",),
    "sf_org": ("sf_org",),
}


@dataclass(repr=False)
class Settings(BackendSettings):
    SECRETS: ClassVar[frozenset[str]] = SECRETS
    HIDDEN: ClassVar[frozenset[str]] = frozenset({"private_key_file"})

    login_url: str = wire.DEFAULT_LOGIN_URL
    username: str | None = None
    password: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    private_key: str | None = None  # PEM text
    private_key_file: str | None = None
    refresh_token: str | None = None
    token: str | None = None  # a ready Data Cloud token ...
    tenant_url: str | None = None  # ... and the tenant it belongs to
    auth: str | None = None  # FLOWS' names (inferred if None; "browser" only when asked for)
    sf_org: str | None = None  # reuse the Salesforce CLI's login of this alias or username
    callback_url: str = wire.DEFAULT_CALLBACK_URL  # browser login: the loopback redirect (port 0: any free port)
    login_timeout: float = 300.0  # browser login: how long to wait for the browser to come back
    open_browser: bool = True  # browser login: False only prints the URL (headless machines)
    token_store: str = "auto"  # browser login's refresh token: auto | keyring | file
    token_dir: str | None = None  # the file store's folder (default: the user config folder)
    workload: str | None = None  # Connect API: the workload (resource group) queries run in
    dataspace: str | None = None
    api: str = "v3"
    connect_api_version: str = wire.CONNECT_API_VERSION
    connect_timeout: float = 10.0
    read_timeout: float = 300.0
    query_timeout: float | None = None
    max_retries: int = 5
    retry_max_seconds: float = 60.0
    verify: bool = True
    ca_bundle: str | None = None
    proxies: dict[str, str] | None = None  # text (URL, environment): JSON or https=...,http=... pairs
    user_agent: str | None = None
    revoke_core_token: bool = True
    token_cache: str = "process"  # process: shared by one process's connections | store: and later processes | off
    arrow: bool = True  # ask V2/V3 for Arrow where offered
    max_workers: int = 8  # parallel V3 chunk downloads (1: serial)
    prefetch: int = 2  # pages or chunks fetched ahead of the consumer (0: none)
    progress: bool = False  # tqdm progress bars for fetches
    ingestion_source: str | None = None  # INSERT / to_sql into <source>_<object>__dll through the Ingestion API
    ingest_bulk_rows: int = 10_000  # from this many rows an INSERT is a bulk job, below it streamed
    admin_key: str | None = None  # local Data Cloud only: send writes to its admin path (test fixtures)

    def validate(self) -> None:
        self.api = str(self.api).lower()
        if self.api not in APIS:
            raise ProgrammingError(f"api must be one of {', '.join(APIS)}, not {self.api!r}")
        if not str(self.login_url).startswith(("https://", "http://")):
            raise ProgrammingError(
                f"login_url must start with https:// (for example https://login.salesforce.com "
                f"or https://MyDomain.my.salesforce.com), not {self.login_url!r}"
            )
        self.login_url = self.login_url.rstrip("/")
        if self.private_key_file:
            if self.private_key:
                raise ProgrammingError("give private_key or private_key_file, not both")
            path = Path(self.private_key_file).expanduser()
            if not path.is_file():
                raise ProgrammingError(f"private_key_file {str(path)!r} does not exist")
            self.private_key = path.read_text()
        if self.private_key and "PRIVATE KEY" not in self.private_key:
            raise ProgrammingError(
                "private_key must be a PEM text ('-----BEGIN PRIVATE KEY-----...'); use private_key_file for a path"
            )
        for name in ("connect_timeout", "read_timeout", "retry_max_seconds", "login_timeout"):
            if getattr(self, name) <= 0:
                raise ProgrammingError(f"{name} must be positive, not {getattr(self, name)}")
        if self.query_timeout is not None and self.query_timeout <= 0:
            raise ProgrammingError(f"query_timeout must be positive, not {self.query_timeout}")
        if self.max_workers < 1 or self.prefetch < 0:
            raise ProgrammingError("max_workers must be 1 or more and prefetch 0 or more")
        if self.token_cache not in TOKEN_CACHES:
            raise ProgrammingError(f"token_cache must be one of {', '.join(TOKEN_CACHES)}, not {self.token_cache!r}")
        if self.max_retries < 0:
            raise ProgrammingError(f"max_retries must be 0 or more, not {self.max_retries}")
        if self.ca_bundle and not Path(self.ca_bundle).is_file():
            raise ProgrammingError(f"ca_bundle {self.ca_bundle!r} is not a file")
        self.auth = self._flow()
        missing = [name for name in FLOWS[self.auth] if not getattr(self, name)]
        if missing:
            raise ProgrammingError(
                f"the {self.auth} login needs {', '.join(missing)} "
                f"(as connect() arguments or CDPDB_{missing[0].upper()})"
            )
        if self.workload and self.api != "connect":
            raise ProgrammingError(
                "workload applies to the Connect API only: pass api='connect' with workload, "
                f"or drop it (api={self.api!r})"
            )
        if self.auth == "token" and self.api == "connect":
            raise ProgrammingError(
                "a Data Cloud token (token=...) cannot call the Connect API, which needs a core "
                "Salesforce login; use api='v3' or give login credentials"
            )

    def _flow(self) -> str:
        if self.auth:
            if self.auth not in FLOWS:
                raise ProgrammingError(f"auth must be one of {', '.join(FLOWS)}, not {self.auth!r}")
            return self.auth
        given = [
            name
            for name, key in (
                ("sf_org", "sf_org"),
                ("token", "token"),
                ("jwt", "private_key"),
                ("refresh_token", "refresh_token"),
                ("password", "password"),
            )
            if getattr(self, key)
        ]
        if len(given) > 1:
            raise ProgrammingError(
                f"conflicting credentials: {' and '.join(given)} logins were both given; "
                "pass auth=... to choose one or remove the other"
            )
        if given:
            return given[0]
        if self.username:
            raise ProgrammingError("username was given without password (or private_key for a JWT login)")
        if self.client_id and self.client_secret:
            return "client_credentials"
        raise ProgrammingError(
            "no credentials: give client_id+client_secret (client credentials, with the My Domain login_url), "
            "username+client_id+private_key (JWT bearer), auth='browser' with client_id, sf_org='alias' "
            "(a Salesforce CLI login), refresh_token+client_id, token+tenant_url, or (deprecated) "
            "username+password+client_id+client_secret"
        )

    def http_options(self) -> HttpOptions:
        return HttpOptions.of(self, at_once=self.max_workers)
