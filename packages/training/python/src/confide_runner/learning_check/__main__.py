"""``python -m confide_runner.learning_check [--experiment experiments/learning-check]``: run the learning check and
write ``reports/learning-check/summary.json`` and ``report.md``. Exit 1 when a check fails (the report is still written)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from .report import render_report
from .run import load_config, run_learning_check


def provenance(root: Path, experiment_file: Path) -> dict:
    from importlib.metadata import version

    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
    sources = sorted((root / "packages" / "training" / "python" / "src").rglob("*.py"))
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.relative_to(root).as_posix().encode() + b"\0" + source.read_bytes())
    return {
        "command": ".venv/bin/python -m confide_runner.learning_check",
        "gitRevision": revision,
        "experimentFile": {"path": experiment_file.relative_to(root).as_posix(),
                           "sha256": hashlib.sha256(experiment_file.read_bytes()).hexdigest()},
        "runnerSources": {"sha256": digest.hexdigest(), "files": len(sources)},
        "versions": {"python": platform.python_version(), **{name: version(name) for name in ("torch", "transformers", "peft", "tokenizers")}},
        "machine": f"{platform.machine()}, {platform.system()}, {os.cpu_count()} CPUs",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--experiment", type=Path, default=Path("experiments/learning-check"))
    parser.add_argument("--report", type=Path, default=Path("reports/learning-check"))
    arguments = parser.parse_args()
    root = Path.cwd()
    experiment_file = (arguments.experiment / "learning-check.json").resolve()
    config = load_config(experiment_file)
    summary = run_learning_check(config, root, arguments.experiment.resolve() / "run", log=lambda message: print(message, file=sys.stderr, flush=True))
    summary = {"schemaVersion": 1, "experiment": "learning-check", "provenance": provenance(root, experiment_file)} | summary
    arguments.report.mkdir(parents=True, exist_ok=True)
    (arguments.report / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (arguments.report / "report.md").write_text(render_report(summary), encoding="utf-8")
    print(f"learning check: {'passed' if summary['passed'] else 'FAILED'}; {arguments.report / 'summary.json'}", file=sys.stderr)
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
