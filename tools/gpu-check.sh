#!/usr/bin/env bash
# The prepared GPU check (issue 29 item 5): Qwen2.5-Math-1.5B's architecture with random weights, bf16 LoRA at the
# seed's settings (tokens/s, peak memory) and transformers greedy generation (new tokens/s per batch size), as a table.
# Needs no network and no download. See tools/bench/gpu-check/gpu_check.py for what each row measures.
#
#   bash tools/gpu-check.sh                  # one GPU: sized for under 8 minutes on an H100 (estimated 1 to 3; not yet run)
#   bash tools/gpu-check.sh --json out.json  # the numbers as JSON too
#   bash tools/gpu-check.sh --quick          # a tiny config on CPU in seconds (what the test runs)
#
# The interpreter: $CONFIDE_PYTHON, else the workspace's .venv (torch, transformers, peft).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${CONFIDE_PYTHON:-$root/.venv/bin/python}"
if ! command -v "$python" > /dev/null; then
  echo "gpu-check: no Python at $python (set CONFIDE_PYTHON, or create .venv: bash tools/python/setup.sh)" >&2
  exit 2
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
exec "$python" "$root/tools/bench/gpu-check/gpu_check.py" "$@"
