"""One local Data Cloud per test session; every test talks HTTP to it."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys

import pytest
import requests

from cdpdb.core.auth import PROCESS_TOKENS
from cdpdb.local import serve

# A shell starts background jobs with SIGINT ignored, and children inherit an ignored signal: tests
# that stop a child with Ctrl-C (SIGINT) would then see it carry on. Handled here, children get it.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

CDP_GRANT = "urn:salesforce:grant-type:external:cdp"
TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


class Api:
    """Raw HTTP access to a local Data Cloud, the way any client would log in and call it."""

    def __init__(self, cloud) -> None:
        self.cloud = cloud
        self.http = requests.Session()
        self.http.trust_env = False  # the machine's CA bundle variables would override ``verify``
        self.http.verify = cloud.ca_path

    def password_grant(self, **change) -> dict:
        """The form fields of a password-flow token request, with ``change`` applied."""
        creds = self.cloud.credentials
        return {
            "grant_type": "password",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "username": creds.username,
            "password": creds.password,
            **change,
        }

    def core_token(self, **extra) -> str:
        fields = self.password_grant(**extra)
        answer = self.http.post(f"{self.cloud.login_url}/services/oauth2/token", data=fields, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()["access_token"]

    def dc_token(self, dataspace: str | None = None) -> str:
        fields = {"grant_type": CDP_GRANT, "subject_token_type": TOKEN_TYPE, "subject_token": self.core_token()}
        if dataspace:
            fields["dataspace"] = dataspace
        answer = self.http.post(f"{self.cloud.login_url}/services/a360/token", data=fields, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()["access_token"]

    def direct(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.dc_token()}", **kwargs.pop("headers", {})}
        return self.http.request(
            method, f"{self.cloud.tenant_url}{path}", headers=headers, timeout=60, verify=self.cloud.ca_path, **kwargs
        )

    def connect(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.core_token()}", **kwargs.pop("headers", {})}
        url = f"{self.cloud.login_url}/services/data/v64.0/ssot/query-sql{path}"
        return self.http.request(method, url, headers=headers, timeout=60, **kwargs)

    def hyper(self, sql: str, dataspace: str = "default"):
        """What Hyper itself returns for ``sql`` (the reference every API is compared with)."""
        return self.cloud.engine.query_arrow(dataspace, sql)


class _Recorder(logging.Handler):
    """Every log record of the session, at DEBUG, for the secrets sweep (tests/test_zz_secrets.py)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


LOG_RECORDER = _Recorder()
ISSUED_SECRETS: set[str] = set()


@pytest.fixture(scope="session", autouse=True)
def _record_debug_logs():
    root = logging.getLogger()
    level = root.level
    root.addHandler(LOG_RECORDER)
    root.setLevel(logging.DEBUG)
    for noisy in ("hypothesis", "urllib3.connectionpool", "asyncio", "matplotlib", "psycopg"):
        logging.getLogger(noisy).setLevel(logging.INFO)
    yield
    root.removeHandler(LOG_RECORDER)
    root.setLevel(level)


def _recording(identity):
    """Remember every token the server issues, so the sweep can look for them."""
    grant, exchange = identity.grant, identity.exchange

    def recorded_grant(*args, **kwargs):
        token, user = grant(*args, **kwargs)
        ISSUED_SECRETS.add(token)
        session = identity.core_session(token)
        if session is not None and session.refresh_token:  # a browser login's refresh token
            ISSUED_SECRETS.add(session.refresh_token)
        return token, user

    def recorded_exchange(*args, **kwargs):
        token = exchange(*args, **kwargs)
        ISSUED_SECRETS.add(token)
        return token

    identity.grant, identity.exchange = recorded_grant, recorded_exchange


@pytest.fixture(scope="session")
def cloud():
    with serve(scale=1000, seed=7) as instance:
        _recording(instance.identity)
        creds = instance.credentials
        ISSUED_SECRETS.update({creds.password, creds.client_secret, creds.refresh_token})
        yield instance


@pytest.fixture(scope="session")
def server_process():
    """``cdpdb serve`` in its own process, so that threads, descriptors and memory counted in a
    test are the client's alone. Yields the connect() arguments and the admin key."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cdpdb.cli", "serve", "--scale", "1000"], stdout=subprocess.PIPE, text=True
    )
    printed: dict[str, str] = {}
    for line in process.stdout:
        parts = line.split()
        if len(parts) >= 2 and line.startswith("  "):
            printed[" ".join(parts[:-1])] = parts[-1]
        if line.startswith("Dataspaces"):
            break
    args = {
        "login_url": printed["login URL"],
        "ca_bundle": printed["CA certificate"],
        "username": printed["username"],
        "password": printed["password"],
        "client_id": printed["client_id"],
        "client_secret": printed["client_secret"],
    }
    yield args, printed["admin header X-Cdpdb-Admin:"]
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)


@pytest.fixture(autouse=True)
def _clean_faults(request):
    """Faults a test planted on the shared local Data Cloud end with it. Tests that do not use
    the cloud (the fast unit layer) do not start it."""
    yield
    if "cloud" in request.fixturenames:
        request.getfixturevalue("cloud").faults.clear()


#: The requests that read a V3 result after the query's own answer: chunks (ASYNC, by query id)
#: and rows by offset (the rest of an ADAPTIVE answer). A fault meant for "the second page" hits both.
V3_READS = r"/api/v3/query/[^/]+/(chunks/\d+|rows)$"


@pytest.fixture(autouse=True)
def _fresh_process_tokens():
    """Each test starts as a new process would: no login token shared from an earlier test
    (tests of the sharing itself connect more than once within one test)."""
    PROCESS_TOKENS.clear()


@pytest.fixture(scope="session")
def api(cloud) -> Api:
    return Api(cloud)


@pytest.fixture
def token(api) -> str:
    """A fresh Data Cloud token per test: some tests expire every token issued so far."""
    return api.dc_token()


APIS = ["v3", "v2", "v1", "connect"]


@pytest.fixture
def connect(cloud):
    """``connect(**overrides)``: a cdpdb connection to the session's local Data Cloud."""
    import cdpdb

    opened = []

    def make(**overrides):
        conn = cdpdb.connect(**cloud.connect_args(**overrides))
        opened.append(conn)
        return conn

    yield make
    for conn in opened:
        conn.close()


def pytest_terminal_summary(terminalreporter):
    """Print the fault matrix when its tests ran."""
    from tests.backends.salesforce.client.test_fault_matrix import FAULTS, MATRIX, PAGES

    if all(value.startswith("n/a") for value in MATRIX.values()):
        return
    write = terminalreporter.write_line
    write("")
    write("Fault matrix (API x fault: outcome, time):")
    write("| fault | " + " | ".join(PAGES) + " |")
    write("|---|" + "---|" * len(PAGES))
    for fault in FAULTS:
        write(f"| {fault} | " + " | ".join(MATRIX.get((api, fault), "-") for api in PAGES) + " |")
