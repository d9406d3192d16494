"""The command line as a real process: signals, exit statuses, ``python -m cdpdb``, a missing tqdm.

Each test starts ``python -m cdpdb`` with the test's interpreter. Waits have generous limits only so
a broken build fails instead of hanging; nothing asserts how long anything took.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

import cdpdb
from cdpdb.local import Fault
from tests.conftest import V3_READS

GENEROUS = 120  # seconds before a wait gives up: a hang, not a slow machine


def clean_env(**variables: str) -> dict:
    """The test's environment without the machine's CDPDB_* variables, unbuffered output."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CDPDB_")}
    return {**env, "PYTHONUNBUFFERED": "1", **variables}


def cdpdb_command(*args: str, prelude: str = "") -> list[str]:
    """``python -m cdpdb ARGS``, after running ``prelude`` in the same interpreter when given."""
    if not prelude:
        return [sys.executable, "-m", "cdpdb", *args]
    code = f"{prelude}\nimport runpy, sys\nsys.argv[0] = 'cdpdb'\nrunpy.run_module('cdpdb', run_name='__main__')"
    return [sys.executable, "-c", code, *args]


class Lines:
    """A process's stdout read line by line in a thread, so a wait can give up."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.seen: list[str] = []
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, args=(process.stdout,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def until(self, text: str) -> str:
        """The first line containing ``text``; fails if the output ends or stalls first."""
        deadline = time.monotonic() + GENEROUS
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.seen.append(line)
            if text in line:
                return line
        pytest.fail(f"no line with {text!r} in the output: {self.seen}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, what: str) -> None:
    deadline = time.monotonic() + GENEROUS
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_removes_its_folder_and_keys_on_stop_signals(stop):
    port = free_port()
    process = subprocess.Popen(
        cdpdb_command("serve", "--scale", "100", "--port", str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    try:
        lines = Lines(process)
        login_url = lines.until("login URL").split()[-1]
        assert login_url == f"http://127.0.0.1:{port}"
        folder = Path(lines.until("temp folder").split()[2])
        key_file = Path(lines.until("JWT key file").split()[-1])
        lines.until("Press Ctrl-C to stop")
        assert requests.get(f"{login_url}/openapi.json", timeout=30).status_code == 200
        assert key_file.parent == folder and "PRIVATE KEY" in key_file.read_text()
        assert key_file.stat().st_mode & 0o777 == 0o600  # readable by its owner only
        assert (folder / "server.key").is_file()  # the TLS private key
        process.send_signal(stop)
        assert process.wait(timeout=GENEROUS) == 0, process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not folder.exists()
    assert "Traceback" not in process.stderr.read()


def test_python_m_cdpdb_version():
    done = subprocess.run(cdpdb_command("--version"), capture_output=True, text=True, env=clean_env(), timeout=GENEROUS)
    assert (done.returncode, done.stdout.strip()) == (0, f"cdpdb {cdpdb.__version__}")


def test_export_without_tqdm_says_how_to_get_the_progress_bar(tmp_path):
    target = tmp_path / "people.parquet"
    done = subprocess.run(
        cdpdb_command(
            "export", "--local", "--scale", "50", 'SELECT * FROM "ssot__Individual__dlm"', str(target),
            prelude="import sys; sys.modules['tqdm'] = None  # as if tqdm were not installed",
        ),
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=GENEROUS,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert 'pip install "cdpdb[progress]"' in done.stderr
    assert "wrote 50 rows" in done.stderr and target.is_file()


@pytest.mark.parametrize("workers", ["1", "8"], ids=["serial", "parallel"])
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_export_leaves_no_file(cloud, tmp_path, stop, workers):
    """Ctrl-C or SIGTERM while the export waits for its second chunk: the old code left the first
    chunk's rows as the target (on Ctrl-C a valid Parquet file: the writer closed on the way out).
    With parallel downloads the program ends too, without waiting for the stalled one (the old
    pool's threads were joined at exit: the program hung until the download's timeout)."""
    target = tmp_path / "events.parquet"
    creds = cloud.credentials
    env = clean_env(
        CDPDB_PASSWORD=creds.password,
        CDPDB_CLIENT_SECRET=creds.client_secret,
        CDPDB_CA_BUNDLE=cloud.ca_path,
        CDPDB_MAX_WORKERS=workers,
    )
    args = ["--login-url", cloud.login_url, "--username", creds.username, "--client-id", creds.client_id]
    stalled = Fault(kind="delay", seconds=3 * GENEROUS, count=1, skip=1, path=V3_READS)  # past the wait below
    with cloud.faults.inject(stalled, v3_chunk_rows=1000, page_rows=1000):
        process = subprocess.Popen(
            cdpdb_command("export", "--no-progress", *args, 'SELECT * FROM "ssot__EmailEngagement__dlm"', str(target)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            wait_for(
                lambda: (stalled.count == 0 and any(tmp_path.iterdir())) or process.poll() is not None,
                "the export's file and its request for the second chunk",
            )
            assert process.poll() is None, process.stderr.read()
            process.send_signal(stop)
            assert process.wait(timeout=GENEROUS) != 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert "Traceback" not in process.stderr.read()
    assert list(tmp_path.iterdir()) == []
