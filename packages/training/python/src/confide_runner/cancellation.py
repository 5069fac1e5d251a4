"""SIGTERM / SIGINT ask the runner to stop at the next safe point (after the current optimizer step or
batch); a second signal stops it at once."""

from __future__ import annotations

import os
import signal
import threading

from .protocol import log


class Cancellation:
    def __init__(self) -> None:
        self._requested = threading.Event()

    @property
    def requested(self) -> bool:
        return self._requested.is_set()

    def request(self) -> None:
        self._requested.set()

    def install_signal_handlers(self) -> None:
        def handle(signum: int, _frame: object) -> None:
            if self._requested.is_set():
                log(f"second {signal.Signals(signum).name}: stopping now")
                os._exit(128 + signum)
            log(f"{signal.Signals(signum).name}: stopping at the next safe point")
            self._requested.set()

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)
