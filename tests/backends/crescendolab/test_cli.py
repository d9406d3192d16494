"""``cdpdb serve --backend crescendolab``: a local Crescendo Lab in the foreground that a client reaches."""

from __future__ import annotations

import signal
import subprocess
import sys

import cdpdb


def test_serve_the_local_crescendolab_and_import_into_it():
    process = subprocess.Popen(
        [sys.executable, "-m", "cdpdb.cli", "serve", "--backend", "crescendolab"], stdout=subprocess.PIPE, text=True
    )
    try:
        printed: dict[str, str] = {}
        for line in process.stdout:
            parts = line.split()
            if line.startswith("  ") and len(parts) >= 2:
                printed[" ".join(parts[:-1])] = parts[-1]
            if line.startswith("Press Ctrl-C"):
                break
        args = {"base_url": printed["base URL"], "token": printed["token"], "ca_bundle": printed["CA certificate"]}
        with cdpdb.connect(backend="crescendolab", **args) as conn:
            cur = conn.cursor()
            cur.execute("INSERT INTO contacts (line_uid, display_name) VALUES ('U1', 'Served')")
            assert cur.rowcount == 1
            cur.execute("SELECT line_uid, name FROM members")
            assert cur.fetchall() == [("U1", "Served")]
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
