"""The JSON-lines protocol: one event per line on stdout, nothing else on stdout.

At start-up the real stdout is kept for events and file descriptor 1 is pointed at stderr, so a stray
``print`` or a library writing to stdout can never corrupt the event stream. In a run of several processes
(torchrun) only each machine's first process emits events: the one a ``confide train`` on that machine reads.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from typing import Any, TextIO

PROTOCOL_VERSION = 1


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def speaks_for_machine() -> bool:
    """The first process on this machine (torchrun sets LOCAL_RANK): its events reach this machine's caller."""
    return os.environ.get("LOCAL_RANK", os.environ.get("RANK", "0")) == "0"


class EventStream:
    """Writes events to a private copy of the original stdout."""

    def __init__(self, stream: TextIO, enabled: bool = True):
        self._stream = stream
        self._enabled = enabled
        self._lock = threading.Lock()

    @classmethod
    def take_stdout(cls) -> "EventStream":
        sys.stdout.flush()
        events_fd = os.dup(1)
        os.dup2(2, 1)  # anything else written to fd 1 now lands on stderr
        sys.stdout = sys.stderr
        stream = os.fdopen(events_fd, "w", encoding="utf-8", buffering=1)
        return cls(stream, enabled=speaks_for_machine())

    def emit(self, event_type: str, **fields: Any) -> None:
        if not self._enabled:
            return
        line = json.dumps({"type": event_type, **_finite(fields)}, ensure_ascii=False, allow_nan=False)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()


def log(message: str) -> None:
    """Human-readable progress for whoever reads stderr."""
    print(f"[confide-runner] {message}", file=sys.stderr, flush=True)
