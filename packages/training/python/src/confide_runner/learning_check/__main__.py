"""``python -m confide_runner.learning_check [--settings FILE] [--report FOLDER]``: run the learning check and write
``summary.json`` and ``report.md`` (default: experiments/learning-check/learning-check.json into
reports/learning-check). Its work folder is ``run/<settings file's name>`` beside the settings file. Exit 1 when a check
fails (the report is still written)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from .report import render_report
from .run import load_config, run_learning_check


def provenance(root: Path, experiment_file: Path, arguments) -> dict:
    from importlib.metadata import version

    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
    sources = sorted((root / "packages" / "training" / "python" / "src").rglob("*.py"))
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.relative_to(root).as_posix().encode() + b"\0" + source.read_bytes())
    return {
        "command": ".venv/bin/python -m confide_runner.learning_check"
        + (f" --settings {arguments.settings}" if arguments.settings != Path("experiments/learning-check/learning-check.json") else "")
        + (f" --report {arguments.report}" if arguments.report != Path("reports/learning-check") else ""),
        "gitRevision": revision,
        "experimentFile": {"path": Path(os.path.relpath(experiment_file, root)).as_posix(),
                           "sha256": hashlib.sha256(experiment_file.read_bytes()).hexdigest()},
        "runnerSources": {"sha256": digest.hexdigest(), "files": len(sources)},
        "versions": {"python": platform.python_version(), **{name: version(name) for name in ("torch", "transformers", "peft", "tokenizers")}},
        "machine": f"{platform.machine()}, {platform.system()}, {os.cpu_count()} CPUs",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--settings", type=Path, default=Path("experiments/learning-check/learning-check.json"))
    parser.add_argument("--report", type=Path, default=Path("reports/learning-check"))
    arguments = parser.parse_args()
    started = time.monotonic()
    root = Path.cwd()
    experiment_file = arguments.settings.resolve()
    config = load_config(experiment_file)
    work_dir = experiment_file.parent / "run" / experiment_file.stem
    summary = run_learning_check(config, root, work_dir, log=lambda message: print(message, file=sys.stderr, flush=True))
    summary = {"schemaVersion": 1, "experiment": "learning-check", "provenance": provenance(root, experiment_file, arguments)} | summary
    # the whole command, from the start of main (the interpreter's start and imports before it are not counted)
    summary["seconds"]["command"] = round(time.monotonic() - started, 1)
    arguments.report.mkdir(parents=True, exist_ok=True)
    (arguments.report / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (arguments.report / "report.md").write_text(render_report(summary), encoding="utf-8")
    print(f"learning check: {'passed' if summary['passed'] else 'FAILED'}; {arguments.report / 'summary.json'}", file=sys.stderr)
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
