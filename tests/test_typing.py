"""``mypy --strict`` holds for the vendor-free core and the public DB-API surface (the files
listed under [tool.mypy] in pyproject.toml), so editors and type checkers see exact types."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_strict_passes_on_the_typed_part(tmp_path):
    from mypy import api

    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path)])
    assert status == 0, out + err
