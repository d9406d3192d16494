"""Round trips on the caller's path (issue #20): the login's token shared by the connections of
a process, the core token revoked in the background, a warm query in one request, and a V3
result of one chunk that keeps its inline rows. Requests are counted by the local Data Cloud."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import stat
import subprocess
import sys

import pytest

import cdpdb
from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.auth import login_key
from cdpdb.backends.salesforce.settings import Settings
from cdpdb.core.auth import PROCESS_TOKENS
from cdpdb.local.faults import Fault

ENGAGEMENT = 'SELECT * FROM "ssot__EmailEngagement__dlm" ORDER BY "ssot__Id__c"'


def requests_during(cloud, action) -> tuple[int, object]:
    before = cloud.faults.stats.get("requests", 0)
    value = action()
    return cloud.faults.stats.get("requests", 0) - before, value


def reference(api, sql: str) -> list[tuple]:
    return [tuple(row.values()) for row in api.hyper(sql).to_pylist()]


def test_a_second_connection_with_the_same_login_makes_no_request(cloud):
    first = cdpdb.connect(**cloud.connect_args())
    first.session.chores.settle()
    spent, second = requests_during(cloud, lambda: cdpdb.connect(**cloud.connect_args()))
    assert spent == 0 and second.session.tokens.logins == 0
    assert second.cursor().execute('SELECT count(*) FROM "ssot__Individual__dlm"').fetchone() == (1000,)
    first.close()
    second.close()


def test_token_cache_off_logs_in_for_every_connection(cloud):
    for _ in range(2):
        spent, conn = requests_during(cloud, lambda: cdpdb.connect(**cloud.connect_args(token_cache="off")))
        conn.close()  # waits for the revoke, so it is counted with this connection
        assert conn.session.tokens.logins == 1
        assert spent >= 2  # the token grant and the a360 exchange at least


def test_other_credentials_never_get_the_shared_token(cloud):
    cdpdb.connect(**cloud.connect_args()).close()
    with pytest.raises(cdpdb.OperationalError):
        cdpdb.connect(**cloud.connect_args(password="not-the-password"))


@pytest.mark.parametrize(
    "field, other",
    [
        ("login_url", "https://other.example.com"),
        ("auth", "client_credentials"),
        ("api", "connect"),
        ("dataspace", "sales"),
        ("client_id", "other-app"),
        ("username", "someone@else"),
        ("password", "other"),
        ("client_secret", "other"),
        ("refresh_token", "other"),
        ("sf_org", "other"),
    ],
)
def test_the_shared_token_key_covers_every_part_of_a_login(field, other):
    """A unit test of a pure function: any change to what a token depends on changes the key,
    and the key holds no secret."""
    base = Settings(login_url="https://login.example.com", username="u", password="p", client_id="c", client_secret="s")
    changed = dataclasses.replace(base, **{field: other})
    assert login_key(changed) != login_key(base)
    assert len(login_key(base)) == 64 and set(login_key(base)) <= set("0123456789abcdef")  # a digest


def test_a_refused_shared_token_is_replaced_once_for_every_connection(cloud):
    cdpdb.connect(**cloud.connect_args()).close()
    cloud.expire_tokens()
    second = cdpdb.connect(**cloud.connect_args())  # takes the shared token: the server refuses it
    assert second.session.tokens.logins == 0
    assert second.cursor().execute("SELECT 1").fetchone() == (1,)
    assert second.session.tokens.logins == 1  # logged in again after the 401
    third = cdpdb.connect(**cloud.connect_args())
    assert third.cursor().execute("SELECT 1").fetchone() == (1,)
    assert third.session.tokens.logins == 0  # the second connection's new token, shared
    second.close()
    third.close()


def test_the_core_token_is_revoked_off_the_connect_path(cloud):
    sessions = cloud.identity._sessions
    before = set(sessions)
    slow_revoke = Fault(kind="delay", seconds=1.0, path=f"^{wire.REVOKE_PATH}$", count=-1)
    with cloud.faults.inject(slow_revoke):
        conn = cdpdb.connect(**cloud.connect_args(token_cache="off"))
        assert len(set(sessions) - before) == 1  # connect() returned while the revoke was on its way
        conn.close()  # ... and close() let it finish
    assert set(sessions) == before


def test_a_warm_v3_query_is_one_request(api, cloud, connect):
    conn = connect()
    conn.session.chores.settle()
    cur = conn.cursor()
    spent, rows = requests_during(cloud, lambda: cur.execute(ENGAGEMENT).fetchall())
    assert spent == 1
    assert rows == reference(api, ENGAGEMENT) and len(rows) == 5000


def test_a_one_chunk_v3_result_keeps_its_inline_rows_and_reads_the_rest_by_offset(api, cloud, connect):
    conn = connect()
    conn.session.chores.settle()
    cur = conn.cursor()
    with cloud.faults.inject(Fault(status=503, path=r"/api/v3/query/[^/]+/rows$", count=1), page_rows=700):
        spent, rows = requests_during(cloud, lambda: cur.execute(ENGAGEMENT).fetchall())
    assert rows == reference(api, ENGAGEMENT)
    # the inline 700 rows, then /rows pages of 700 from row 700 (one retried after the 503);
    # reading chunk 0 instead would have been 2 requests with the inline rows read twice
    assert spent == 1 + math.ceil((5000 - 700) / 700) + 1


def test_a_larger_result_keeps_its_inline_rows_and_reads_the_rest_in_chunk_sized_pieces(api, cloud, connect):
    conn = connect(max_workers=4)
    conn.session.chores.settle()
    cur = conn.cursor()
    chunk_reads = Fault(status=500, path=r"/chunks/", count=-1)  # never asked for: would fail the read
    with cloud.faults.inject(chunk_reads, page_rows=700, v3_chunk_rows=1000):
        spent, rows = requests_during(cloud, lambda: cur.execute(ENGAGEMENT).fetchall())
    assert rows == reference(api, ENGAGEMENT)
    # 700 inline rows; then [700, 1000) in one page and four pieces of 1,000 rows, two pages each
    assert spent == 1 + 1 + 4 * 2


def test_many_downloads_at_once_each_keep_their_connection(api, cloud, connect, caplog):
    """With more workers than requests' default pool (10 connections a host), a download past it
    would close its connection after use and the next one pay a new TLS handshake."""
    conn = connect(max_workers=12)
    conn.session.chores.settle()
    cur = conn.cursor()
    pieces = cloud.faults.inject(page_rows=200, v3_chunk_rows=200)  # 24 pieces after 200 inline rows
    with caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"), pieces:
        rows = cur.execute(ENGAGEMENT).fetchall()
    assert rows == reference(api, ENGAGEMENT)
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]


def test_a_larger_connect_result_reads_its_pages_by_offset_all_at_once(api, cloud, connect):
    """Connect pages after the first are read by offset, max_workers at once (no page waits for the
    one before, as a chain would): every row once, in order, one retried page included."""
    conn = connect(api="connect", max_workers=4)
    conn.session.chores.settle()
    cur = conn.cursor()
    with cloud.faults.inject(Fault(status=503, path=r"/ssot/query-sql/[^/]+/rows$", count=1), page_rows=700):
        spent, rows = requests_during(cloud, lambda: cur.execute(ENGAGEMENT).fetchall())
    assert rows == reference(api, ENGAGEMENT)
    # the query with its first 700 rows; [700, 1260) and pieces of 630 (9/10 of a page), 1 retried
    assert spent == 1 + 1 + math.ceil((5000 - 1260) / 630) + 1
    # at once: with 50 ms per request the server sees several in flight (a chain: one at a time)
    cloud.faults.stats["most_at_once"] = 0
    with cloud.faults.inject(page_rows=700, latency_ms=50):
        assert cur.execute(ENGAGEMENT).fetchall() == rows
    assert cloud.faults.stats["most_at_once"] >= 3


def test_a_connect_page_the_server_cuts_short_is_continued(api, cloud, connect):
    """Rows growing in size under a byte limit per page: the pieces sized by the first page need
    several pages each later on; each is continued from where the server stopped."""
    sql = "SELECT n, repeat('x', n) AS pad FROM generate_series(1, 3000) AS s(n) ORDER BY n"
    expected = reference(api, sql)
    cur = connect(api="connect", max_workers=3).cursor()
    with cloud.faults.inject(connect_page_bytes=200_000):
        spent, rows = requests_during(cloud, lambda: cur.execute(sql).fetchall())
    assert rows == expected and len(rows) == 3000
    first_page = math.isqrt(2 * 200_000)  # about: the sizes 1 … n sum to n²/2
    assert spent > 1 + math.ceil((3000 - first_page) / first_page)  # more pages than pieces


STORE_CLIENT = """
import json, sys
import cdpdb
conn = cdpdb.connect(**json.loads(sys.argv[1]))
print(conn.cursor().execute("SELECT 1").fetchone()[0], conn.session.tokens.logins)
conn.close()
"""


def test_token_cache_store_lets_the_next_process_skip_the_login(cloud, tmp_path):
    args = cloud.connect_args(token_cache="store", token_store="file", token_dir=str(tmp_path))

    def process() -> str:
        done = subprocess.run(
            [sys.executable, "-c", STORE_CLIENT, json.dumps(args)], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    first, second = requests_during(cloud, process), requests_during(cloud, process)
    assert first[1] == ["1", "1"] and first[0] >= 3  # logged in: token, exchange (and revoke), query
    assert second[1] == ["1", "0"] and second[0] == 1  # the query alone
    kept = tmp_path / "refresh-tokens.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert all(secret not in kept.read_text() for secret in (args["password"], args["client_secret"]))


def test_a_kept_token_the_server_refuses_is_replaced(cloud, tmp_path):
    args = cloud.connect_args(token_cache="store", token_store="file", token_dir=str(tmp_path))
    cdpdb.connect(**args).close()
    kept = (tmp_path / "refresh-tokens.json").read_text()
    PROCESS_TOKENS.clear()  # as a new process
    cloud.expire_tokens()
    conn = cdpdb.connect(**args)
    assert conn.session.tokens.logins == 0  # took the kept token ...
    assert conn.cursor().execute("SELECT 1").fetchone() == (1,)
    assert conn.session.tokens.logins == 1  # ... which was refused: logged in again
    conn.close()
    assert (tmp_path / "refresh-tokens.json").read_text() != kept  # and the new one is kept
