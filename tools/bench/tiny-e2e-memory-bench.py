"""Peak resident memory of `confide run experiments/tiny-e2e`, per stage and per kind of process (issue 27, item 1).

Runs the real command cold (its run folder removed first), samples every process in its tree every 100 ms from /proc
(VmRSS: the resident set of each process on its own, not summed), and prints the largest Node and Python process per
stage beside the figures measured before the fix. A stage starts when the command prints its line
(`pipeline: step 1: ...`, `pipeline: step 2: ...`, `pipeline: step 2 done ...`). Goal: no single process above 1.5 GB.

    python3 tools/bench/tiny-e2e-memory-bench.py [--keep-run] [--json FILE]

Linux only (reads /proc). The machine is shared: the wall time is printed for orientation, not as a goal.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_FOLDER = ROOT / "experiments" / "tiny-e2e" / "run"
COMMAND = ["npm", "run", "--silent", "confide", "--", "run", "experiments/tiny-e2e"]
INTERVAL_SECONDS = 0.1
LIMIT_MB = 1536
# The pipeline's own progress lines mark where a stage starts.
STAGE_LINES = (
    (re.compile(r"^pipeline: step 1: "), "dataset"),
    (re.compile(r"^pipeline: step 2: "), "train"),
    (re.compile(r"^pipeline: step 2 done"), "generate+delegate"),
)
# Measured with this script on the 2-core machine before training computed the LM head on labelled positions only
# (commit ed40dc6): the largest process of each stage, in MB.
BEFORE_MB = {
    "start": {"node": 196, "python": 22},
    "dataset": {"node": 219, "python": 780},
    "train": {"node": 230, "python": 7694},
    "generate+delegate": {"node": 158, "python": 722},
}


def children_of(root_pid: int) -> list[int]:
    """Every live descendant of root_pid (and itself), from /proc/<pid>/stat's parent field."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parents[int(entry)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sorted(tree)


def resident_mb(pid: int) -> tuple[str, float] | None:
    """(kind, VmRSS in MB) of one process; kind is node, python or other."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    if match is None:
        return None
    name = os.path.basename(command)
    kind = "node" if name.startswith("node") else "python" if name.startswith("python") else "other"
    return kind, int(match.group(1)) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep-run", action="store_true", help="keep experiments/tiny-e2e/run instead of starting cold")
    parser.add_argument("--json", type=Path, help="also write the per-stage peaks as JSON here")
    arguments = parser.parse_args()
    if not Path("/proc/self/status").exists():
        print("tiny-e2e-memory-bench: needs Linux (/proc)", file=sys.stderr)
        return 2
    if not arguments.keep_run and RUN_FOLDER.exists():
        shutil.rmtree(RUN_FOLDER)

    started = time.monotonic()
    process = subprocess.Popen(COMMAND, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stage = ["start"]
    peaks: dict[str, dict[str, float]] = {}
    order: list[str] = ["start"]

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            for pattern, name in STAGE_LINES:
                if pattern.match(line.strip()):
                    stage[0] = name
                    if name not in order:
                        order.append(name)

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    while process.poll() is None:
        for pid in children_of(process.pid):
            sample = resident_mb(pid)
            if sample is None:
                continue
            kind, megabytes = sample
            stage_peaks = peaks.setdefault(stage[0], {})
            stage_peaks[kind] = max(stage_peaks.get(kind, 0.0), megabytes)
        time.sleep(INTERVAL_SECONDS)
    reader.join()
    wall = time.monotonic() - started

    print(f"\ntiny-e2e: exit {process.returncode}, {wall:.0f} s wall (cold: run folder removed first)")
    print(f"{'stage':<12} {'node MB':>9} {'before':>8} {'python MB':>10} {'before':>8}")
    largest = 0.0
    for name in order:
        now = peaks.get(name, {})
        before = BEFORE_MB.get(name, {})
        cells = []
        for kind in ("node", "python"):
            value = now.get(kind)
            largest = max(largest, value or 0.0)
            old = before.get(kind)
            cells.append(f"{value:>9.0f}" if value is not None else f"{'-':>9}")
            cells.append(f"{old:>8.0f}" if old is not None else f"{'-':>8}")
        print(f"{name:<12} {cells[0]} {cells[1]} {cells[2]:>10} {cells[3]}")
    verdict = "within" if largest < LIMIT_MB else "ABOVE"
    print(f"largest process: {largest:.0f} MB ({verdict} the {LIMIT_MB} MB goal)")
    if arguments.json is not None:
        arguments.json.write_text(json.dumps({"wallSeconds": wall, "exitCode": process.returncode, "peaksMb": peaks}, indent=2) + "\n")
    return 0 if process.returncode == 0 and largest < LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())
