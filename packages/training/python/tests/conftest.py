"""Shared fixtures: the tiny model, toy data and a helper that runs the runner as a subprocess."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parents[2]
TINY_MODEL_BUILDER = ROOT / "tools" / "tiny-model" / "build_tiny_model.py"

# A prompt much shorter than the seed's keeps CPU steps cheap; the seed's prompt is tested separately.
TOY_PROMPT = {"systemPrompt": "Answer.", "userTemplate": "{problem}"}


@pytest.fixture(scope="session")
def tiny_model() -> Path:
    spec = importlib.util.spec_from_file_location("build_tiny_model", TINY_MODEL_BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build()


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def toy_rows() -> list[dict]:
    """A toy task: the answer is the sum; 'correct' marks even sums, so both classes appear."""
    rows = []
    for a in range(1, 5):
        for b in range(1, 5):
            total = a + b
            rows.append({"id": f"{a}+{b}", "problem": f"{a}+{b}", "response": str(total), "correct": total % 2 == 0})
    return rows


def toy_train_config(tiny_model: Path, train_file: Path, output_dir: Path, **overrides) -> dict:
    config = {
        "baseModel": str(tiny_model),
        "trainFile": str(train_file),
        "outputDir": str(output_dir),
        "confidenceTokens": "special",
        "learningRate": 0.05,
        "epochs": 10,
        "maxSteps": 20,
        "perDeviceBatchSize": 4,
        "gradientAccumulationSteps": 1,
        "maxLength": 64,
        "checkpointEverySteps": 100,
        **TOY_PROMPT,
    }
    config.update(overrides)
    return config


def write_config(path: Path, config: dict) -> Path:
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


@dataclass
class RunnerProcess:
    process: subprocess.Popen
    events: list[dict]
    stdout_lines: list[str]
    stderr_file: object

    def stderr(self) -> str:
        self.stderr_file.seek(0)
        return self.stderr_file.read()

    def read_until(self, predicate) -> dict | None:
        """Read events until one satisfies predicate (returned) or stdout closes (None)."""
        for line in self.process.stdout:
            self.stdout_lines.append(line)
            event = json.loads(line)
            self.events.append(event)
            if predicate(event):
                return event
        return None

    def finish(self, timeout: float = 240) -> int:
        self.read_until(lambda _event: False)
        return self.process.wait(timeout=timeout)


def start_runner(*arguments: str) -> RunnerProcess:
    environment = {**os.environ, "PYTHONPATH": str(PACKAGE / "src"), "TOKENIZERS_PARALLELISM": "false"}
    # stderr goes to a file: a full pipe nobody reads would block the runner.
    stderr_file = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "confide_runner", *arguments],
        stdout=subprocess.PIPE,
        stderr=stderr_file,
        text=True,
        env=environment,
    )
    return RunnerProcess(process, [], [], stderr_file)


def run_runner(*arguments: str) -> tuple[int, list[dict], str]:
    runner = start_runner(*arguments)
    code = runner.finish()
    return code, runner.events, runner.stderr()
