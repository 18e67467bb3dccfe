#!/usr/bin/env bash
# REST API benchmark: requests/s and p50/p99 latency of GET /primary and GET /patroni with 16 connections
# (wrk -t2 -c16 -d10s --latency), for ha-agent and, when the patroni package is installed, for Patroni 3.0.2
# on the same machine, then the ratio. Results go to bench/results/ (git-ignored).
#
#   bench/rest/run.sh            # DURATION=10s CONNECTIONS=16 THREADS=2 WARMUP=5s can be overridden
#
# The ha-agent side is the real RestApiServer over a published snapshot, started by BenchNode from rest-api's
# test classes (the HA loop is not wired in yet); it builds those classes with scripts/test.sh when missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
. bench/lib/common.sh
. bench/lib/patroni-node.sh

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
AGENT_IP=${AGENT_IP:-127.0.0.121}
PATRONI_IP=${PATRONI_IP:-127.0.0.122}
ENDPOINTS=(/primary /patroni)
# A small heap and the serial collector: the agent's live set is tiny, and on a 2-core database host a
# collector with parallel threads competes with postgres (and here with wrk) for the same cores.
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:--Xms256m -Xmx256m -XX:MetaspaceSize=64m -XX:+UseSerialGC}

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
mkdir -p bench/results
stamp=$(date +%Y%m%d-%H%M%S)
out="bench/results/rest-$stamp.txt"
work=$(mktemp -d /tmp/ha-agent-bench-rest.XXXXXX)
chmod 0755 "$work"
agent_pid=""
cleanup() {
  if [ -n "$agent_pid" ] && kill -0 "$agent_pid" 2>/dev/null; then
    kill -TERM "$agent_pid" 2>/dev/null || true
    wait "$agent_pid" 2>/dev/null || true
  fi
  if [ -f "$work/patroni.started" ]; then
    patroni_node_stop "$work" bench1 || true
    patroni_etcd_stop "$work" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

log() { echo "$*" | tee -a "$out"; }

# wrk's latency numbers come as 812.00us / 1.23ms / 1.02s: in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "%s", v }'
}

# warm_up BASE_URL: exercise every endpoint first, so the JIT has compiled the paths before any measurement.
warm_up() {
  local ep
  for ep in "${ENDPOINTS[@]}"; do
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$1$ep" >/dev/null 2>&1 || true
  done
}

# measure NAME URL: prints "rps p50_ms p99_ms errors" and appends wrk's full report to the results file.
measure() {
  local name=$1 url=$2 report rps p50 p99 errors
  report=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
  { echo "---- $name $url"; echo "$report"; } >> "$out.raw"
  rps=$(echo "$report" | awk '/^Requests\/sec:/ {print $2}')
  p50=$(to_ms "$(echo "$report" | awk '$1 == "50%" {print $2}')")
  p99=$(to_ms "$(echo "$report" | awk '$1 == "99%" {print $2}')")
  # Patroni answers HTTP/1.0 and closes every connection: wrk counts each close as a read error.
  errors=$(echo "$report" | awk '/Socket errors|Non-2xx/ {printf "%s ", $0}')
  echo "$rps $p50 $p99 ${errors:-none}"
}

# ---- ha-agent -------------------------------------------------------------------------------------------
classpath=$(bench_rest_classpath "$root" io/haagent/rest/bench/BenchNode.class)
agent_port=$(bench_free_port)
# shellcheck disable=SC2086
java $BENCH_JAVA_OPTS -cp "$classpath" io.haagent.rest.bench.BenchNode "$AGENT_IP:$agent_port" > "$work/agent.log" 2>&1 &
agent_pid=$!
if ! bench_wait_http "http://$AGENT_IP:$agent_port/primary" 200 60; then
  echo "the ha-agent bench node did not answer 200 on /primary; log:" >&2
  cat "$work/agent.log" >&2
  exit 1
fi

log "REST benchmark $stamp on $(nproc) cores: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (after $WARMUP of warm-up per endpoint)"
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine skews tail latencies)"
log "ha-agent: BenchNode (rest-api test classes): the real RestApiServer over a published 3-member primary snapshot; JVM $BENCH_JAVA_OPTS"
declare -A agent
warm_up "http://$AGENT_IP:$agent_port"
for ep in "${ENDPOINTS[@]}"; do
  agent[$ep]=$(measure ha-agent "http://$AGENT_IP:$agent_port$ep")
  read -r rps p50 p99 errs <<<"${agent[$ep]}"
  log "  ha-agent GET $ep: $rps req/s, p50 $p50 ms, p99 $p99 ms (errors: $errs)"
done
kill -TERM "$agent_pid" 2>/dev/null || true
wait "$agent_pid" 2>/dev/null || true
agent_pid=""

# ---- Patroni --------------------------------------------------------------------------------------------
if command -v patroni >/dev/null; then
  log "Patroni $(patroni --version 2>/dev/null | awk '{print $2}'): one node, its own etcd on $PATRONI_IP, PostgreSQL 15 in $work"
  patroni_etcd_start "$work" "$PATRONI_IP"
  touch "$work/patroni.started"
  patroni_node_start "$work" bench1 "$PATRONI_IP"
  if ! bench_wait_http "$PATRONI_API_URL/primary" 200 90; then
    echo "Patroni did not become primary; see $work/bench1.log" >&2
    exit 1
  fi
  warm_up "$PATRONI_API_URL"
  for ep in "${ENDPOINTS[@]}"; do
    res=$(measure patroni "$PATRONI_API_URL$ep")
    read -r rps p50 p99 errs <<<"$res"
    log "  Patroni  GET $ep: $rps req/s, p50 $p50 ms, p99 $p99 ms (errors: $errs)"
    read -r arps ap50 ap99 _ <<<"${agent[$ep]}"
    log "  ratio    GET $ep: throughput x$(awk -v a="$arps" -v b="$rps" 'BEGIN {printf "%.1f", a / b}'), p99 $ap99 ms vs $p99 ms"
  done
else
  log "Patroni is not installed: no comparison (apt-get install patroni)"
fi
log "results: $out (wrk reports in $out.raw)"
