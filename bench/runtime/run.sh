#!/usr/bin/env bash
# Runtime benchmark (issue 15): what an agent costs its host, for ha-agent and, when the Debian package
# `patroni` is installed, for Patroni 3.0.2 on the same three-node configuration, in one invocation; prints each
# figure, the ratio and the goal:
#   resident memory per agent at steady state (every agent up >= --steady s) with the JVM's breakdown (NMT),
#   idle CPU per agent per minute, start to "running" of one agent with its data directory in place (with and
#   without the class-data archive), three-node bootstrap from empty (worst of --runs), agentctl list/version
#   against patronictl list/version on the same cluster, and the longest stop-the-world pause of any ha-agent JVM
#   of the run (safepoints logged with -Xlog into --pauses DIR, default bench/results/pauses-<date>; goal 100 ms).
# HA timings under load (the issue's last goal) are bench/load/run.sh's.
# Usage: bench/runtime/run.sh [--phases ctl,memory,start,bootstrap] [--steady 150] [--cpu-window 60] [--runs 5]
#          [--start-runs 3] [--ctl-runs 5] [--java-opts "-Xmx.. ..."] [--no-archive] [--agent ha-agent|patroni ...]
# (default: both agents, Patroni when installed; --java-opts replaces the launcher's JVM options, to measure one;
# --no-archive runs ha-agent without its class-data archive throughout.)
# Runs as the postgres user (PostgreSQL refuses root). Results: bench/results/runtime-<date>.json
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$here"
. bench/lib/common.sh
bench_become_postgres "$here" "$0" "$@"
cp="$(bench_cluster_tests_classpath)"
agents=(--agent ha-agent)
if command -v patroni >/dev/null; then agents+=(--agent patroni); else echo "patroni not installed: ha-agent only"; fi
case " $* " in *" --agent "*) agents=() ;; esac  # the agents named on the command line, and only those
mkdir -p bench/results
stamp=$(date +%Y%m%d-%H%M%S)
pauses=(--pauses "bench/results/pauses-$stamp")
case " $* " in *" --pauses "*) pauses=() ;; esac
echo "runtime benchmark on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo);" \
  "java: $(java -version 2>&1 | head -1)"
exec java -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -Dbasedir="$here/cluster-tests" \
  -cp "$cp" io.haagent.bench.RuntimeBench "${agents[@]}" \
  --out "bench/results/runtime-$stamp.json" "${pauses[@]}" "$@"
