"""Reusing a Salesforce CLI login: ``sf org display --target-org ALIAS --json`` gives the org's
access token (``result.accessToken``) and instance URL (``result.instanceUrl``), refreshed by
``sf`` itself, so no secret is typed twice. The output carries a token: it is parsed, never
logged or put in an error.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from dataclasses import dataclass

from cdpdb.backends.salesforce import wire
from cdpdb.exceptions import OperationalError

log = logging.getLogger(__name__)

#: ``name`` values of the CLI's JSON errors that mean "no such alias or username".
UNKNOWN_ORG_ERRORS = frozenset({"NamedOrgNotFoundError", "NamedOrgNotFound", "NoAuthInfoFound", "NoOrgFound"})
#: ... and that mean "the stored login no longer works".
EXPIRED_ERRORS = frozenset({"RefreshTokenAuthError", "AuthInfoExpired", "INVALID_SESSION_ID", "expired"})
CONNECTED = "Connected"  # ``result.connectedStatus`` of a working login
TIMEOUT = 60.0


@dataclass(frozen=True)
class SfLogin:
    access_token: str
    instance_url: str
    username: str | None

    def __repr__(self) -> str:
        return f"SfLogin(instance_url={self.instance_url!r}, username={self.username!r}, ...)"


def org_display(alias: str, timeout: float = TIMEOUT) -> SfLogin:
    """Run ``sf org display`` for ``alias`` and return its login, or say what to do."""
    executable = shutil.which(wire.SF_EXECUTABLE)
    if executable is None:
        raise OperationalError(
            "sf_org needs the Salesforce CLI, but 'sf' is not on PATH: install it "
            "(https://developer.salesforce.com/tools/salesforcecli) and log in with "
            f"'sf org login web --alias {alias}'",
            reason="sf_not_found",
        )
    command = [executable, *wire.sf_org_display(alias)[1:]]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise OperationalError(
            f"'sf org display --target-org {alias}' did not answer within {timeout:g} s", reason="sf_failed"
        ) from None
    try:
        answer = json.loads(run.stdout)
    except ValueError:
        raise OperationalError(
            f"'sf org display --target-org {alias} --json' did not print JSON (exit status {run.returncode}); "
            "update the Salesforce CLI (sf update)",
            reason="sf_failed",
        ) from None
    if not isinstance(answer, dict):
        answer = {}
    result = answer.get("result") if isinstance(answer.get("result"), dict) else {}
    name = str(answer.get("name") or "")
    if run.returncode != 0 or answer.get("status") not in (0, None):
        if name in UNKNOWN_ORG_ERRORS:
            raise OperationalError(
                f"the Salesforce CLI knows no org {alias!r}: log in with 'sf org login web --alias {alias}' "
                "(or list the known ones with 'sf org list')",
                reason="sf_unknown_org",
            )
        if name in EXPIRED_ERRORS:
            raise _expired(alias)
        raise OperationalError(
            f"'sf org display --target-org {alias}' failed ({name or 'exit status ' + str(run.returncode)}); "
            f"run it yourself to see why",
            reason="sf_failed",
        )
    status = result.get("connectedStatus")
    if status is not None and status != CONNECTED:
        raise _expired(alias, str(status))
    token, instance = result.get("accessToken"), result.get("instanceUrl")
    if not token or not instance:
        raise OperationalError(
            f"'sf org display --target-org {alias} --json' gave no accessToken and instanceUrl; update the "
            "Salesforce CLI (sf update)",
            reason="sf_failed",
        )
    log.debug("reusing the Salesforce CLI login of %s", alias)
    return SfLogin(str(token), str(instance).rstrip("/"), result.get("username"))


def _expired(alias: str, status: str = "expired") -> OperationalError:
    return OperationalError(
        f"the Salesforce CLI's login to {alias!r} no longer works ({status}): log in again with "
        f"'sf org login web --alias {alias}'",
        reason="sf_session_expired",
    )
