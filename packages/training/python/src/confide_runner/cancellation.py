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

    def cancel_when_stdin_closes(self) -> None:
        """The parent holds our stdin open; when it closes it (how it stops a run under torchrun, whose workers
        its signals do not reach) or dies, we stop cleanly instead of running on as an orphan (the TypeScript
        wrapper starts the runner in its own process group)."""

        def watch() -> None:
            # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader makes the
            # interpreter abort at exit (it cannot take the reader's lock).
            try:
                while os.read(0, 1 << 16):
                    pass
            except OSError:
                pass
            if not self._requested.is_set():
                log("stdin closed (the caller stopped the run, or is gone): stopping at the next safe point")
                self._requested.set()

        threading.Thread(target=watch, name="stdin-watch", daemon=True).start()
