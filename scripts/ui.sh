#!/usr/bin/env bash
# A long-lived local Prefect server for reviewing runs: bound to 127.0.0.1, its own SQLite state
# under data/prefect-ui, so reviewed runs, logs and artifacts outlive any one run.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${NEWSINT_UI_PORT:-4200}"
export PREFECT_HOME="${NEWSINT_UI_HOME:-$PWD/data/prefect-ui}"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
mkdir -p "$PREFECT_HOME"
cat <<MSG
Prefect UI: http://127.0.0.1:$PORT
Point runs at it from another shell:
  export PREFECT_API_URL=http://127.0.0.1:$PORT/api
  .venv/bin/newsint run          # one run; its artifacts appear under Runs and Artifacts
  .venv/bin/newsint serve        # scheduled runs per source group
Stop the server with Ctrl-C.
MSG
exec .venv/bin/prefect server start --host 127.0.0.1 --port "$PORT"
