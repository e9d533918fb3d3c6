#!/usr/bin/env bash
# Run every check: bash scripts/test.sh [pytest args, e.g. -m "not e2e" or -k heatmap]
# Sets up Chromium and .venv if needed, runs all tests (browser tests included), then ruff.
# Exits non-zero if anything fails, including "no tests collected".
#
#   bash scripts/test.sh                 # everything (two workers, one shared server and browser)
#   bash scripts/test.sh -m "not e2e and not slow"   # the quick loop: no browser, no fuzz
#   CI=true bash scripts/test.sh         # as CI: a skipped browser test fails
#   FUZZ_SCALE=1 bash scripts/test.sh -k fuzz   # the full fuzz (200 URL cases a page, ≈ 20 min)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# On CI a skipped browser test is a failure (see tests/conftest.py).
case "${CI:-}" in
  true|TRUE|True|1|yes) export NTK_REQUIRE_BROWSER=1 ;;
esac

bash scripts/setup.sh

# As in the app (scripts/app.sh, Dockerfile): one BLAS thread; the suite's matrices are small and
# a 2-core machine running a browser, a server and pytest is oversubscribed otherwise.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

status=0

# Two pytest-xdist workers by default, one per core: the browser tests that share a server on one
# worker, every other file whole on either (tests/conftest.py assigns the groups). About 11 min on
# the 2-core machine against 14 in one process (README). NTK_TEST_WORKERS=0 runs one process, as
# for latency figures with nothing else running (the workers' servers and browsers share 2 cores).
workers="${NTK_TEST_WORKERS:-2}"
xdist=()
if [ "$workers" != "0" ]; then xdist=(-n "$workers" --dist loadgroup); fi

pytest_rc=0
.venv/bin/python -m pytest -q "${xdist[@]}" "$@" || pytest_rc=$?
if [ "$pytest_rc" -eq 5 ]; then
  echo "test.sh: pytest collected no tests: treating that as a failure" >&2
fi
if [ "$pytest_rc" -ne 0 ]; then status=1; fi

ruff_rc=0
.venv/bin/ruff check . || ruff_rc=$?
if [ "$ruff_rc" -ne 0 ]; then status=1; fi

echo "test.sh: pytest rc=$pytest_rc, ruff rc=$ruff_rc" >&2
exit "$status"
