"""connect(sf_org=...) with a stand-in `sf` executable on PATH that prints what the Salesforce CLI
documents for `sf org display --target-org ALIAS --json`, holding a real token of the local Data
Cloud; and the errors for a missing `sf`, an unknown alias and an expired session."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

import cdpdb

STAND_IN = """#!{python}
import json, sys
from pathlib import Path
here = Path(__file__).parent
with open(here / "calls.log", "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
args = sys.argv[1:]
alias = args[args.index("--target-org") + 1]
orgs = json.loads((here / "orgs.json").read_text())
if alias not in orgs:
    print(json.dumps({{"status": 1, "name": "NamedOrgNotFoundError",
                      "message": "No authorization information found for " + alias + ".", "exitCode": 1}}))
    sys.exit(1)
warning = "This command will expose sensitive information"
print(json.dumps({{"status": 0, "result": orgs[alias], "warnings": [warning]}}))
"""


def org(cloud, access_token: str, **change) -> dict:
    return {
        "id": "00DLC0000000001AAA",
        "apiVersion": "64.0",
        "accessToken": access_token,
        "instanceUrl": cloud.login_url,
        "username": cloud.credentials.username,
        "clientId": "PlatformCLI",
        "connectedStatus": "Connected",
        "alias": "myorg",
        **change,
    }


@pytest.fixture
def sf(tmp_path, monkeypatch):
    """A folder on PATH with the stand-in `sf`; ``sf(orgs)`` sets what it knows."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "sf"
    script.write_text(STAND_IN.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")

    def know(orgs: dict) -> Path:
        (folder / "orgs.json").write_text(json.dumps(orgs))
        return folder / "calls.log"

    return know


@pytest.mark.parametrize("api_name", ["v3", "connect"])
def test_a_salesforce_cli_login_is_reused(cloud, api, sf, api_name):
    calls = sf({"myorg": org(cloud, api.core_token())})
    with cdpdb.connect(sf_org="myorg", ca_bundle=cloud.ca_path, api=api_name) as conn:
        assert conn.settings.auth == "sf_org"
        cur = conn.cursor()
        cur.execute('SELECT count(*) FROM "ssot__Individual__dlm"')
        assert cur.fetchone() == (1000,)
    assert json.loads(calls.read_text().splitlines()[0]) == ["org", "display", "--target-org", "myorg", "--json"]


def test_several_connections_share_one_cli_login(cloud, api, sf):
    c = cloud.credentials
    token = api.http.post(
        f"{cloud.login_url}/services/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": c.client_id, "client_secret": c.client_secret},
        timeout=30,
    ).json()["access_token"]
    sf({"myorg": org(cloud, token)})
    for _ in range(2):
        with cdpdb.connect(sf_org="myorg", ca_bundle=cloud.ca_path) as conn:
            conn.cursor().execute("SELECT 1")


def test_the_cli_token_is_not_revoked(cloud, api, sf):
    token = api.core_token()
    sf({"myorg": org(cloud, token)})
    cdpdb.connect(sf_org="myorg", ca_bundle=cloud.ca_path).close()
    assert cloud.identity.core_session(token) is not None  # sf's login keeps working


def test_an_unknown_alias_says_how_to_log_in(sf):
    sf({})
    with pytest.raises(cdpdb.OperationalError) as caught:
        cdpdb.connect(sf_org="nope")
    assert caught.value.reason == "sf_unknown_org" and "sf org login web --alias nope" in str(caught.value)


def test_an_expired_cli_session_says_to_log_in_again(cloud, sf):
    sf({"myorg": org(cloud, "00Dexpired", connectedStatus="RefreshTokenAuthError")})
    with pytest.raises(cdpdb.OperationalError) as caught:
        cdpdb.connect(sf_org="myorg")
    assert caught.value.reason == "sf_session_expired" and "sf org login web" in str(caught.value)
    assert caught.value.status is None  # told by sf itself, before any call to Salesforce


def test_a_token_salesforce_refuses_says_to_log_in_again(cloud, sf):
    sf({"myorg": org(cloud, "00DLC0000000001AAA!not-a-session")})
    with pytest.raises(cdpdb.OperationalError) as caught:
        cdpdb.connect(sf_org="myorg", ca_bundle=cloud.ca_path)
    assert caught.value.reason == "sf_session_expired" and "sf org login web --alias myorg" in str(caught.value)
    assert "not-a-session" not in str(caught.value)


def test_no_sf_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(cdpdb.OperationalError) as caught:
        cdpdb.connect(sf_org="myorg")
    assert caught.value.reason == "sf_not_found" and "not on PATH" in str(caught.value)


def test_sf_org_and_other_credentials_conflict():
    with pytest.raises(cdpdb.ProgrammingError, match="conflicting"):
        cdpdb.connect(sf_org="myorg", token="t", tenant_url="x")
