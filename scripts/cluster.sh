#!/usr/bin/env bash
# Shared Scorecard on the DuckLake store, on this machine: PostgreSQL (the catalog), an S3 emulator
# (the data files) and three app replicas, for trying it out and for load tests.
#
#   bash scripts/cluster.sh up      # starts everything, seeds the demo, prints the three addresses
#   bash scripts/cluster.sh down    # stops everything (the emulator keeps its files in memory: gone)
#
# Needs Debian's postgresql (apt-get install postgresql) and the test requirements (moto[server]).
set -euo pipefail
cd "$(dirname "$0")/.."
FOLDER="${CLUSTER_DIR:-.cluster}"
PORTS=(${CLUSTER_PORTS:-8601 8602 8603})

down() {
  if [ -f "$FOLDER/replicas.pid" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$FOLDER/replicas.pid"
    rm -f "$FOLDER/replicas.pid"
  fi
  [ -d "$FOLDER" ] && .venv/bin/python -m tests.services down "$FOLDER"
  echo "cluster stopped"
}

up() {
  bash scripts/setup.sh requirements-dev.txt
  mkdir -p "$FOLDER"
  .venv/bin/python -m tests.services up "$FOLDER" > "$FOLDER/settings.env"
  chmod 600 "$FOLDER/settings.env"
  set -a; source "$FOLDER/settings.env"; set +a
  export PATH="$PWD/.venv/bin:$PATH"
  .venv/bin/python -m metrics init --demo
  : > "$FOLDER/replicas.pid"
  for port in "${PORTS[@]}"; do
    nohup .venv/bin/streamlit run dashboard.py --server.address 127.0.0.1 --server.port "$port" \
      --server.headless true > "$FOLDER/replica-$port.log" 2>&1 &
    echo $! >> "$FOLDER/replicas.pid"
  done
  for port in "${PORTS[@]}"; do
    for _ in $(seq 120); do
      curl -fs "http://127.0.0.1:$port/_stcore/health" >/dev/null 2>&1 && break
      sleep 0.5
    done
    echo "replica: http://127.0.0.1:$port"
  done
  echo "settings for the command line: set -a; source $FOLDER/settings.env; set +a"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  *) echo "usage: bash scripts/cluster.sh up|down" >&2; exit 2 ;;
esac
