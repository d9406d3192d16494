"""API keys of the local Treasure Data. TD has two kinds: a *master* key does whatever its user
may; a *write-only* key only imports data, so the Audience API refuses it (403). Keys look like
TD's, ``<user id>/<40 hex digits>``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cdpdb.backends.treasuredata.local.model import User

MASTER, WRITE_ONLY = "master", "write-only"


@dataclass(frozen=True)
class ApiKey:
    key: str
    user: User
    kind: str


class Keys:
    def __init__(self) -> None:
        self._keys: dict[str, ApiKey] = {}

    def issue(self, user: User, kind: str = MASTER) -> str:
        key = f"{user.td_user_id}/{secrets.token_hex(20)}"
        self._keys[key] = ApiKey(key, user, kind)
        return key

    def find(self, key: str) -> ApiKey | None:
        return self._keys.get(key)
