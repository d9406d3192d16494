"""Where a browser login's refresh token (and, with ``token_cache='store'``, a Data Cloud token)
is kept between runs: the OS keyring when a usable
backend exists (macOS Keychain, Windows Credential Locker, Secret Service), otherwise a JSON
file that only the user can read (0600) in the user's config folder.

Keyed by login host and client id, so logins to several orgs or apps live side by side. The
token itself is never logged or shown; ``cdpdb logout`` deletes it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from cdpdb.exceptions import InterfaceError

log = logging.getLogger(__name__)

SERVICE = "cdpdb"  # the keyring service name
FILE_NAME = "refresh-tokens.json"
STORES = ("auto", "keyring", "file")


def store_key(login_url: str, client_id: str) -> str:
    return f"{login_url.rstrip('/')}|{client_id}"


class TokenStore:
    """``kind``: ``auto`` (keyring if usable, else file), ``keyring`` or ``file``; ``folder``: the
    file store's folder (default: the user config folder of cdpdb, from ``platformdirs``)."""

    def __init__(self, kind: str = "auto", folder: str | None = None) -> None:
        if kind not in STORES:
            raise InterfaceError(f"token_store must be one of {', '.join(STORES)}, not {kind!r}")
        self._keyring = _usable_keyring() if kind in ("auto", "keyring") else None
        if kind == "keyring" and self._keyring is None:
            raise InterfaceError(
                "token_store='keyring' but no usable keyring backend was found: pip install 'cdpdb[login]' "
                "and run where an OS keyring exists, or use token_store='file'"
            )
        self._folder = folder

    @property
    def where(self) -> str:
        """Where tokens go, for messages (no secret in it)."""
        if self._keyring is not None:
            return f"the OS keyring ({type(self._keyring).__name__})"
        return str(self._path())

    def load(self, key: str) -> str | None:
        if self._keyring is not None:
            return self._keyring.get_password(SERVICE, key)
        found = self._read().get(key)
        return found if isinstance(found, str) else None

    def save(self, key: str, token: str) -> None:
        if self._keyring is not None:
            self._keyring.set_password(SERVICE, key, token)
            return
        tokens = self._read()
        tokens[key] = token
        self._write(tokens)

    def delete(self, key: str) -> bool:
        """Forget one login; True if there was one."""
        if self._keyring is not None:
            if self._keyring.get_password(SERVICE, key) is None:
                return False
            self._keyring.delete_password(SERVICE, key)
            return True
        tokens = self._read()
        if tokens.pop(key, None) is None:
            return False
        self._write(tokens)
        return True

    # -- the file store ------------------------------------------------------------------------

    def _path(self) -> Path:
        if self._folder:
            return Path(self._folder).expanduser() / FILE_NAME
        try:
            import platformdirs
        except ImportError:
            raise InterfaceError(
                "keeping a browser login needs platformdirs (or token_dir=...): pip install 'cdpdb[login]'"
            ) from None
        return Path(platformdirs.user_config_dir("cdpdb", appauthor=False)) / FILE_NAME

    def _read(self) -> dict[str, Any]:
        path = self._path()
        try:
            text = path.read_text()
        except FileNotFoundError:
            return {}
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise InterfaceError(
                f"{path} can be read by other users; refusing to use the refresh tokens in it: "
                f"chmod 600 {path} (or delete it and log in again)"
            )
        try:
            found = json.loads(text)
        except ValueError:
            log.warning("ignoring %s: it is not JSON", path)
            return {}
        return found if isinstance(found, dict) else {}

    def _write(self, tokens: dict[str, Any]) -> None:
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(tokens, out)
        os.chmod(temporary, 0o600)  # an existing file keeps its mode through O_CREAT
        os.replace(temporary, path)


def _usable_keyring() -> Any:
    """The keyring backend, when one that really stores secrets is available (the ``fail``
    and ``null`` backends have priority 0 or below)."""
    try:
        import keyring
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        priority = getattr(backend, "priority", 0)
    except Exception as exc:  # a broken keyring configuration must not stop a login
        log.debug("no usable keyring: %s", type(exc).__name__)
        return None
    return backend if priority and priority > 0 else None
