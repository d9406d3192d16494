"""Failed logins → errors that say what to fix on the org, by the OAuth answer's data.

Salesforce answers a refused login with ``{"error": code, "error_description": text}`` and a
status; which step failed (the token grant or the a360 exchange), which grant was tried and the
login host tell a missing scope from a missing Data Cloud licence or a generic login host. Each
outcome is an :class:`~cdpdb.exceptions.OperationalError` with a ``reason`` callers can test:

``missing_scope``, ``no_data_cloud``, ``no_data_cloud_permission``, ``my_domain_required``,
``password_flow_blocked``, ``invalid_client``, ``invalid_grant``, ``unauthorised`` (anything else).
docs/real-org.md lists them with the fix for each.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.errors import OAuthError
from cdpdb.exceptions import OperationalError

_SCOPES = ", ".join(wire.DATA_CLOUD_SCOPES)
_FIX_SCOPES = (
    f"give the External Client App the OAuth scopes {_SCOPES} (Setup > External Client App Manager > "
    "the app > Settings > OAuth Settings), then log in again"
)
_FIX_PERMISSION = (
    "assign the user (for client credentials: the app's run-as user) the Data Cloud permission set "
    "'Data Cloud User' or 'Data Cloud Admin' (Setup > Permission Sets)"
)


def is_generic_login_host(login_url: str) -> bool:
    return (urlsplit(login_url).hostname or "").lower() in wire.GENERIC_LOGIN_HOSTS


def login_failed(exc: OAuthError, grant: str, login_url: str) -> OperationalError:
    """The token grant (``wire.TOKEN_PATH``) refused a login with ``grant``."""
    code = exc.error
    if code == wire.INVALID_SCOPE:
        return _error(exc, "missing_scope", f"the login was refused for its scopes: {_FIX_SCOPES}")
    if grant == wire.CLIENT_CREDENTIALS_GRANT and (
        is_generic_login_host(login_url) or (code == wire.INVALID_GRANT and exc.description == wire.NOT_ON_THIS_DOMAIN)
    ):
        return _error(
            exc,
            "my_domain_required",
            "the client credentials flow works only on the org's My Domain: pass "
            "login_url='https://MyDomain.my.salesforce.com' (Setup > My Domain shows it), not "
            f"{login_url}; also check that the app enables the flow and names a run-as user",
        )
    if grant == wire.PASSWORD_GRANT and code == wire.UNSUPPORTED_GRANT_TYPE:  # the answer when blocked: UNCONFIRMED
        return _error(
            exc,
            "password_flow_blocked",
            "the org blocks the username-password flow, which Salesforce has deprecated: use client "
            "credentials (client_id + client_secret on the My Domain login_url), a JWT login "
            "(private_key) or auth='browser'",
        )
    if code in (wire.INVALID_CLIENT_ID, wire.INVALID_CLIENT):
        return _error(
            exc,
            "invalid_client",
            "check client_id (the External Client App's consumer key) and client_secret (its consumer "
            "secret), and that the app is enabled in this org",
        )
    if code == wire.INVALID_GRANT:
        fix = {
            wire.REFRESH_GRANT: "the refresh token has expired or was revoked: log in again "
            "(cdpdb login, or a new refresh_token)",
            wire.AUTHORIZATION_CODE_GRANT: "the browser login's code was refused (used, expired or "
            "for another redirect URI): run the login again",
            wire.JWT_GRANT: "check username, the certificate uploaded to the app, and that the user is "
            "pre-authorised for it (Policies > Permitted Users: admin approved users)",
        }.get(grant, "check the username, password and security token")
        return _error(exc, "invalid_grant", fix)
    return _error(exc, "unauthorised", "check the login settings against docs/real-org.md")


def exchange_failed(exc: OAuthError) -> OperationalError:
    """The a360 exchange (core token → Data Cloud token) refused the token."""
    if exc.error == wire.INVALID_SCOPE:
        return _error(
            exc, "missing_scope", f"the Data Cloud token exchange needs the api and cdp_query_api scopes: {_FIX_SCOPES}"
        )
    if exc.status == 404:
        return _error(
            exc,
            "no_data_cloud",
            "this org has no Data Cloud (the token exchange does not exist here): connect to the org "
            "where Data Cloud is provisioned (Setup > Data Cloud Setup shows it)",
        )
    if exc.status == 403 or exc.error == wire.ACCESS_DENIED:
        return _error(exc, "no_data_cloud_permission", f"the user may not use Data Cloud: {_FIX_PERMISSION}")
    return _error(
        exc, "unauthorised", "log in again; if it persists check the app's scopes and the user's permission set"
    )


def missing_scopes(granted: str | None) -> list[str]:
    """The query scopes a login's ``scope`` answer lacks (none when Salesforce did not say)."""
    if granted is None:
        return []
    have = set(granted.split())
    for alias, implied in wire.SCOPE_ALIASES.items():
        if alias in have:
            have.update(implied)
    return [scope for scope in wire.QUERY_SCOPES if scope not in have]


def scopes_error(missing: list[str]) -> OperationalError:
    return OperationalError(
        f"the login worked but its token lacks the scope(s) {', '.join(missing)}, so no Data Cloud query "
        f"can run: {_FIX_SCOPES}",
        reason="missing_scope",
    )


def _error(exc: OAuthError, reason: str, fix: str) -> OperationalError:
    return OperationalError(f"{exc.message}; {fix}", status=exc.status, request_id=exc.request_id, reason=reason)
