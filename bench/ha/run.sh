#!/usr/bin/env bash
# HA benchmark (issues 4 and 17): bootstrap, switchover, postmaster crash, node death + rejoin, for ha-agent and,
# when the Debian package `patroni` is installed, for Patroni 3.0.2 on the same configuration, as the applications
# see it: libpq multi-host writers, writers through HAProxy (examples/haproxy.cfg and the seed's check timing), the
# guide's Python client (examples/python/ha_client.py) and a pgjdbc writer, all at once. Prints each figure, where
# the time went, the ratio and the goals; reads every client's rows back to check that nothing acknowledged was lost.
# Usage: bench/ha/run.sh [--runs N] [--scenarios bootstrap,switchover,crash,nodekill] [--timing 30,10,10]
#   [--agent ha-agent|patroni ...] (default: both, Patroni when installed)
#   [--clients libpq,libpq-10ms,haproxy,haproxy-seed,guide,guide-haproxy,pgjdbc-4ms] (default: all)
#   [--haproxy-config FILE] (default examples/haproxy.cfg) [--probe-ms 20] [--keep] (keep the clusters' directories)
# Needs python3-psycopg2 and haproxy. Runs as the postgres user (PostgreSQL refuses root).
# Results: bench/results/ha-<date>.json
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
