#!/usr/bin/env bash
# Fail-over time of the routing partition (docs/scaling.md): three nodes over
# a throwaway PostgreSQL (scripts/pg-cluster), config/load.yaml, a backlog of
# tickets created first (wrk, a few seconds). Then, RUNS times: the owner is
# killed (SIGKILL) and the time until a ticket is created again through
# another node is measured (a POST every 20 ms, round-robin over the
# survivors); the dead node is restarted. Then the same with SIGTERM (a
# clean stop hands the lease back). Prints each time and the medians.
# Usage: bench/failover.sh [lease-ttl seconds=5] [runs=5] [backlog seconds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
ttl=${1:-5}
runs=${2:-5}
backlog=${3:-3}
dir=$(mktemp -d /tmp/switchboard-failover.XXXXXX)
chmod 755 "$dir"
token=sb_failover_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=17$(( RANDOM % 900 + 100 ))
db=$(scripts/pg-cluster start "$dir/pg")
pids=(0 0 0)
start_node() {
  build/switchboard serve --db "$db" --listen 127.0.0.1:$((port + $1)) --admin-token "$token" \
    --config config/load.yaml --node "n$1" --lease-ttl "$ttl" >> "$dir/stdout.$1" 2>> "$dir/server.$1.log" &
  pids[$1]=$!
  disown "${pids[$1]}"  # no job notices when it is killed
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$((port + $1))/healthz" >/dev/null && return; sleep 0.1; done
  echo "node $1 did not start" >&2; exit 1
}
cleanup() {
  for p in "${pids[@]}"; do [ "$p" -gt 0 ] && kill -KILL "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while [ "$p" -gt 0 ] && kill -0 "$p" 2>/dev/null; do sleep 0.05; done; done
  scripts/pg-cluster stop "$dir/pg"; rm -rf "$dir"
}
trap cleanup EXIT
for i in 0 1 2; do start_node $i; done
owner() {
  for i in 0 1 2; do
    curl -sf "http://127.0.0.1:$((port + i))/healthz" 2>/dev/null | grep -q '"role":"owner"' && { echo $i; return; }
  done
  echo -1
}
post() {
  curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$(( port + $1 ))/api/v1/tickets" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"subject":"after the fail-over","team":"Service Desk","channel":"email"}'
}
SWITCHBOARD_TOKEN=$token SWITCHBOARD_NODES="127.0.0.1:$port,127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2))" \
  wrk -t3 -c24 -d"${backlog}s" -s bench/post_ticket.lua "http://127.0.0.1:$port" > /dev/null
open=$(psql -At "$db" -c "SELECT COUNT(*) FROM tickets WHERE status IN ('new','open')")
echo "fail-over: 3 nodes, lease ttl ${ttl} s (renewed every $(echo "$ttl / 5" | bc -l | sed 's/0*$//') s), $open open tickets to rebuild from"

measure() {  # $1: signal
  local times=()
  for run in $(seq 1 "$runs"); do
    local o; o=$(owner)
    [ "$o" -ge 0 ] || { echo "no owner" >&2; exit 1; }
    local t0 t1 n=0
    t0=$(date +%s.%N)
    kill "-$1" "${pids[$o]}"
    while :; do
      local via=$(( (o + 1 + n % 2) % 3 ))
      [ "$(post $via)" = 201 ] && break
      n=$((n + 1)); sleep 0.02
    done
    t1=$(date +%s.%N)
    while kill -0 "${pids[$o]}" 2>/dev/null; do sleep 0.05; done
    local took; took=$(echo "$t1 - $t0" | bc -l)
    times+=("$took")
    printf '  %s run %d: owner n%d, next ticket after %.2f s\n' "$1" "$run" "$o" "$took"
    start_node "$o"
    sleep 1
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v sig="$1" '{a[NR]=$1} END {printf "%s: median %.2f s (min %.2f, max %.2f, %d runs)\n", sig, a[int((NR+1)/2)], a[1], a[NR], NR}'
}
measure KILL
measure TERM
grep -h "state rebuilt" "$dir"/server.*.log | grep -oP 'in \K[0-9]+(?= ms)' | sort -n |
  awk '{a[NR]=$1} END {printf "state rebuilt on take-over: median %d ms (%d take-overs)\n", a[int((NR+1)/2)], NR}'
