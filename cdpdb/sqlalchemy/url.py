"""Engine URLs that never show a secret.

SQLAlchemy masks only the URL's password when it shows a URL (``repr(engine)``, ``str(url)``,
logs, Superset's database list); cdpdb's URLs may also carry ``token``, ``refresh_token``,
``client_secret``... as query parameters. The dialect swaps the engine's URL for this subclass,
which masks those too. Asking explicitly (``render_as_string(hide_password=False)``) still
gives the whole URL, as SQLAlchemy does for the password.
"""

from __future__ import annotations

from sqlalchemy.engine.url import URL

from ..settings import SECRETS

MASK = "***"


class MaskedURL(URL):
    __slots__ = ()

    def render_as_string(self, hide_password: bool = True) -> str:
        if not hide_password:
            return super().render_as_string(hide_password=False)
        hidden = {key: MASK for key in self.query if key.lower() in SECRETS}
        shown = URL.update_query_dict(self, hidden) if hidden else self
        return URL.render_as_string(shown, hide_password=True).replace("%2A%2A%2A", MASK)


def masked(url: URL) -> MaskedURL:
    return url if isinstance(url, MaskedURL) else MaskedURL(*url)
