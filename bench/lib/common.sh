#!/usr/bin/env bash
# Shared helpers for the benchmarks: free ports, running as the postgres OS user, waiting for HTTP answers.
# Source it; it defines functions only.

# A TCP port nobody listens on right now (the kernel picks it).
bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Run a command as the postgres OS user (PostgreSQL and Patroni refuse root); as is when already unprivileged.
bench_as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- env HOME="$(getent passwd postgres | cut -d: -f6)" PATH="$PATH" "$@"
  else
    "$@"
  fi
}

# bench_wait_http URL CODE TIMEOUT_S: wait until GET URL answers CODE; returns 1 on timeout.
bench_wait_http() {
  local url=$1 code=$2 timeout=${3:-60} i=0
  while [ "$i" -lt $((timeout * 5)) ]; do
    if [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null)" = "$code" ]; then
      return 0
    fi
    sleep 0.2
    i=$((i + 1))
  done
  return 1
}

# bench_kill_pidfile FILE [GRACE_S]: TERM the process in FILE, KILL it after GRACE_S, remove FILE.
bench_kill_pidfile() {
  local f=$1 grace=${2:-20} pid i=0
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt $((grace * 5)) ]; do sleep 0.2; i=$((i + 1)); done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# bench_become_postgres ROOT SCRIPT ARGS...: when run as root, hands the checkout ROOT to the postgres user and
# runs SCRIPT ARGS again as that user (does not return); as is otherwise.
bench_become_postgres() {
  local root=$1
  shift
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$root"
    exec runuser -u postgres -- env HOME="$(getent passwd postgres | cut -d: -f6)" PATH="$PATH" "$@"
  fi
}

# bench_cluster_tests_classpath: builds the dist tree and cluster-tests' test classes (-pl cluster-tests -am) and
# prints the classpath a benchmark main class of cluster-tests runs with.
bench_cluster_tests_classpath() {
  local cpfile cp
  cpfile="$(mktemp)"
  mvn -B -q -DskipTests -pl cluster-tests -am package dependency:build-classpath \
    -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test >&2 || { rm -f "$cpfile"; return 1; }
  cp="$(cat "$cpfile")"
  rm -f "$cpfile"
  printf 'cluster-tests/target/test-classes:%s\n' "$cp"
}

# bench_rest_classpath ROOT CLASS: the classpath of rest-api's test classes (BenchNode, SlowClientsBench), building
# them first (as the postgres user) when CLASS (a path under rest-api/target/test-classes) is missing or REBUILD is set.
bench_rest_classpath() {
  local root=$1 class=$2 cp_file="$1/rest-api/target/bench-classpath.txt"
  if [ ! -f "$root/rest-api/target/test-classes/$class" ] || [ ! -s "$cp_file" ] || [ -n "${REBUILD:-}" ]; then
    echo "building rest-api and its test classes (mvn -o test-compile -pl rest-api -am, as the postgres user)" >&2
    if [ "$(id -u)" = 0 ]; then chown -R postgres: "$root"; fi
    (cd "$root" && bench_as_postgres mvn -o -q -B test-compile dependency:build-classpath -pl rest-api -am \
      -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test) >&2
  fi
  echo "rest-api/target/test-classes:rest-api/target/classes:core/target/test-classes:core/target/classes:$(cat "$cp_file")"
}
