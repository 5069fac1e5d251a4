"""The learning check's calls to what users run: the runner as a subprocess (``python -m confide_runner generate`` /
``train``, newline-delimited JSON events on stdout) and ``confide grade`` (core/math) for the verdicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .task import Problem


class StepFailed(RuntimeError):
    pass


def _run_runner(command: str, config: dict, folder: Path, threads: int) -> list[dict]:
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / f"{command}-config.json"
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    environment = {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads), "TOKENIZERS_PARALLELISM": "false"}
    import os

    completed = subprocess.run(
        [sys.executable, "-m", "confide_runner", command, "--config", str(config_path)],
        capture_output=True, text=True, env={**os.environ, **environment},
    )
    (folder / f"{command}-stderr.log").write_text(completed.stderr, encoding="utf-8")
    (folder / f"{command}-events.jsonl").write_text(completed.stdout, encoding="utf-8")
    events = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    errors = [event for event in events if event["type"] == "error"]
    if completed.returncode != 0 or errors:
        message = errors[0]["message"] if errors else completed.stderr[-2000:]
        raise StepFailed(f"confide_runner {command} failed (exit {completed.returncode}): {message}")
    return events


def generate(base_model: Path | str, problems: list[Problem], folder: Path, threads: int, prompt: dict,
             adapter: Path | None = None, max_new_tokens: int = 12, batch_size: int = 64, precision: str = "fp32") -> dict[str, dict]:
    """id -> the runner's generation event."""
    config = {
        "baseModel": str(base_model),
        "problems": [{"id": problem.id, "problem": problem.text} for problem in problems],
        "maxNewTokens": max_new_tokens,
        "batchSize": batch_size,
        "precision": precision,
        **prompt,
        **({"adapter": str(adapter)} if adapter is not None else {}),
    }
    events = _run_runner("generate", config, folder, threads)
    generations = {event["id"]: event for event in events if event["type"] == "generation"}
    missing = [problem.id for problem in problems if problem.id not in generations]
    if missing:
        raise StepFailed(f"confide_runner generate returned no answer for {len(missing)} problems (first {missing[0]})")
    return generations


def train(config: dict, folder: Path, threads: int) -> dict:
    """The runner's result event of a train run."""
    events = _run_runner("train", config, folder, threads)
    results = [event for event in events if event["type"] == "result"]
    if not results or results[-1]["status"] != "completed":
        raise StepFailed(f"confide_runner train did not complete: {results[-1] if results else 'no result event'}")
    return results[-1]


def grade(root: Path, problems: list[Problem], generations: dict[str, dict], folder: Path) -> dict[str, bool]:
    """id -> core/math's verdict on the response (``confide grade --extract``: the answer is found in the response)."""
    folder.mkdir(parents=True, exist_ok=True)
    pairs = folder / "grade-pairs.jsonl"
    verdicts = folder / "grade-verdicts.jsonl"
    with pairs.open("w", encoding="utf-8") as handle:
        for problem in problems:
            handle.write(json.dumps({"id": problem.id, "gold": problem.answer, "pred": generations[problem.id]["text"]}) + "\n")
    completed = subprocess.run(
        ["npm", "run", "--silent", "confide", "--", "grade", "--pairs", str(pairs), "--extract", "--out", str(verdicts)],
        cwd=root, capture_output=True, text=True,
    )
    if completed.returncode != 0:
        raise StepFailed(f"confide grade failed (exit {completed.returncode}): {completed.stderr[-2000:]}")
    result = {}
    for line in verdicts.read_text(encoding="utf-8").splitlines():
        verdict = json.loads(line)
        result[str(verdict["id"])] = bool(verdict["equivalent"])
    if len(result) != len(problems):
        raise StepFailed(f"confide grade returned {len(result)} verdicts for {len(problems)} problems")
    return result
