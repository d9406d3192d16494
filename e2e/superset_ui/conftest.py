"""Fixtures of the Superset browser test: a local Data Cloud, a fresh Superset on a free port, and
a headless Chromium logged in to it. Run by ``.ci/superset`` inside ``.venv-superset``.

Everything is started here and stopped at the end; Superset's metadata lives in a temporary
folder, so each run starts from an empty Superset (the script is idempotent).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from cdpdb.backends.salesforce.local.cloud import LocalDataCloud, serve

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("CDPDB_E2E_ARTIFACTS", ROOT / "artifacts" / "superset"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
SUPERSET = Path(sys.executable).with_name("superset")


@dataclass
class Superset:
    url: str
    username: str
    password: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run(args, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args[:3])} failed ({done.returncode}); see {log}")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def cloud() -> Iterator[LocalDataCloud]:
    with serve(scale=1000, seed=42) as instance:
        yield instance


@pytest.fixture(scope="session")
def cdp_url(cloud: LocalDataCloud) -> str:
    """The URL a user types into Superset for a running ``cdpdb serve`` (the secret is in
    Superset's environment, CDPDB_CLIENT_SECRET, not in the URL)."""
    creds = cloud.credentials
    host, port = cloud.login_url.split("://", 1)[1].split(":")
    user = urllib.parse.quote(creds.username, safe="")
    password = urllib.parse.quote(creds.password, safe="")
    query = urllib.parse.urlencode({"scheme": "http", "client_id": creds.client_id, "ca_bundle": cloud.ca_path})
    return f"cdp://{user}:{password}@{host}:{port}/default?{query}"


@pytest.fixture(scope="session")
def cdp_engine(cloud: LocalDataCloud, cdp_url: str, monkeypatch_session) -> Iterator[sa.engine.Engine]:
    """The same URL through cdpdb in this process: the expected numbers come from here."""
    monkeypatch_session.setenv("CDPDB_CLIENT_SECRET", cloud.credentials.client_secret)
    engine = sa.create_engine(cdp_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def monkeypatch_session() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="session")
def superset(cloud: LocalDataCloud, artifacts: Path) -> Iterator[Superset]:
    home = Path(tempfile.mkdtemp(prefix="cdpdb-superset-"))
    config = home / "superset_config.py"
    config.write_text(
        f"SECRET_KEY = {secrets.token_urlsafe(42)!r}\n"
        f"SQLALCHEMY_DATABASE_URI = {'sqlite:///' + str(home / 'superset.db')!r}\n"
        "TALISMAN_ENABLED = False\n"
        "CONTENT_SECURITY_POLICY_WARNING = False\n"
    )
    env = {
        **os.environ,
        "SUPERSET_HOME": str(home),
        "SUPERSET_CONFIG_PATH": str(config),
        "FLASK_APP": "superset.app:create_app()",
        # The client secret of the local Data Cloud, as docs/superset.md tells users to pass it.
        "CDPDB_CLIENT_SECRET": cloud.credentials.client_secret,
    }
    log = artifacts / "superset.log"
    password = secrets.token_urlsafe(16)
    started = time.monotonic()
    _run([str(SUPERSET), "db", "upgrade"], env, log)
    admin = ["--username", "admin", "--firstname", "Ada", "--lastname", "Admin", "--email", "admin@example.com"]
    _run([str(SUPERSET), "fab", "create-admin", *admin, "--password", password], env, log)
    _run([str(SUPERSET), "init"], env, log)
    port = _free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(SUPERSET), "run", "-h", "127.0.0.1", "-p", str(port), "--with-threads"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        print(f"\nSuperset ready in {time.monotonic() - started:.0f} s at {url}")
        yield Superset(url, "admin", password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(home, ignore_errors=True)


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"superset run exited with {process.returncode}; see artifacts/superset/superset.log")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"Superset did not answer on {url}/health within 180 s")


@pytest.fixture(scope="session")
def browser(superset: Superset) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1600,1200"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(2)
    yield driver
    driver.quit()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A screenshot of the page when a step fails: what the browser showed is the evidence."""
    outcome = yield
    report = outcome.get_result()
    driver = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and driver is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / f"FAILED-{item.name}.png"))
