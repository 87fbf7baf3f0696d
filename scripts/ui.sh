#!/usr/bin/env bash
# A long-lived local Prefect server for reviewing runs: bound to 127.0.0.1, its own SQLite state
# under data/prefect-ui, so reviewed runs, logs and artifacts outlive any one run. `newsint serve`
# uses this same server (port and state; flows/local_server.py reads the same two variables), or
# starts it itself when it is not running.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${NEWSINT_UI_PORT:-4200}"
export PREFECT_HOME="${NEWSINT_UI_HOME:-data/prefect-ui}"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
case "$PREFECT_HOME" in /*) ;; *) PREFECT_HOME="$PWD/$PREFECT_HOME" ;; esac
if .venv/bin/python -c 'import sys; from flows.local_server import answers; sys.exit(not answers(int(sys.argv[1])))' "$PORT"; then
  echo "A Prefect server already answers at http://127.0.0.1:$PORT (a running newsint serve starts one): open that."
  exit 0
fi
mkdir -p "$PREFECT_HOME"
cat <<MSG
Prefect UI: http://127.0.0.1:$PORT
newsint serve (from another shell) finds this server and runs its schedules through it:
  .venv/bin/newsint serve
One-off runs report here when pointed at it:
  PREFECT_API_URL=http://127.0.0.1:$PORT/api .venv/bin/newsint run
Stop the server with Ctrl-C.
MSG
exec .venv/bin/prefect server start --host 127.0.0.1 --port "$PORT"
