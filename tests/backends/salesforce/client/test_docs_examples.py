"""The examples of docs/datacloud-apis.md run as written, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).parents[4] / "docs" / "datacloud-apis.md"


def test_every_python_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 6
    namespace: dict = {}
    try:
        for number, block in enumerate(blocks):
            exec(compile(block, f"{DOC.name}[{number}]", "exec"), namespace)
        assert len(namespace["germans"]) > 10 and namespace["emails"] is not None
        assert (
            len(namespace["first"]) + len(namespace["rest"])
            == namespace["cur"]
            .connection.cursor()
            .execute('SELECT COUNT(*) FROM "ssot__SalesOrder__dlm"')
            .fetchone()[0]
        )
    finally:
        if "cloud" in namespace:
            namespace["cloud"].close()
