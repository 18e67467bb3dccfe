#!/usr/bin/env bash
# Fault suite (issue 14): a three-node cluster with a three-member etcd, every link through a test-side proxy,
# HAProxy with examples/haproxy.cfg, writers straight to the primary and through HAProxy, a sampler of every node;
# faults inflicted one after another and every invariant checked after each (cluster-tests, io.haagent.faults).
# Usage: bench/faults/run.sh --scenarios N --seed S --report FILE.json [--agent ha-agent|patroni]
#   [--ci] (the fixed selection: every fault once, as CI runs it) [--only kill-agent,freeze-agent:async,...]
#   (a name alone runs in the scenario's default replication mode; :async or :strict chooses it)
#   [--first-octet 221] (nodes on 127.0.0.{first}..{first+2}, etcd on {first+5}.., HAProxy on {first+8})
# Ends with: fault suite: N scenarios, B breaches, L acknowledged writes lost (exit status 1 when B > 0).
# The report's SVG timeline is written next to it (FILE.svg). Runs as the postgres user (PostgreSQL refuses root).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$here"
. bench/lib/common.sh
bench_become_postgres "$here" "$0" "$@"
cp="$(bench_cluster_tests_classpath)"
mkdir -p bench/results
exec java -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -Dbasedir="$here/cluster-tests" \
  -cp "$cp" io.haagent.faults.FaultSuite "$@"
