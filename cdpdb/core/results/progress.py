"""An optional progress bar for fetches (tqdm, when installed and asked for)."""

from __future__ import annotations

import pyarrow as pa


class Progress:
    """An optional tqdm bar counting rows and bytes of a fetch."""

    def __init__(self, enabled: bool, total: int | None, what: str) -> None:
        self._bar = None
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                return
            self._bar = tqdm(total=total, unit=" rows", unit_scale=True, desc=what, leave=False)
        self._bytes = 0

    def update(self, page: pa.Table) -> None:
        if self._bar is not None:
            self._bytes += page.nbytes
            self._bar.set_postfix_str(f"{self._bytes / 1e6:,.0f} MB", refresh=False)
            self._bar.update(page.num_rows)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
