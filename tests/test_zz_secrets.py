"""The secrets sweep, run last: after the whole suite ran with DEBUG logging recorded, no
password, client secret, refresh token, access token or private key appears in any log line;
objects' reprs and the CLI's output stay clean too."""

from __future__ import annotations

import logging

from click.testing import CliRunner

import cdpdb
from cdpdb.cli import main
from tests.conftest import ISSUED_SECRETS, LOG_RECORDER


def test_no_secret_in_any_log_line_of_the_session(cloud, connect):
    # Make sure this module alone also produces plenty of DEBUG output worth checking.
    for api in ("v3", "v2", "v1", "connect"):
        cur = connect(api=api).cursor()
        cur.execute("SELECT 1")
        cur.fetchall()
    key_body = cloud.credentials.private_key_pem.splitlines()[1]
    secrets = {s for s in ISSUED_SECRETS if s} | {key_body}
    assert len(secrets) > 10  # passwords, secrets, and the many tokens issued during the run
    debug_lines = [line for line in LOG_RECORDER.lines]
    assert any("cdpdb" in line or "->" in line for line in debug_lines)
    leaks = [(secret[:6] + "...", line[:120]) for line in debug_lines for secret in secrets if secret in line]
    assert not leaks


def test_no_secret_in_reprs(cloud, connect):
    conn = connect()
    cur = conn.cursor()
    cur.execute("SELECT 1")
    objects = [
        conn,
        cur,
        conn.settings,
        conn.session.tokens.token(),
        cloud.credentials,
        cloud,
        conn.session.http,
        conn.session.tokens,
    ]
    texts = [repr(o) for o in objects] + [str(o) for o in objects]
    secrets = {s for s in ISSUED_SECRETS if s} | {conn.session.tokens.token().value, "PRIVATE KEY"}
    assert not [t for t in texts for s in secrets if s in t]


def test_no_secret_in_cli_output(monkeypatch):
    monkeypatch.setenv("CDPDB_PASSWORD", "hunter2-very-secret")
    monkeypatch.setenv("CDPDB_CLIENT_SECRET", "client-secret-value")
    result = CliRunner().invoke(
        main, ["-vv", "query", "--login-url", "http://127.0.0.1:9", "--username", "u", "--client-id", "c", "SELECT 1"]
    )
    assert result.exit_code != 0
    for secret in ("hunter2-very-secret", "client-secret-value"):
        assert secret not in result.output
    logging.getLogger().handlers[:] = [h for h in logging.getLogger().handlers if h is LOG_RECORDER]


def test_no_secret_in_exception_messages(cloud):
    try:
        cdpdb.connect(**cloud.connect_args(password="wrong-password-xyz", max_retries=0))
    except cdpdb.OperationalError as exc:
        assert "wrong-password-xyz" not in str(exc) and cloud.credentials.client_secret not in str(exc)
    else:
        raise AssertionError("a wrong password must fail")
