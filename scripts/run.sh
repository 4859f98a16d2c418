#!/usr/bin/env bash
# Set up and start Shared Scorecard on http://127.0.0.1:8501 with an embedded DuckDB and demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
.venv/bin/python -m metrics init --demo
exec .venv/bin/streamlit run dashboard.py --server.address 127.0.0.1 --server.port "${PORT:-8501}" "$@"
