"""A Ray Data worker of the ``ray`` engine: loads the model once, then generates whole blocks of problems.

A block is a run of consecutive batches of the plain path's order, and the worker generates it batch for batch
through the same ``Generator``, so its records are the plain path's. A block's records leave the worker only when the
whole block is done: a worker that dies mid-block has sent nothing of it, and Ray runs the block again on a restarted
worker.
"""

from __future__ import annotations

import json
import os
import signal
from dataclasses import dataclass
from pathlib import Path

from .config import GenerateConfig, ProblemInput
from .generate import Generator, batches_of
from .models import choose_placement
from .protocol import log


@dataclass(frozen=True)
class KillOnce:
    """A test's fault: the first worker to reach ``block`` kills itself (SIGKILL) after that block's first batch, once
    (``marker`` records that it happened, so the retry goes through)."""

    block: int
    marker: str


class BlockWorker:
    def __init__(self, config: GenerateConfig, kill: KillOnce | None = None):
        self._config = config
        self._kill = kill
        self._generator = Generator(config, choose_placement(config.precision))

    def __call__(self, rows: dict) -> dict:
        """Rows of blocks (``block``, ``ids``, ``problems``) in, a row per problem out (``block``, ``id``, ``record``:
        the generation event's fields as JSON, floats exactly)."""
        out: dict[str, list] = {"block": [], "id": [], "record": []}
        for block, ids, texts in zip(rows["block"], rows["ids"], rows["problems"]):
            block = int(block)
            problems = [ProblemInput(str(problem_id), str(text)) for problem_id, text in zip(ids, texts)]
            for index, batch in enumerate(batches_of(problems, self._config.batchSize)):
                for record in self._generator.generate(batch):
                    out["block"].append(block)
                    out["id"].append(record["id"])
                    out["record"].append(json.dumps(record, ensure_ascii=False))
                if index == 0:
                    self._maybe_die(block)
        return out

    def _maybe_die(self, block: int) -> None:
        kill = self._kill
        if kill is None or kill.block != block or Path(kill.marker).exists():
            return
        Path(kill.marker).write_text(f"{os.getpid()}\n", encoding="utf-8")
        log(f"test fault: worker {os.getpid()} kills itself in block {block}")
        os.kill(os.getpid(), signal.SIGKILL)
