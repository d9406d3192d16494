"""The browser login end to end: connect(auth="browser") and `cdpdb login` against the local Data
Cloud's /services/oauth2/authorize, a stand-in browser that follows the redirect with plain HTTP
to the loopback listener, the refresh token kept (0600 file) and reused silently, `cdpdb logout`."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import webbrowser

import pytest
import requests
from click.testing import CliRunner

import cdpdb
from cdpdb.backends.salesforce import browser
from cdpdb.cli import main

PORT_0 = "http://127.0.0.1:0/callback"


class FollowingBrowser(webbrowser.BaseBrowser):
    """A browser without a screen: GET the login URL and follow every redirect, as a browser
    would after the user approves. Counts how often it was opened."""

    def __init__(self, ca_path: str) -> None:
        super().__init__("cdpdb-test-browser")
        self.ca_path, self.opened, self.answers = ca_path, 0, []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened += 1
        answer = requests.get(url, verify=self.ca_path, timeout=30)
        self.answers.append(answer)
        return True


@pytest.fixture
def follower(cloud):
    stand_in = FollowingBrowser(cloud.ca_path)
    webbrowser.register("cdpdb-test-browser", None, stand_in, preferred=True)
    yield stand_in
    webbrowser._tryorder.remove("cdpdb-test-browser")  # the registry has no public unregister
    del webbrowser._browsers["cdpdb-test-browser"]


def browser_args(cloud, tmp_path, **extra) -> dict:
    return {
        "auth": "browser",
        "login_url": cloud.login_url,
        "client_id": cloud.credentials.client_id,
        "ca_bundle": cloud.ca_path,
        "callback_url": PORT_0,
        "token_store": "file",
        "token_dir": str(tmp_path),
        "login_timeout": 30,
        "token_cache": "off",  # each connect() logs in as a new process would (no token shared in-process)
        **extra,
    }


def test_browser_login_then_silent_reuse_then_logout(cloud, tmp_path, follower):
    with cdpdb.connect(**browser_args(cloud, tmp_path)) as conn:
        cur = conn.cursor()
        cur.execute('SELECT count(*) FROM "ssot__Individual__dlm"')
        assert cur.fetchone() == (1000,)
    assert follower.opened == 1 and follower.answers[0].status_code == 200
    kept = tmp_path / "refresh-tokens.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert cloud.credentials.refresh_token not in kept.read_text()  # a token of its own, not the demo's

    with cdpdb.connect(**browser_args(cloud, tmp_path)) as conn:  # silently: no browser
        conn.cursor().execute("SELECT 1")
    assert follower.opened == 1

    result = CliRunner().invoke(
        main,
        [
            *("logout", "--login-url", cloud.login_url, "--client-id", cloud.credentials.client_id),
            *("--token-store", "file", "--token-dir", str(tmp_path), "--ca-bundle", cloud.ca_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "revoked and removed" in result.output
    with cdpdb.connect(**browser_args(cloud, tmp_path)) as conn:  # forgotten: the browser again
        conn.cursor().execute("SELECT 1")
    assert follower.opened == 2


def test_a_revoked_refresh_token_falls_back_to_the_browser(cloud, tmp_path, follower):
    cdpdb.connect(**browser_args(cloud, tmp_path)).close()
    kept = (tmp_path / "refresh-tokens.json").read_text()
    refresh = next(iter(__import__("json").loads(kept).values()))
    assert cloud.identity.revoke(refresh)
    with cdpdb.connect(**browser_args(cloud, tmp_path)) as conn:
        conn.cursor().execute("SELECT 1")
    assert follower.opened == 2
    assert refresh not in (tmp_path / "refresh-tokens.json").read_text()


def test_a_store_other_users_can_read_is_refused(cloud, tmp_path, follower):
    cdpdb.connect(**browser_args(cloud, tmp_path)).close()
    os.chmod(tmp_path / "refresh-tokens.json", 0o644)
    with pytest.raises(cdpdb.InterfaceError, match="chmod 600"):
        cdpdb.connect(**browser_args(cloud, tmp_path))


def test_cli_login_keeps_the_login_and_never_prints_a_token(cloud, tmp_path, follower):
    before = set(cloud.identity._refresh)
    result = CliRunner().invoke(
        main,
        [
            *("login", "--login-url", cloud.login_url, "--client-id", cloud.credentials.client_id),
            *("--callback-url", PORT_0, "--token-store", "file", "--token-dir", str(tmp_path)),
            *("--ca-bundle", cloud.ca_path, "--timeout", "30"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Logged in to" in result.output and "/authorize?" in result.output  # the URL, for headless use
    issued = set(cloud.identity._refresh) - before
    assert len(issued) == 1
    assert next(iter(issued)) not in result.output
    assert "code_verifier" not in result.output


def test_login_times_out_with_a_clear_error(cloud, tmp_path):
    with pytest.raises(cdpdb.OperationalError) as caught:
        cdpdb.connect(**browser_args(cloud, tmp_path, open_browser=False, login_timeout=0.5))
    assert caught.value.reason == "login_timeout" and "login_timeout" in str(caught.value)


def test_the_listener_refuses_an_answer_with_another_state():
    listener = browser.listen(PORT_0, "the-state")
    thread = threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        base = browser.redirect_uri_of(listener, PORT_0)
        assert requests.get(f"{base}?code=planted&state=other", timeout=10).status_code == 400
        assert requests.get(base.replace("/callback", "/elsewhere") + "?state=the-state", timeout=10).status_code == 404
        assert listener.answer is None and not listener.arrived.is_set()
        assert requests.get(f"{base}?code=c1&state=the-state", timeout=10).status_code == 200
        assert listener.answer == {"code": "c1", "state": "the-state"}
    finally:
        listener.shutdown()
        listener.server_close()


def test_a_callback_url_that_is_not_loopback_is_refused(cloud, tmp_path):
    with pytest.raises(cdpdb.ProgrammingError, match="loopback"):
        cdpdb.connect(**browser_args(cloud, tmp_path, callback_url="https://example.com/callback"))


def test_ctrl_c_ends_cdpdb_login_cleanly(tmp_path):
    """SIGINT while waiting for the browser: exit 130, a one-line message, the port released."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "cdpdb.cli", "login", "--no-browser", "--login-url", "https://example.invalid"),
            *("--client-id", "cid", "--callback-url", PORT_0, "--token-store", "file", "--token-dir", str(tmp_path)),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    url = ""
    for line in process.stderr:
        if "/services/oauth2/authorize?" in line:
            url = line.strip()
            break
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in url and "code_challenge_method=S256" in url
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "login cancelled" in err and "Traceback" not in err


def test_an_app_without_the_scopes_fails_the_browser_login_with_the_fix(cloud, tmp_path, follower):
    """The authorize step's error comes back through the browser to the listener."""
    with cloud.identity.configured(app_scopes=("api", "cdp_query_api")):
        with pytest.raises(cdpdb.OperationalError) as caught:
            cdpdb.connect(**browser_args(cloud, tmp_path))
    assert caught.value.reason == "missing_scope" and "refresh_token" in str(caught.value)
    assert follower.opened == 1 and follower.answers[0].status_code == 400  # the page says: see the terminal
    assert not (tmp_path / "refresh-tokens.json").exists()


def test_the_login_is_kept_in_the_os_keyring_when_one_is_usable(cloud, tmp_path, follower):
    """keyrings.alt's file keyring stands in for the OS one (this machine has none): a real
    backend of the keyring library, found through keyring.get_keyring() as the OS one would be."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        args = browser_args(cloud, tmp_path, token_store="keyring")
        cdpdb.connect(**args).close()
        cdpdb.connect(**args).close()
        assert follower.opened == 1
        key = f"{cloud.login_url}|{cloud.credentials.client_id}"
        assert backend.get_password("cdpdb", key)
        assert not (tmp_path / "refresh-tokens.json").exists()
        result = CliRunner().invoke(
            main,
            [
                *("logout", "--login-url", cloud.login_url, "--client-id", cloud.credentials.client_id),
                *("--token-store", "keyring", "--ca-bundle", cloud.ca_path),
            ],
        )
        assert result.exit_code == 0 and "PlaintextKeyring" in result.output, result.output
        assert backend.get_password("cdpdb", key) is None
    finally:
        keyring.set_keyring(previous)


def test_token_store_keyring_without_a_usable_keyring_is_a_clear_error(cloud, tmp_path):
    """The keyring library's own "fail" backend is what it picks where no OS keyring exists."""
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        with pytest.raises(cdpdb.InterfaceError, match="token_store='file'"):
            cdpdb.connect(**browser_args(cloud, tmp_path, token_store="keyring"))
    finally:
        keyring.set_keyring(previous)
