#!/usr/bin/env bash
# HA benchmark (issue 4): bootstrap, switchover, postmaster crash, node death + rejoin, for ha-agent and, when
# the Debian package `patroni` is installed, for Patroni 3.0.2 on the same configuration; prints each figure and
# the ratio. Usage: bench/ha/run.sh [--runs N] [--scenarios bootstrap,switchover,crash,nodekill] [--timing 30,10,10]
# [--agent ha-agent|patroni ...] (default: both, Patroni when installed)
# Runs as the postgres user (PostgreSQL refuses root). Results: bench/results/ha-<date>.json
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$here"
if [ "$(id -u)" = 0 ]; then
  chown -R postgres: "$here"
  exec runuser -u postgres -- env HOME="$(getent passwd postgres | cut -d: -f6)" PATH="$PATH" "$0" "$@"
fi
# build the dist tree and the test classes, and the test classpath of cluster-tests (the last module built)
cpfile="$(mktemp)"
mvn -B -q -DskipTests -pl cluster-tests -am package dependency:build-classpath \
  -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test >/dev/null
cp="$(cat "$cpfile")"; rm -f "$cpfile"
agents=(--agent ha-agent)
if command -v patroni >/dev/null; then agents+=(--agent patroni); else echo "patroni not installed: ha-agent only"; fi
case " $* " in *" --agent "*) agents=() ;; esac  # the agents named on the command line, and only those
mkdir -p bench/results
exec java -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -Dbasedir="$here/cluster-tests" -cp "cluster-tests/target/test-classes:$cp" io.haagent.bench.FailoverBench "${agents[@]}" \
  --out "bench/results/ha-$(date +%Y%m%d-%H%M%S).json" "$@"
