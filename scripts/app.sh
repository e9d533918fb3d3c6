#!/usr/bin/env bash
# Run the app locally: bash scripts/app.sh [streamlit options, e.g. --server.port 8502]
# Sets up .venv with the runtime requirements if needed, then serves http://localhost:8501.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."   # .streamlit/config.toml is read from the working dir

bash scripts/setup.sh --runtime

export STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
# One BLAS thread per request: the app's matrices are small and visitors share the cores
# (multi-threaded OpenBLAS made small products 100x slower under load).
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec .venv/bin/python -m streamlit run app.py --browser.gatherUsageStats=false "$@"
