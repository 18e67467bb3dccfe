#!/usr/bin/env bash
# Deterministic simulation of whole clusters (issue 13): the real HA loop, decider and executor of N agents on an
# in-memory etcd, modelled PostgreSQL instances and one simulated clock, every run decided by one seed.
#
#   scripts/simulate.sh --seeds N [--agents K] [--first S] [--threads T]
#       runs seeds S..S+N-1 (S = 1) on T threads (the cores) and ends with
#       'simulated N clusters, E events, F faults in T s: B invariant breaches' (exit 1 on any breach)
#   scripts/simulate.sh --seed S [--agents K] [--shrink]   replays one seed and prints its whole event trace
#       (--shrink: and shrinks a breaching fault schedule to a minimal one)
#   scripts/simulate.sh --mutants [--seeds N]     runs the seeds against each deliberately broken decider and ends
#       with 'mutants caught: C/M' (exit 1 unless every one is caught)
#   --faults classic|all   which faults the schedules are drawn from (every form above). classic (the default, CI's):
#       agent crash, postmaster crash, agent freeze, DCS down, DCS cut, REST and replication link cuts, replication
#       stall, operator switchover, failover, pause. all adds: slow or lossy links, failing tools (start, promote,
#       basebackup, rewind), tools slower than the TTL, wall-clock jumps, operator restart, reinitialize and config
#       edits (loop_wait, maximum_lag_on_failover). A seed draws a different schedule under each; CI runs classic (25000 seeds)
#       and then 10000 seeds of all (seeds 1-30000 under all: 0 breaches, checked by hand).
#   scripts/simulate.sh --help    prints this
#
# Builds the sim module (and what it needs) first when it has not been built, or when REBUILD is set.
set -euo pipefail
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
  sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
  exit 0
fi
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
if [ ! -s sim/target/classpath.txt ] || [ ! -d sim/target/classes ] || [ -n "${REBUILD:-}" ]; then
  echo "building the simulator (mvn -DskipTests package -pl sim -am)" >&2
  mvn -B -q -ntp ${MVN_OFFLINE:+-o} -DskipTests package -pl sim -am >&2
fi
# The project's own modules from this checkout's build (target/classes, core's target/test-classes), never the
# snapshot jars another build left in the local Maven repository.
cp="sim/target/classes"
IFS=: read -r -a entries < sim/target/classpath.txt || true
for e in "${entries[@]}"; do
  if [[ "$e" =~ /io/haagent/([a-z-]+)/[^/]+/[a-z-]+-[^/]*-tests\.jar$ ]]; then
    e="$here/${BASH_REMATCH[1]}/target/test-classes"
  elif [[ "$e" =~ /io/haagent/([a-z-]+)/[^/]+/[a-z-]+-[^/]*\.jar$ ]]; then
    e="$here/${BASH_REMATCH[1]}/target/classes"
  fi
  cp="$cp:$e"
done
exec java ${SIM_JAVA_OPTS:--XX:+UseParallelGC -Xms256m} -cp "$cp" io.haagent.sim.Simulate "$@"
