#!/usr/bin/env bash
# Server CPU time per created ticket: a steadier yardstick than requests per
# second on a shared machine (other tenants slow wrk and the server alike, but
# barely change the CPU the server spends per ticket). Starts the binary of
# REPO (default: this checkout) on config/load.yaml, drives wrk for SECONDS,
# and divides the server's user+system time by the tickets in the database.
# Compare two builds by running them alternately, e.g.
#   for i in 1 2 3; do bench/cpu_per_ticket.sh /path/old; bench/cpu_per_ticket.sh; done
# Usage: bench/cpu_per_ticket.sh [REPO=.] [seconds=8] [connections=64]
set -euo pipefail
repo=$(cd "${1:-$(dirname "$0")/..}" && pwd)
seconds=${2:-8}
connections=${3:-64}
port=18$(( RANDOM % 900 + 100 ))
dir=$(mktemp -d /tmp/switchboard-cpu.XXXXXX)
token=sb_load_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$repo/build/switchboard" serve --db "$dir/l.db" --listen 127.0.0.1:$port --admin-token "$token" \
  --config "$repo/config/load.yaml" > /dev/null 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
read -r u0 s0 < <(awk '{print $14, $15}' /proc/$pid/stat)
SWITCHBOARD_TOKEN=$token wrk -t2 -c"$connections" -d"${seconds}s" -s "$repo/bench/post_ticket.lua" \
  "http://127.0.0.1:$port" > "$dir/wrk.out"
read -r u1 s1 < <(awk '{print $14, $15}' /proc/$pid/stat)
kill -TERM $pid; wait $pid || true
n=$(sqlite3 "$dir/l.db" "SELECT COUNT(*) FROM tickets")
hz=$(getconf CLK_TCK)
echo "$repo: $n tickets, server CPU per ticket $(( ((u1 - u0) + (s1 - s0)) * 1000000 / hz / n )) us" \
     "(user $(( (u1 - u0) * 1000000 / hz / n )), system $(( (s1 - s0) * 1000000 / hz / n ))), $(awk '/Requests\/sec/ {print $2}' "$dir/wrk.out") req/s"
