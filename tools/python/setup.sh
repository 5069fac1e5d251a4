#!/usr/bin/env bash
# Create or update the repository's Python environment (.venv at the repository root) for the
# training/inference runner in packages/training/python.
#
#   bash tools/python/setup.sh            # auto: CUDA build of torch if nvidia-smi works, else CPU build
#   CONFIDE_TORCH=cpu  bash tools/python/setup.sh
#   CONFIDE_TORCH=cuda bash tools/python/setup.sh
#   CONFIDE_PYTHON=python3.12 bash tools/python/setup.sh   # interpreter used to create .venv
#
# Idempotent: a stamp in .venv records a hash of everything that decides the environment
# (requirements, torch spec, interpreter, this script, the runner's pyproject); when it matches, the
# script exits at once. Progress goes to stderr.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv="$root/.venv"
requirements="$root/tools/python/requirements.txt"
runner="$root/packages/training/python"
stamp="$venv/.confide-setup-stamp"
torch_version="2.13.0"

log() { echo "[setup:python] $*" >&2; }

python_bin=${CONFIDE_PYTHON:-python3}
if ! command -v "$python_bin" >/dev/null 2>&1; then
  log "error: '$python_bin' not found; install Python >= 3.10 or set CONFIDE_PYTHON"
  exit 1
fi
if ! "$python_bin" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  log "error: $("$python_bin" --version 2>&1) is too old; Python >= 3.10 is required (set CONFIDE_PYTHON)"
  exit 1
fi

torch_mode=${CONFIDE_TORCH:-auto}
if [ "$torch_mode" = auto ]; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then torch_mode=cuda; else torch_mode=cpu; fi
fi
case "$torch_mode" in
  cpu) torch_spec="torch==${torch_version}+cpu" ;;
  cuda) torch_spec="torch==${torch_version}" ;;
  *) log "error: CONFIDE_TORCH must be auto, cpu or cuda (got '$torch_mode')"; exit 1 ;;
esac

fingerprint=$(
  {
    echo "$torch_spec"
    "$python_bin" -c 'import sys; print(sys.version)'
    cat "$requirements" "${BASH_SOURCE[0]}" "$runner/pyproject.toml"
  } | sha256sum | cut -d' ' -f1
)

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
  exit 0
fi

# Two callers at once (e.g. parallel Nx tasks) wait for each other instead of racing on .venv.
mkdir -p "$root/.cache"
exec 9>"$root/.cache/python-setup.lock"
flock 9
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
  exit 0
fi

started=$(date +%s)
if [ -x "$venv/bin/python" ] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  log "existing .venv is broken; recreating it"
  rm -rf "$venv"
fi
if [ -x "$venv/bin/python" ] &&
  [ "$("$venv/bin/python" -c 'import sys; print(sys.version)')" != "$("$python_bin" -c 'import sys; print(sys.version)')" ]; then
  log "interpreter changed; recreating .venv"
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  log "creating $venv with $("$python_bin" --version 2>&1)"
  "$python_bin" -m venv "$venv"
fi
rm -f "$stamp"

# Never wait on an index that cannot be reached (offline machines, local mirrors).
pip=("$venv/bin/python" -m pip --disable-pip-version-check --timeout 5 --retries 0)
# Some mirrors list a project in one index and not another; pip warns per missing folder. Drop that noise only.
quiet_pip() { "${pip[@]}" "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2); }

log "installing $torch_spec ($torch_mode)"
if ! "${pip[@]}" install --quiet "$torch_spec" 2>/dev/null; then
  # Not on the configured indexes (e.g. a plain PyPI setup): the CPU build lives on PyTorch's own index.
  if [ "$torch_mode" = cpu ]; then
    "${pip[@]}" install --quiet "$torch_spec" --extra-index-url https://download.pytorch.org/whl/cpu
  else
    "${pip[@]}" install --quiet "$torch_spec"
  fi
fi

log "installing $(grep -cv '^\s*\(#\|$\)' "$requirements") pinned packages from tools/python/requirements.txt"
quiet_pip install --quiet -r "$requirements" "$torch_spec"

log "installing the runner (editable) from packages/training/python"
quiet_pip install --quiet --no-deps --no-build-isolation -e "$runner"

"$venv/bin/python" -c 'import torch, transformers, peft, accelerate, ray.data, confide_runner' ||
  { log "error: the environment was installed but its packages do not import"; exit 1; }

echo "$fingerprint" >"$stamp"
log "ready in $(($(date +%s) - started))s: $("$venv/bin/python" -c 'import torch, transformers, peft; print(f"torch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}")')"
