#!/usr/bin/env bash
# scripts/demo.sh up|status|down: a three-node ha-agent cluster on this machine, to try it.
#
#   up      installs what is missing (Debian 12 packages, scripts/deps.sh demo), builds ha-agent, starts a
#           three-member etcd, three agents on 127.0.0.11-13 (as the postgres user when started as root) and HAProxy
#           (127.0.0.1:5433 the primary, 127.0.0.1:5434 the replicas), waits until the cluster is healthy, writes
#           through HAProxy and through GET /primary with the example Python client (examples/python/ha_client.py),
#           and prints `agentctl list` and how to connect, switch over, watch and stop
#   status  what runs, and `agentctl list`
#   down    stops every process `up` started and removes every file it made (the state directory)
#
# Run it as root (or with sudo) on a fresh Debian 12 machine; without root it needs the packages already installed.
# It stops nothing it did not start: a port in use (Debian's own 15/main cluster on 5432, say) is left alone and
# another port is taken.
#
# Settings (environment; the defaults in brackets):
#   HA_AGENT_DEMO_DIR        the state directory: configurations, data, logs, pid files
#                            [/var/tmp/ha-agent-demo-$USER]
#   HA_AGENT_DEMO_HOSTS      the nodes' addresses, three [127.0.0.11 127.0.0.12 127.0.0.13]
#   HA_AGENT_DEMO_PG_PORT, HA_AGENT_DEMO_API_PORT, HA_AGENT_DEMO_ETCD_PORT, HA_AGENT_DEMO_ETCD_PEER_PORT
#                            PostgreSQL, REST API, etcd client and peer ports on each address [5432 8008 2379 2380;
#                            when one is in use, the next free one of +10000, +20000]
#   HA_AGENT_DEMO_PRIMARY_PORT, HA_AGENT_DEMO_REPLICA_PORT   HAProxy's ports on 127.0.0.1 [5433 5434]
#   HA_AGENT_DEMO_DIST       an ha-agent distribution tree to run instead of building [packaging/target/dist
#                            after `mvn package`]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
me=$(id -un)
DIR=${HA_AGENT_DEMO_DIR:-/var/tmp/ha-agent-demo-$me}
PY=/usr/bin/python3
PG_BIN=/usr/lib/postgresql/15/bin
SCOPE=demo

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  echo "Settings: see the top of $0"
}

say() { printf '%s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

# ------------------------------------------------------------------------------------------------ progress lines
step_no=0
step_total=0
step_start=0
step() {
  step_no=$((step_no + 1))
  step_start=$(date +%s.%N)
  printf '[%d/%d] %s ... ' "$step_no" "$step_total" "$*"
}
ok() {
  local t
  t=$(awk -v a="$step_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  printf 'ok (%s s)%s\n' "$t" "${1:+: $1}"
}
fail() {
  printf 'FAILED\n'
  printf 'demo: %s\n' "$*" >&2
  printf 'demo: what was started keeps running; see the logs in %s, and `%s down` removes it all\n' "$DIR" "$0" >&2
  exit 1
}

# ----------------------------------------------------------------------------------------------------- users
# Started as root: the agents, etcd and HAProxy run as postgres (PostgreSQL refuses root); the files a user reads
# (agentctl's configuration, the password file) belong to whoever ran sudo. Otherwise everything runs as this user.
if [ "$(id -u)" = 0 ]; then
  agent_user=postgres
  owner=${SUDO_USER:-root}
else
  agent_user=$me
  owner=$me
fi
as_agent() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$agent_user" -- "$@"
  else
    "$@"
  fi
}
# starts "$@" detached (its own session: a Ctrl-C in this terminal does not reach it), as the agent user; its pid
# (the program's own: sh exec's it) goes to the pid file, its output to the log
start_bg() {
  local pidfile=$1 log=$2
  shift 2
  rm -f "$pidfile"
  as_agent touch "$log"
  as_agent setsid sh -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" >>"$log" 2>&1 </dev/null &
  local i
  for i in $(seq 1 50); do
    [ -s "$pidfile" ] && return 0
    sleep 0.1
  done
  return 1
}

# a process we started and that still runs: its pid file names a live process whose command line names $DIR
alive() {
  local pidfile=$1 pid
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$DIR"
}

port_free() { # host port: can it be listened on?
  "$PY" - "$1" "$2" <<'EOF'
import socket, sys
s = socket.socket()
# as the servers do (PostgreSQL, etcd, HAProxy): a connection of a stopped one in TIME_WAIT does not hold the port
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

# the first of PORT, PORT+10000, PORT+20000 free on every address given; a port given in the environment is taken
# as it is (the caller chose it)
choose_port() {
  local name=$1 base=$2 fixed=$3
  shift 3
  if [ -n "$fixed" ]; then
    printf '%s\n' "$fixed"
    return 0
  fi
  local p h free
  for p in "$base" $((base + 10000)) $((base + 20000)); do
    free=1
    for h in "$@"; do
      port_free "$h" "$p" || { free=0; break; }
    done
    if [ "$free" = 1 ]; then
      printf '%s\n' "$p"
      return 0
    fi
  done
  die "no free port for $name on $* (tried $base, $((base + 10000)), $((base + 20000)))"
}

load_state() {
  [ -f "$DIR/demo.env" ] || return 1
  # shellcheck disable=SC1091
  . "$DIR/demo.env"
  read -r -a HOSTS <<<"$HOSTS_LINE"
}

secret() {
  head -c 18 /dev/urandom | base64 | tr -d '/+=\n'
}

# ------------------------------------------------------------------------------------------------------------ up
cmd_up() {
  if [ -f "$DIR/demo.env" ]; then
    load_state
    if everything_runs; then
      say "The demo cluster already runs (state in $DIR)."
      print_cluster
      exit 0
    fi
    die "a demo in $DIR is not fully running: \`$0 down\` removes it, then \`$0 up\` again"
  fi
  step_total=10
  say "ha-agent demo: a three-node cluster on this machine (state in $DIR)"

  step "Installing what is missing (Debian packages)"
  local out
  if ! out=$("$repo/scripts/deps.sh" demo 2>&1); then
    printf 'FAILED\n%s\n' "$out" >&2
    exit 1
  fi
  ok "${out:+$(printf '%s' "$out" | head -1)}"
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    die "there is no postgres user (postgresql-common creates it): apt-get install postgresql-15"
  fi

  step "Choosing addresses"
  read -r -a HOSTS <<<"${HA_AGENT_DEMO_HOSTS:-127.0.0.11 127.0.0.12 127.0.0.13}"
  [ "${#HOSTS[@]}" = 3 ] || fail "HA_AGENT_DEMO_HOSTS must name three addresses"
  local note=""
  if command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null | grep -Eq '^15 +main +5432 +online'; then
    note="PostgreSQL's own cluster 15/main (created when postgresql-15 was installed) runs on port 5432; it is left running"
  fi
  PG_PORT=$(choose_port PostgreSQL 5432 "${HA_AGENT_DEMO_PG_PORT:-}" "${HOSTS[@]}")
  API_PORT=$(choose_port "the REST API" 8008 "${HA_AGENT_DEMO_API_PORT:-}" "${HOSTS[@]}")
  ETCD_PORT=$(choose_port etcd 2379 "${HA_AGENT_DEMO_ETCD_PORT:-}" "${HOSTS[@]}")
  ETCD_PEER_PORT=$(choose_port "etcd's peers" 2380 "${HA_AGENT_DEMO_ETCD_PEER_PORT:-}" "${HOSTS[@]}")
  PRIMARY_PORT=$(choose_port "HAProxy (primary)" 5433 "${HA_AGENT_DEMO_PRIMARY_PORT:-}" 127.0.0.1)
  REPLICA_PORT=$(choose_port "HAProxy (replicas)" 5434 "${HA_AGENT_DEMO_REPLICA_PORT:-}" 127.0.0.1)
  if [ -n "$note" ]; then
    if [ "$PG_PORT" = 5432 ]; then
      note="$note: the demo's nodes listen on ${HOSTS[0]}-${HOSTS[2]##*.}, other addresses"
    else
      note="$note, on every address: the demo's nodes use port $PG_PORT"
    fi
  fi
  ok "nodes ${HOSTS[*]} (PostgreSQL $PG_PORT, REST $API_PORT, etcd $ETCD_PORT), HAProxy 127.0.0.1:$PRIMARY_PORT/$REPLICA_PORT"
  [ -z "$note" ] || say "      note: $note"

  local dist=${HA_AGENT_DEMO_DIST:-}
  if [ -n "$dist" ]; then
    step "Using the ha-agent build in $dist"
    [ -x "$dist/bin/ha-agent" ] || fail "$dist/bin/ha-agent does not exist"
    ok
  else
    dist=$repo/packaging/target/dist
    step "Building ha-agent (mvn package, without tests; the first build downloads its dependencies)"
    local log=/tmp/ha-agent-demo-build.$$.log
    local build=(mvn -B -q -DskipTests package)
    if [ "$(id -u)" = 0 ] && [ -n "${SUDO_USER:-}" ] && [ "$(stat -c %U "$repo")" = "$SUDO_USER" ]; then
      build=(runuser -u "$SUDO_USER" -- "${build[@]}")
    fi
    if ! (cd "$repo" && "${build[@]}") >"$log" 2>&1; then
      tail -30 "$log" >&2
      fail "the build failed (the whole log: $log)"
    fi
    rm -f "$log"
    [ -x "$dist/bin/ha-agent" ] || fail "the build made no $dist/bin/ha-agent"
    ok
  fi

  step "Writing the configuration"
  prepare "$dist"
  ok "$DIR/pg1/patroni.yml, pg2, pg3 (the commented form of these files: examples/patroni.yml)"

  step "Starting etcd: three members on ${HOSTS[0]}, ${HOSTS[1]}, ${HOSTS[2]} port $ETCD_PORT"
  start_etcd || fail "etcd did not become healthy (logs: $DIR/logs/etcd*.log)"
  ok

  step "Starting three agents as user $agent_user (pg1, pg2, pg3)"
  local i
  for i in 1 2 3; do
    start_bg "$DIR/run/pg$i.pid" "$DIR/logs/pg$i.log" env HA_AGENT_CDS=off "$DIR/dist/bin/ha-agent" \
      "$DIR/pg$i/patroni.yml" || fail "the agent pg$i did not start (log: $DIR/logs/pg$i.log)"
  done
  ok "logs in $DIR/logs/pg1.log, pg2.log, pg3.log"

  step "Waiting for a primary and two streaming replicas (initdb, then two base backups)"
  local leader
  if ! leader=$(wait_healthy 300); then
    for i in 1 2 3; do
      printf -- '--- %s (last lines)\n' "$DIR/logs/pg$i.log" >&2
      tail -5 "$DIR/logs/pg$i.log" >&2 || true
    done
    fail "the cluster did not become healthy within 300 s"
  fi
  ok "the primary is $leader"

  step "Starting HAProxy (127.0.0.1:$PRIMARY_PORT follows GET /primary, 127.0.0.1:$REPLICA_PORT GET /replica)"
  start_haproxy || fail "HAProxy did not start (log: $DIR/logs/haproxy.log)"
  ok "configuration $DIR/haproxy.cfg, made from examples/haproxy.cfg"

  step "Writing with the example Python client through HAProxy"
  local via
  via=$(run_client --haproxy "127.0.0.1:$PRIMARY_PORT") || fail "the client could not write through HAProxy: $via"
  ok "$via"

  step "Writing with the example Python client through GET /primary"
  via=$(run_client --api "http://${HOSTS[0]}:$API_PORT" --api "http://${HOSTS[1]}:$API_PORT" \
    --api "http://${HOSTS[2]}:$API_PORT") || fail "the client could not write through GET /primary: $via"
  ok "$via"

  say ""
  print_cluster
}

# the state directory: a copy of the distribution, each node's configuration, etcd's and PostgreSQL's data
prepare() {
  local dist=$1
  mkdir -p "$DIR"
  chmod 0755 "$DIR"
  cp -a "$dist" "$DIR/dist"
  mkdir -p "$DIR/run" "$DIR/logs" "$DIR/etcd"
  SUPERUSER=$agent_user
  local superuser=$SUPERUSER
  local su_pw repl_pw rewind_pw api_pw
  su_pw=$(secret)
  repl_pw=$(secret)
  rewind_pw=$(secret)
  api_pw=$(secret)
  local i h
  for i in 1 2 3; do
    h=${HOSTS[$((i - 1))]}
    mkdir -p "$DIR/pg$i"
    (umask 077 && cat >"$DIR/pg$i/patroni.yml") <<EOF
# Node pg$i of the demo cluster, written by scripts/demo.sh (examples/patroni.yml explains every setting).
scope: $SCOPE
namespace: /service
name: pg$i
restapi:
  listen: $h:$API_PORT
  connect_address: $h:$API_PORT
  # write requests (switchover, restart, ...) need these; agentctl sends them
  authentication:
    username: admin
    password: $api_pw
etcd3:
  hosts:
  - ${HOSTS[0]}:$ETCD_PORT
  - ${HOSTS[1]}:$ETCD_PORT
  - ${HOSTS[2]}:$ETCD_PORT
bootstrap:
  dcs:
    ttl: 30
    loop_wait: 10
    retry_timeout: 10
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        max_connections: 100
        max_wal_senders: 10
        max_replication_slots: 10
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
  initdb:
  - encoding: UTF8
  - data-checksums
postgresql:
  listen: $h:$PG_PORT
  connect_address: $h:$PG_PORT
  data_dir: $DIR/pg$i/data
  bin_dir: $PG_BIN
  pgpass: $DIR/pg$i/pgpass
  authentication:
    superuser:
      username: $superuser
      password: $su_pw
    replication:
      username: replicator
      password: $repl_pw
    rewind:
      username: rewind_user
      password: $rewind_pw
  parameters:
    shared_buffers: 32MB
    password_encryption: scram-sha-256
    unix_socket_directories: $DIR/pg$i
  pg_hba:
  - local all all peer
  - host replication replicator 127.0.0.0/8 scram-sha-256
  - host all all 127.0.0.0/8 scram-sha-256
  basebackup:
  - checkpoint: fast
tags: {}
EOF
  done
  # agentctl's own file: the cluster and the REST credentials, readable by whoever runs the demo
  (umask 077 && cat >"$DIR/agentctl.yml") <<EOF
# agentctl's configuration for the demo cluster (scripts/demo.sh): etcd, the scope and the REST credentials.
scope: $SCOPE
namespace: /service
etcd3:
  hosts:
  - ${HOSTS[0]}:$ETCD_PORT
  - ${HOSTS[1]}:$ETCD_PORT
  - ${HOSTS[2]}:$ETCD_PORT
ctl:
  authentication:
    username: admin
    password: $api_pw
EOF
  (umask 077 && printf '*:*:*:%s:%s\n' "$superuser" "$su_pw" >"$DIR/pgpass")
  cat >"$DIR/agentctl" <<EOF
#!/bin/sh
# agentctl for the demo cluster in $DIR
# (a longer etcd deadline than the default 5 s: a cold JVM on a busy machine takes seconds to connect)
exec env HA_AGENT_CDS=off "$DIR/dist/bin/agentctl" -c "$DIR/agentctl.yml" --dcs-timeout 15 "\$@"
EOF
  chmod 0755 "$DIR/agentctl"
  cat >"$DIR/demo.env" <<EOF
# written by scripts/demo.sh up; read by status and down
HOSTS_LINE="${HOSTS[*]}"
PG_PORT=$PG_PORT
API_PORT=$API_PORT
ETCD_PORT=$ETCD_PORT
ETCD_PEER_PORT=$ETCD_PEER_PORT
PRIMARY_PORT=$PRIMARY_PORT
REPLICA_PORT=$REPLICA_PORT
AGENT_USER=$agent_user
SUPERUSER=$superuser
EOF
  if [ "$(id -u)" = 0 ]; then
    chown -R "$agent_user:" "$DIR/run" "$DIR/logs" "$DIR/etcd" "$DIR/pg1" "$DIR/pg2" "$DIR/pg3"
    chown "$owner:" "$DIR/agentctl.yml" "$DIR/pgpass"
  fi
  chmod 0700 "$DIR/pg1" "$DIR/pg2" "$DIR/pg3" "$DIR/etcd"
}

start_etcd() {
  local cluster="" i h
  for i in 1 2 3; do
    h=${HOSTS[$((i - 1))]}
    cluster="${cluster:+$cluster,}e$i=http://$h:$ETCD_PEER_PORT"
  done
  local token
  token=ha-agent-demo-$(secret | head -c 8)
  for i in 1 2 3; do
    h=${HOSTS[$((i - 1))]}
    start_bg "$DIR/run/etcd$i.pid" "$DIR/logs/etcd$i.log" etcd --name "e$i" --data-dir "$DIR/etcd/e$i" \
      --listen-client-urls "http://$h:$ETCD_PORT" --advertise-client-urls "http://$h:$ETCD_PORT" \
      --listen-peer-urls "http://$h:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://$h:$ETCD_PEER_PORT" \
      --initial-cluster "$cluster" --initial-cluster-token "$token" --initial-cluster-state new \
      --logger zap --log-level warn || return 1
  done
  local endpoints="http://${HOSTS[0]}:$ETCD_PORT,http://${HOSTS[1]}:$ETCD_PORT,http://${HOSTS[2]}:$ETCD_PORT"
  for i in $(seq 1 120); do
    if ETCDCTL_API=3 etcdctl --endpoints "$endpoints" --command-timeout 2s endpoint health >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

# prints the primary's name once a primary runs and both replicas stream from it (GET /cluster, as HAProxy and
# agentctl see it); status 1 after $1 seconds
wait_healthy() {
  "$PY" - "$1" "${HOSTS[@]/%/:$API_PORT}" <<'EOF'
import json, sys, time, urllib.request
deadline = time.monotonic() + float(sys.argv[1])
apis = sys.argv[2:]
while time.monotonic() < deadline:
    for api in apis:
        try:
            with urllib.request.urlopen("http://%s/cluster" % api, timeout=2) as r:
                members = json.load(r).get("members", [])
        except (OSError, ValueError):
            continue
        leaders = [m for m in members if m.get("role") in ("leader", "primary", "master") and m.get("state") == "running"]
        replicas = [m for m in members if m.get("role") in ("replica", "sync_standby")
                    and m.get("state") in ("streaming", "running")]
        if len(leaders) == 1 and len(replicas) == 2:
            print(leaders[0]["name"])
            sys.exit(0)
        break
    time.sleep(1)
sys.exit(1)
EOF
}

start_haproxy() {
  local src=$repo/examples/haproxy.cfg
  [ -r "$src" ] || return 1
  # examples/haproxy.cfg with this machine's addresses: its three servers 192.168.1.10-12 become the nodes, the
  # REST port 8008 ours, the listeners loopback only; no daemon or syslog lines (this one runs in the foreground,
  # logging to its log file)
  sed -e "s/192\.168\.1\.10:5432 check port 8008/${HOSTS[0]}:$PG_PORT check port $API_PORT/" \
      -e "s/192\.168\.1\.11:5432 check port 8008/${HOSTS[1]}:$PG_PORT check port $API_PORT/" \
      -e "s/192\.168\.1\.12:5432 check port 8008/${HOSTS[2]}:$PG_PORT check port $API_PORT/" \
      -e "s/bind \*:5433/bind 127.0.0.1:$PRIMARY_PORT/" \
      -e "s/bind \*:5434/bind 127.0.0.1:$REPLICA_PORT/" \
      -e '/^[[:space:]]*daemon[[:space:]]*$/d' \
      -e '/^[[:space:]]*log \/dev\/log/d' \
      "$src" >"$DIR/haproxy.cfg"
  local servers
  servers=$(grep -c "check port $API_PORT" "$DIR/haproxy.cfg" || true)
  if [ "$servers" != 6 ] || grep -v '^[[:space:]]*#' "$DIR/haproxy.cfg" | grep -q '192\.168\.1\.'; then
    echo "examples/haproxy.cfg no longer has the shape this script adapts (three servers 192.168.1.10-12:5432" \
      "checked on port 8008, in two listen sections)" >&2
    return 1
  fi
  haproxy -c -q -f "$DIR/haproxy.cfg" || return 1
  start_bg "$DIR/run/haproxy.pid" "$DIR/logs/haproxy.log" haproxy -db -f "$DIR/haproxy.cfg" || return 1
  local i
  for i in $(seq 1 50); do
    port_free 127.0.0.1 "$PRIMARY_PORT" || return 0
    sleep 0.1
  done
  return 1
}

# the example client writes 3 rows (one line per attempt); prints where they went. stdin stays open (the client
# stops when it closes) through a process substitution that is ended afterwards.
run_client() {
  local client=$repo/examples/python/ha_client.py out status=0 feeder=$DIR/run/client-stdin.pid
  if [ ! -r "$client" ]; then
    echo "$client is missing"
    return 1
  fi
  # The substitution's sleep records its pid ($! is not set for a process substitution here) and holds none of our
  # output (a reader of the demo's output through a pipe would wait for it); it is ended as soon as the client is
  # done.
  out=$(PGPASSFILE=$DIR/pgpass PGCONNECT_TIMEOUT=5 "$PY" "$client" "$@" --dsn "dbname=postgres user=$SUPERUSER" \
    --deadline 30 write --table demo_writes --count 3 --interval 0.2 \
    < <(echo "$BASHPID" > "$feeder"; exec sleep 120 2>/dev/null)) || status=$?
  if [ -s "$feeder" ]; then
    kill "$(cat "$feeder")" 2>/dev/null || true
  fi
  rm -f "$feeder"
  local oks servers
  oks=$(printf '%s\n' "$out" | grep -c '^ok ' || true)
  servers=$(printf '%s\n' "$out" | awk '$1 == "ok" { print $4 }' | sort -u | tr '\n' ' ')
  if [ "$status" != 0 ] || [ "$oks" != 3 ]; then
    printf '%s\n' "$out" | tail -3
    return 1
  fi
  echo "3 rows written, to ${servers% }"
}

print_cluster() {
  "$DIR/agentctl" list || true
  local leader candidate
  candidate=$(cluster_replica)
  local sudo=""
  [ "$(id -u)" != 0 ] || [ -z "${SUDO_USER:-}" ] || sudo="sudo "
  # the state directory, when it is not the default, goes with the commands
  if [ "$DIR" != "/var/tmp/ha-agent-demo-$me" ]; then
    sudo="${sudo:+sudo env }HA_AGENT_DEMO_DIR=$DIR "
  fi
  say ""
  say "Connect (read-write, through HAProxy):  PGPASSFILE=$DIR/pgpass psql -h 127.0.0.1 -p $PRIMARY_PORT -U $SUPERUSER postgres"
  say "Connect (read-only, the replicas):      PGPASSFILE=$DIR/pgpass psql -h 127.0.0.1 -p $REPLICA_PORT -U $SUPERUSER postgres"
  say "Switch over:                            $DIR/agentctl switchover --candidate ${candidate:-pg2} --force"
  say "Watch:                                  $DIR/agentctl list -W"
  say "What runs:                              ${sudo}$0 status"
  say "Stop and remove everything:             ${sudo}$0 down"
}

# the name of a replica (a switchover candidate), from GET /cluster
cluster_replica() {
  "$PY" - "${HOSTS[@]/%/:$API_PORT}" <<'EOF' 2>/dev/null || true
import json, sys, urllib.request
for api in sys.argv[1:]:
    try:
        with urllib.request.urlopen("http://%s/cluster" % api, timeout=2) as r:
            members = json.load(r).get("members", [])
    except (OSError, ValueError):
        continue
    for m in members:
        if m.get("role") in ("replica", "sync_standby"):
            print(m["name"])
            sys.exit(0)
EOF
}

# -------------------------------------------------------------------------------------------------------- status
everything_runs() {
  local f
  for f in etcd1 etcd2 etcd3 pg1 pg2 pg3 haproxy; do
    alive "$DIR/run/$f.pid" || return 1
  done
}

cmd_status() {
  if ! load_state; then
    say "No demo cluster (no $DIR/demo.env): \`$0 up\` starts one."
    exit 3
  fi
  say "ha-agent demo in $DIR:"
  local i all=0 what
  for i in 1 2 3; do
    what="etcd e$i     ${HOSTS[$((i - 1))]}:$ETCD_PORT"
    report "$DIR/run/etcd$i.pid" "$what" || all=1
  done
  for i in 1 2 3; do
    what="agent pg$i   REST ${HOSTS[$((i - 1))]}:$API_PORT, PostgreSQL ${HOSTS[$((i - 1))]}:$PG_PORT"
    report "$DIR/run/pg$i.pid" "$what" || all=1
    local pm="$DIR/pg$i/data/postmaster.pid"
    if [ -r "$pm" ] && [ -d "/proc/$(head -1 "$pm")" ]; then
      say "    postgres  pid $(head -1 "$pm")"
    fi
  done
  report "$DIR/run/haproxy.pid" "haproxy     127.0.0.1:$PRIMARY_PORT (primary), 127.0.0.1:$REPLICA_PORT (replicas)" || all=1
  if alive "$DIR/run/pg1.pid" || alive "$DIR/run/pg2.pid" || alive "$DIR/run/pg3.pid"; then
    say ""
    "$DIR/agentctl" list || true
  fi
  exit "$all"
}

report() {
  local pidfile=$1 what=$2
  if alive "$pidfile"; then
    printf '  %-70s pid %s, running\n' "$what" "$(cat "$pidfile")"
  else
    printf '  %-70s not running\n' "$what"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------------------- down
cmd_down() {
  if [ ! -d "$DIR" ]; then
    say "No demo cluster in $DIR: nothing to stop."
    exit 0
  fi
  load_state || true
  step_total=4
  step "Stopping the agents (each shuts its PostgreSQL down)"
  stop_pids 90 "$DIR/run/pg1.pid" "$DIR/run/pg2.pid" "$DIR/run/pg3.pid"
  ok
  step "Stopping HAProxy and etcd"
  stop_pids 30 "$DIR/run/haproxy.pid" "$DIR/run/etcd1.pid" "$DIR/run/etcd2.pid" "$DIR/run/etcd3.pid"
  ok
  step "Checking that no PostgreSQL of the demo is left"
  local i pm pid left=""
  for i in 1 2 3; do
    pm="$DIR/pg$i/data/postmaster.pid"
    [ -r "$pm" ] || continue
    pid=$(head -1 "$pm")
    if [ -d "/proc/$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$DIR"; then
      as_agent "$PG_BIN/pg_ctl" stop -D "$DIR/pg$i/data" -m immediate -w -t 30 >/dev/null 2>&1 || kill -KILL "$pid" 2>/dev/null || true
      left="$left pg$i"
    fi
  done
  ok "${left:+stopped the PostgreSQL of$left}"
  step "Removing $DIR"
  rm -rf "$DIR"
  ok
}

# SIGTERM to each live process named by the pid files, then wait up to $1 s; SIGKILL what is left
stop_pids() {
  local timeout=$1 f pid
  shift
  local pids=()
  for f in "$@"; do
    if alive "$f"; then
      pid=$(cat "$f")
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  local deadline=$((SECONDS + timeout)) p any
  while :; do
    any=0
    for p in "${pids[@]}"; do
      [ -d "/proc/$p" ] && any=1
    done
    [ "$any" = 1 ] || return 0
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.2
  done
  for p in "${pids[@]}"; do
    kill -KILL "$p" 2>/dev/null || true
  done
}

case ${1:-} in
  up) cmd_up ;;
  status) cmd_status ;;
  down) cmd_down ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
