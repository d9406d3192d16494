"""``cdpdb serve --backend adobe``: the local Adobe in its own process, reachable with what it prints."""

from __future__ import annotations

import signal
import subprocess
import sys

import cdpdb
from cdpdb.backends.adobe.local.dataset import identity
from tests.conftest import ISSUED_SECRETS


def test_serve_prints_what_a_client_needs():
    process = subprocess.Popen(
        [sys.executable, "-m", "cdpdb.cli", "serve", "--backend", "adobe", "--scale", "50", "--seed", "9"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        printed: dict[str, str] = {}
        assert process.stdout is not None
        for line in process.stdout:
            parts = line.split()
            if line.startswith("  ") and len(parts) >= 2:
                printed[" ".join(parts[:-1])] = parts[-1]
            if line.startswith("Press Ctrl-C"):
                break
        ISSUED_SECRETS.add(printed["client_secret"])
        assert printed["sandboxes"] == "prod,dev" and printed["platform URL"] == printed["IMS URL"]
        with cdpdb.connect(
            backend="adobe",
            platform_url=printed["platform URL"],
            ims_url=printed["IMS URL"],
            client_id=printed["client_id"],
            client_secret=printed["client_secret"],
            org_id=printed["org_id"],
            ca_bundle=printed["CA certificate"],
        ) as conn:
            cursor = conn.cursor()
            wanted = identity("email", 50, "prod")
            cursor.execute(f"SELECT identity FROM profiles WHERE namespace = 'email' AND identity = '{wanted}'")
            assert cursor.fetchall() == [(wanted,)]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert process.returncode == 0
