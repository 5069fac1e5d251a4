#!/usr/bin/env bash
# Runs the whole test suite (the README's `npm test`) N times with Nx's cache skipped while two busy loops load both
# cores, then prints, run by run, which tests failed. A test that fails here fails in CI on a busy machine.
# Usage: tools/stress-tests.sh [N=5] [--no-load]     logs and per-suite results stay in the folder it prints
set -uo pipefail
cd "$(dirname "$0")/.."
runs=5 load=2
for argument in "$@"; do
  case "$argument" in
    --no-load) load=0 ;;
    ''|*[!0-9]*) echo "usage: tools/stress-tests.sh [N] [--no-load]" >&2; exit 2 ;;
    *) runs=$argument ;;
  esac
done
out=$(mktemp -d -t confide-stress.XXXXXX)
loops=()
stop_loops() { [ ${#loops[@]} -gt 0 ] && kill "${loops[@]}" 2>/dev/null; wait "${loops[@]}" 2>/dev/null; loops=(); }
trap stop_loops EXIT
trap 'stop_loops; exit 130' INT TERM
for _ in $(seq 1 "$load"); do
  ( while :; do :; done ) &
  loops+=("$!")
done
echo "stress: $runs whole-suite runs, $load busy loop(s), cache skipped; logs in $out"
failed_runs=0
for run in $(seq 1 "$runs"); do
  results="$out/run-$run"
  started=$(date +%s)
  NX_SKIP_NX_CACHE=true NX_DAEMON=false CONFIDE_TEST_RESULTS="$results" npm test > "$out/run-$run.log" 2>&1
  status=$?
  node tools/ci/test-results.mjs "$results" > "$out/run-$run.tests" 2>&1 || status=1
  seconds=$(( $(date +%s) - started ))
  if [ "$status" -eq 0 ]; then
    echo "stress: run $run/$runs passed in $seconds s ($(grep -oE '[0-9]+ tests ran in [0-9]+ suites' "$out/run-$run.tests"))"
  else
    failed_runs=$((failed_runs + 1))
    echo "stress: run $run/$runs FAILED in $seconds s (log: $out/run-$run.log)"
    grep -E 'FAILED|no results|ran zero' "$out/run-$run.tests" | sed 's/^tests: /  /'
    sed 's/\x1b\[[0-9;]*m//g' "$out/run-$run.log" | awk '/^Failed tasks:/ {on=1; next} on && /^- / {print "  failed task " substr($0, 3); seen=1; next} seen && /^ *$/ {exit}'
  fi
done
stop_loops
echo "stress: $((runs - failed_runs)) of $runs runs passed"
[ "$failed_runs" -eq 0 ]
