#!/usr/bin/env bash
# The test command (README): unit, component and cluster tests with real etcd and PostgreSQL 15.
# Extra arguments go to Maven, e.g. scripts/test.sh -pl dcs -am -Dit.test=EtcdDcsIT
#
# PostgreSQL refuses to run as root. Started as root (as CI is), this script first installs the Debian packages the
# tests need and this machine lacks (scripts/deps.sh test: nothing when nothing is missing), then hands the checkout
# to the unprivileged `postgres` OS user and runs Maven as that user, as production runs the agent.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"

if [ "$(id -u)" = 0 ]; then
  scripts/deps.sh test
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --user-group --create-home --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  pghome="$(getent passwd postgres | cut -d: -f6)"
  mkdir -p "$pghome" && chown postgres: "$pghome"
  chown -R postgres: "$here"
  if ! runuser -u postgres -- test -w "$here" -a -x "$here"; then
    # The checkout sits where postgres cannot reach it (e.g. under /root): run from a copy.
    copy="$pghome/ha-agent-build"
    rm -rf "$copy" && mkdir -p "$copy"
    cp -a "$here/." "$copy/" && chown -R postgres: "$copy"
    here="$copy"
  fi
  exec runuser -u postgres -- env HOME="$pghome" CI="${CI:-}" PATH="$PATH" JAVA_HOME="${JAVA_HOME:-}" \
    MAVEN_OPTS="${MAVEN_OPTS:-}" bash -c 'cd "$0" && exec scripts/test.sh "$@"' "$here" "$@"
fi

if [ $# -gt 0 ]; then
  exec mvn -B -ntp verify "$@"
fi
mvn -B -ntp verify
# The whole command (the README's, .ci/run's) also runs the CI-size simulation of issue 13 and its mutant check, on
# the sim module verify just built; each fails the run on a breach or a surviving mutant. 25,000 seeds (about 2.5
# minutes on 2 cores): every seed up to 25,000 that ever found a bug is in it, and the mutant check stops at each
# mutant's first catch (the weakest, counting a non-voter in quorum, is first caught by seed 16879). Then 10,000 seeds
# of --faults all (every kind of fault issue 13 lists: slow and lossy links, failing and slow tools, wall-clock jumps,
# operator restarts, reinits and config edits; about 40 s), whose classic part the first run already covers.
scripts/simulate.sh --seeds "${SIM_SEEDS:-25000}"
scripts/simulate.sh --faults all --seeds "${SIM_ALL_SEEDS:-10000}"
scripts/simulate.sh --mutants --seeds "${SIM_MUTANT_SEEDS:-25000}"
