#!/usr/bin/env bash
# Health checks under slow clients (issue 18): the latency of GET /health and /primary (a new connection per check,
# as HAProxy makes them) first with no load, then while 50 slow clients hold connections (40 sending a body one byte
# every 1.5 s, 10 never finishing their headers, each from its own 127.0.1.x address), for ha-agent and, when the
# patroni package is installed, Patroni 3.0.2 on the same machine. Results go to bench/results/ (git-ignored).
#
#   bench/rest/slow-clients.sh          # SECONDS_EACH=20 can be overridden
#
# The ha-agent side is the real RestApiServer (BenchNode, rest-api's test classes); the clients run in their own JVM
# (SlowClientsBench) so they do not share the server's.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
. bench/lib/common.sh
. bench/lib/patroni-node.sh

SECONDS_EACH=${SECONDS_EACH:-20}
AGENT_IP=${AGENT_IP:-127.0.0.123}
PATRONI_IP=${PATRONI_IP:-127.0.0.124}
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:--Xms256m -Xmx256m -XX:MetaspaceSize=64m -XX:+UseSerialGC}

mkdir -p bench/results
stamp=$(date +%Y%m%d-%H%M%S)
out="bench/results/slow-clients-$stamp.txt"
work=$(mktemp -d /tmp/ha-agent-bench-slow.XXXXXX)
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

classpath=$(bench_rest_classpath "$root" io/haagent/rest/bench/SlowClientsBench.class)

# run_clients NAME HOST:PORT: the probe/attack JVM; logs its lines prefixed with NAME
run_clients() {
  # shellcheck disable=SC2086
  java -Xmx128m -XX:+UseSerialGC -cp "$classpath" io.haagent.rest.bench.SlowClientsBench "$2" "$SECONDS_EACH" \
    | while read -r line; do log "  $1 $line"; done
}

log "slow-clients benchmark $stamp on $(nproc) cores, ${SECONDS_EACH}s per phase, a probe every 20 ms"
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine skews tail latencies)"

agent_port=$(bench_free_port)
# shellcheck disable=SC2086
java $BENCH_JAVA_OPTS -cp "$classpath" io.haagent.rest.bench.BenchNode "$AGENT_IP:$agent_port" > "$work/agent.log" 2>&1 &
agent_pid=$!
if ! bench_wait_http "http://$AGENT_IP:$agent_port/primary" 200 60; then
  echo "the ha-agent bench node did not answer 200 on /primary; log:" >&2
  cat "$work/agent.log" >&2
  exit 1
fi
log "ha-agent: BenchNode (the real RestApiServer over a published primary snapshot); JVM $BENCH_JAVA_OPTS"
run_clients ha-agent "$AGENT_IP:$agent_port"
log "  ha-agent threads at the end: $(ls /proc/$agent_pid/task | wc -l) in the JVM, $(grep -l '^rest-api' /proc/$agent_pid/task/*/comm 2>/dev/null | wc -l) named rest-api*"
kill -TERM "$agent_pid" 2>/dev/null || true
wait "$agent_pid" 2>/dev/null || true
agent_pid=""

if command -v patroni >/dev/null; then
  log "Patroni $(patroni --version 2>/dev/null | awk '{print $2}'): one node, its own etcd on $PATRONI_IP, PostgreSQL 15 in $work"
  patroni_etcd_start "$work" "$PATRONI_IP"
  touch "$work/patroni.started"
  patroni_node_start "$work" bench1 "$PATRONI_IP"
  if ! bench_wait_http "$PATRONI_API_URL/primary" 200 90; then
    echo "Patroni did not become primary; see $work/bench1.log" >&2
    exit 1
  fi
  run_clients Patroni "${PATRONI_API_URL#http://}"
else
  log "Patroni is not installed: no comparison (apt-get install patroni)"
fi
log "results: $out"
