#!/usr/bin/env bash
# The Python runner's test suite (Nx target @confide/training:test-python). When CONFIDE_TEST_RESULTS names a folder,
# pytest also writes JUnit XML there, which .ci/run and tools/stress-tests.sh read to count and name the tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
args=(-m pytest packages/training/python -q -p no:cacheprovider)
if [ -n "${CONFIDE_TEST_RESULTS:-}" ]; then
  mkdir -p "$CONFIDE_TEST_RESULTS/pytest"
  args+=("--junitxml=$CONFIDE_TEST_RESULTS/pytest/@confide__training.xml")
fi
exec .venv/bin/python "${args[@]}"
