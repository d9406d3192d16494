"""Engine URLs that never show a secret.

SQLAlchemy masks only the URL's password when it shows a URL (``repr(engine)``, ``str(url)``,
logs, Superset's database list); cdpdb's URLs may also carry ``token``, ``refresh_token``,
``client_secret``... as query parameters. The dialect swaps the engine's URL for this subclass,
which masks those too. Asking explicitly (``render_as_string(hide_password=False)``) still
gives the whole URL, as SQLAlchemy does for the password.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine.url import URL

from cdpdb.core.settings import MASK


class MaskedURL(URL):
    """A URL that masks the query parameters its dialect names as secrets."""

    __slots__ = ()
    secrets: frozenset[str] = frozenset()

    def render_as_string(self, hide_password: bool = True) -> str:
        if not hide_password:
            return super().render_as_string(hide_password=False)
        hidden = {key: MASK for key in self.query if key.lower() in self.secrets}
        shown = URL.update_query_dict(self, hidden) if hidden else self
        return URL.render_as_string(shown, hide_password=True).replace("%2A%2A%2A", MASK)

    def __str__(self) -> str:
        # SQLAlchemy 2.x hides the password in str(url); 1.4 shows it. Masked URLs hide it on both.
        return self.render_as_string()


def settings_of(url: URL) -> dict[str, Any]:
    """The URL's query parameters as ``connect()`` settings. A parameter given twice is an error
    naming it (SQLAlchemy hands it over as a tuple, which a setting would reject with a confusing
    message, or take whole); its values are not shown, as either may be a secret."""
    twice = sorted(key for key, value in url.query.items() if isinstance(value, tuple))
    if twice:
        raise sa_exc.ArgumentError(f"the URL gives {', '.join(twice)} more than once; give each setting once")
    return dict(url.query)


def masked(url: URL, secrets: frozenset[str]) -> URL:
    """``url`` showing none of ``secrets`` (the class is made once per set of secret names)."""
    if isinstance(url, MaskedURL):
        return url
    return _masking(secrets)._make(url)  # the tuple's own constructor (1.4 deprecates calling URL())


_CLASSES: dict[frozenset[str], type[MaskedURL]] = {}


def _masking(secrets: frozenset[str]) -> type[MaskedURL]:
    if secrets not in _CLASSES:
        _CLASSES[secrets] = type("MaskedURL", (MaskedURL,), {"__slots__": (), "secrets": secrets})
    return _CLASSES[secrets]
