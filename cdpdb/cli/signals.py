"""Stopping cleanly on SIGTERM and SIGHUP, as on Ctrl-C."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """Turn SIGTERM (docker stop, systemd, kill) and SIGHUP (terminal closed) into KeyboardInterrupt.

    Their default action ends Python at once, running no ``finally`` and no ``with`` exit, which left
    the server's temporary folder, private keys included, behind (and half-written exports). A signal
    the parent chose to ignore stays ignored; handlers are restored on exit. Signals can only be
    handled in the main thread, so elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, interrupt)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
