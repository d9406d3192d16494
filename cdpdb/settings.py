"""Every ``connect()`` setting, validated in one place.

The same names work as keyword arguments, as SQLAlchemy URL query parameters, and as
``CDPDB_<NAME>`` environment variables (for secrets above all). A wrong or incomplete
combination fails here, at ``connect()``, naming the argument to fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .exceptions import ProgrammingError

APIS = ("v3", "v2", "v1", "connect")
SECRETS = frozenset({"password", "client_secret", "private_key", "refresh_token", "token", "admin_key"})
FLOWS = {
    "password": ("username", "password", "client_id", "client_secret"),
    "jwt": ("username", "client_id", "private_key"),
    "refresh_token": ("refresh_token", "client_id"),
    "client_credentials": ("client_id", "client_secret"),
    "token": ("token", "tenant_url"),
}


@dataclass
class Settings:
    login_url: str = "https://login.salesforce.com"
    username: str | None = None
    password: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    private_key: str | None = None  # PEM text
    private_key_file: str | None = None
    refresh_token: str | None = None
    token: str | None = None  # a ready Data Cloud token ...
    tenant_url: str | None = None  # ... and the tenant it belongs to
    auth: str | None = None  # password | jwt | refresh_token | client_credentials | token (inferred if None)
    dataspace: str | None = None
    api: str = "v3"
    connect_api_version: str = "v64.0"
    connect_timeout: float = 10.0
    read_timeout: float = 300.0
    query_timeout: float | None = None
    max_retries: int = 5
    retry_max_seconds: float = 60.0
    verify: bool = True
    ca_bundle: str | None = None
    proxies: dict[str, str] | None = None
    user_agent: str | None = None
    revoke_core_token: bool = True
    arrow: bool = True  # ask V2/V3 for Arrow where offered
    max_workers: int = 4  # parallel V3 chunk downloads (1: serial)
    prefetch: int = 2  # pages or chunks fetched ahead of the consumer (0: none)
    progress: bool = False  # tqdm progress bars for fetches
    admin_key: str | None = None  # local Data Cloud only: send writes to its admin path (test fixtures)

    @classmethod
    def from_arguments(cls, kwargs: dict[str, Any], environ: dict[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - names)
        if unknown:
            raise ProgrammingError(
                f"unknown connect() argument(s): {', '.join(unknown)}; known: {', '.join(sorted(names))}"
            )
        values = {}
        for name in names:
            if kwargs.get(name) is not None:
                values[name] = kwargs[name]
            elif f"CDPDB_{name.upper()}" in environ:
                values[name] = environ[f"CDPDB_{name.upper()}"]
        settings = cls(**values)
        settings._coerce()
        settings._validate()
        return settings

    def _coerce(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, str) or f.type in ("str | None", "str"):
                continue
            try:
                if f.type.startswith("bool"):
                    lowered = value.strip().lower()
                    if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                        raise ValueError(value)
                    setattr(self, f.name, lowered in ("1", "true", "yes", "on"))
                elif f.type.startswith("int"):
                    setattr(self, f.name, int(value))
                elif f.type.startswith("float"):
                    setattr(self, f.name, float(value))
            except ValueError:
                raise ProgrammingError(
                    f"connect() argument {f.name} must be a {f.type.split()[0]}, not {value!r}"
                ) from None

    def _validate(self) -> None:
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
        for name in ("connect_timeout", "read_timeout", "retry_max_seconds"):
            if getattr(self, name) <= 0:
                raise ProgrammingError(f"{name} must be positive, not {getattr(self, name)}")
        if self.query_timeout is not None and self.query_timeout <= 0:
            raise ProgrammingError(f"query_timeout must be positive, not {self.query_timeout}")
        if self.max_workers < 1 or self.prefetch < 0:
            raise ProgrammingError("max_workers must be 1 or more and prefetch 0 or more")
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
            "no credentials: give username+password+client_id+client_secret, username+client_id+private_key "
            "(JWT), refresh_token+client_id, client_id+client_secret (client credentials), or token+tenant_url"
        )

    @property
    def verify_arg(self) -> bool | str:
        if not self.verify:
            return False
        return self.ca_bundle or True

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={'***' if f.name in SECRETS and getattr(self, f.name) else getattr(self, f.name)!r}"
            for f in fields(self)
            if f.name != "private_key_file"
        )
        return f"Settings({shown})"
