#!/usr/bin/env bash
# Load run: POST /api/v1/tickets against the real server on a real SQLite
# file (WAL, synchronous=FULL: each 201 is fsynced, commits are grouped), with
# config/load.yaml by default (the demo's teams and agents, no triage or SLA);
# CONFIG=config/demo.yaml for the full pipeline: triage (classifier, rules,
# priority), SLA clocks, routing decisions with their explanations.
# STORE=postgresql runs the same against PostgreSQL (a throwaway cluster,
# scripts/pg-cluster) instead of SQLite. NODES=3 starts three nodes
# (`serve --node`, docs/scaling.md) over the one store and spreads the
# requests over them (one wrk thread per node; WRK_THREADS to change).
# Usage: bench/load.sh [seconds=10] [connections=64]
# Prints wrk's summary and the creates per second; then checks that the
# number of tickets in the database equals the number of 201s.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
dir=$(mktemp -d /tmp/switchboard-load.XXXXXX)
chmod 755 "$dir"  # the PostgreSQL server runs as its own user
token=sb_load_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=18$(( RANDOM % 900 + 100 ))

config=${CONFIG:-config/load.yaml}
# The demo organisation needs its triage model (trained once, as make demo does).
if [ "$config" = config/demo.yaml ] && [ ! -s var/models/category.bin ]; then
  mkdir -p var/models
  build/switchboard train --data ../shared/data/tickets_train.csv --text title,body --label category \
    --out var/models/category.bin 2>/dev/null
fi
db="$dir/load.db"
if [ "${STORE:-sqlite}" = postgresql ]; then
  db=$(scripts/pg-cluster start "$dir/pg")
fi
nodes=${NODES:-1}
servers=()
addresses=()
for i in $(seq 0 $((nodes - 1))); do
  node_args=()
  [ "$nodes" -gt 1 ] && node_args=(--node "n$i")
  build/switchboard serve --db "$db" --listen 127.0.0.1:$((port + i)) --admin-token "$token" \
    --config "$config" "${node_args[@]}" > "$dir/stdout.$i" 2> "$dir/server.$i.log" &
  servers+=($!)
  addresses+=("127.0.0.1:$((port + i))")
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$((port + i))/healthz" >/dev/null && break; sleep 0.1; done
done
stop_servers() { for s in "${servers[@]}"; do kill -TERM "$s" 2>/dev/null || true; done; for s in "${servers[@]}"; do wait "$s" 2>/dev/null || true; done; }
trap 'stop_servers; [ -d "$dir/pg" ] && scripts/pg-cluster stop "$dir/pg"; rm -rf "$dir"' EXIT
threads=${WRK_THREADS:-$(( nodes > 2 ? nodes : 2 ))}
all_nodes=""
[ "$nodes" -gt 1 ] && all_nodes=$(IFS=,; echo "${addresses[*]}")

echo "load: ${seconds}s, ${connections} connections, $threads wrk threads, $nodes node(s) on $(nproc) cores, $config, db $db"
SWITCHBOARD_TOKEN=$token SWITCHBOARD_NODES=$all_nodes wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency \
  -s bench/post_ticket.lua "http://127.0.0.1:$port" | tee "$dir/wrk.out"
stop_servers
if [ "${STORE:-sqlite}" = postgresql ]; then
  created=$(psql -At "$db" -c "SELECT COUNT(*) FROM tickets")
else
  created=$(sqlite3 "$db" "SELECT COUNT(*) FROM tickets")
fi
non2xx=$(grep -oP 'Non-2xx or 3xx responses: \K[0-9]+' "$dir/wrk.out" || echo 0)
echo "tickets in the database after shutdown: $created (non-2xx responses: $non2xx)"
