#!/usr/bin/env bash
# Run the app locally: bash scripts/app.sh [streamlit options, e.g. --server.port 8502]
# Sets up .venv with the runtime requirements if needed, then serves http://localhost:8501.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."   # .streamlit/config.toml is read from the working dir

bash scripts/setup.sh --runtime

export STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
exec .venv/bin/python -m streamlit run app.py --browser.gatherUsageStats=false "$@"
