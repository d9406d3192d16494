"""``cdpdb serve --backend NAME``: each backend's emulator from the one command; another backend's
option is refused by name."""

from __future__ import annotations

import signal
import subprocess
import sys

import cdpdb


def test_serve_the_local_treasure_data_and_query_it():
    process = subprocess.Popen(
        [sys.executable, "-m", "cdpdb.cli", "serve", "--backend", "treasuredata", "--scale", "200"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        printed: dict[str, str] = {}
        for line in process.stdout:
            parts = line.split()
            if line.startswith("  ") and len(parts) >= 2:
                printed[" ".join(parts[:-1])] = parts[-1]
            if line.startswith("Press Ctrl-C"):
                break
        args = {
            "site_url": printed["site URL"],
            "apikey": printed["master key"],
            "ca_bundle": printed["CA certificate"],
        }
        with cdpdb.connect(backend="treasuredata", **args) as conn:
            cur = conn.cursor()
            cur.execute("SELECT count(*) FROM profiles_300001")
            assert cur.fetchone() == (200,)
        with cdpdb.connect(backend="treasuredata", trino_host=printed["Trino endpoint"], **args) as conn:
            cur = conn.cursor()  # the same server is TD's Trino endpoint
            cur.execute("SELECT count(*) FROM profiles_300001 WHERE age >= 0 OR age IS NULL")
            assert cur.fetchone() == (200,)
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


def test_an_option_of_another_emulator_is_refused_by_name():
    done = subprocess.run(
        [sys.executable, "-m", "cdpdb.cli", "serve", "--backend", "treasuredata", "--tenant-port", "9000"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--tenant-port is not an option of the treasuredata emulator" in done.stderr


def test_serve_the_local_customerio_and_send_to_it():
    process = subprocess.Popen(
        [sys.executable, "-m", "cdpdb.cli", "serve", "--backend", "customerio"], stdout=subprocess.PIPE, text=True
    )
    try:
        printed: dict[str, str] = {}
        for line in process.stdout:
            parts = line.split()
            if line.startswith("  ") and len(parts) >= 2:
                printed[" ".join(parts[:-1])] = parts[-1]
            if line.startswith("Press Ctrl-C"):
                break
        args = {"base_url": printed["base URL"], "api_key": printed["API key"], "ca_bundle": printed["CA certificate"]}
        with cdpdb.connect(backend="customerio", **args) as conn:
            cur = conn.cursor()
            cur.execute("INSERT INTO track (user_id, event) VALUES ('u1', 'Served')")
            assert cur.rowcount == 1
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
