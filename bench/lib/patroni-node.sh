#!/usr/bin/env bash
# Start and stop a Patroni 3.0.2 node (the Debian package) for side-by-side benchmarks: its own etcd on a
# loopback address and PostgreSQL 15 in a temporary directory, run as the postgres OS user.
#
#   source bench/lib/patroni-node.sh
#   patroni_etcd_start  WORKDIR IP                    # sets ETCD_URL
#   patroni_node_start  WORKDIR NAME IP [SCOPE]       # sets PATRONI_API_URL; waits until the node answers
#   patroni_node_stop   WORKDIR NAME                  # stops Patroni and its postgres
#   patroni_etcd_stop   WORKDIR
#
# WORKDIR must be a fresh directory; it is handed to the postgres user. Several nodes may share one etcd
# (same WORKDIR, different NAME and IP), which the failover benchmarks use.

_here_lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$_here_lib/common.sh"

PATRONI_PG_BIN_DIR=${PATRONI_PG_BIN_DIR:-/usr/lib/postgresql/15/bin}

patroni_etcd_start() {
  local dir=$1 ip=$2 cport pport
  command -v etcd >/dev/null || { echo "etcd is not installed (apt-get install etcd-server)" >&2; return 1; }
  mkdir -p "$dir/etcd"
  cport=$(bench_free_port); pport=$(bench_free_port)
  ETCD_URL="http://$ip:$cport"
  echo "$ETCD_URL" > "$dir/etcd.url"
  etcd --name bench --data-dir "$dir/etcd/data" \
    --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
    --listen-peer-urls "http://$ip:$pport" --initial-advertise-peer-urls "http://$ip:$pport" \
    --initial-cluster "bench=http://$ip:$pport" --initial-cluster-state new \
    --log-level warn > "$dir/etcd/etcd.log" 2>&1 &
  echo $! > "$dir/etcd.pid"
  if ! bench_wait_http "$ETCD_URL/health" 200 30; then
    echo "etcd did not become healthy; see $dir/etcd/etcd.log" >&2
    return 1
  fi
  export ETCD_URL
}

patroni_etcd_stop() {
  bench_kill_pidfile "$1/etcd.pid" 10
}

patroni_node_start() {
  local dir=$1 name=$2 ip=$3 scope=${4:-bench} pgport apiport etcd_hostport node
  command -v patroni >/dev/null || { echo "patroni is not installed (apt-get install patroni)" >&2; return 1; }
  etcd_hostport=$(sed 's#^http://##' "$dir/etcd.url")
  pgport=$(bench_free_port); apiport=$(bench_free_port)
  node="$dir/$name"
  mkdir -p "$node"
  cat > "$dir/$name.yml" <<YAML
scope: $scope
namespace: /service/
name: $name
restapi:
  listen: $ip:$apiport
  connect_address: $ip:$apiport
etcd3:
  hosts: $etcd_hostport
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
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
  initdb:
  - encoding: UTF8
  - data-checksums
postgresql:
  listen: $ip:$pgport
  connect_address: $ip:$pgport
  data_dir: $node/data
  bin_dir: $PATRONI_PG_BIN_DIR
  pgpass: $node/pgpass
  authentication:
    superuser:
      username: postgres
      password: bench-superuser
    replication:
      username: replicator
      password: bench-replicator
  parameters:
    unix_socket_directories: $node
    shared_buffers: 32MB
  pg_hba:
  - local all all trust
  - host all all 127.0.0.0/8 md5
  - host replication replicator 127.0.0.0/8 md5
tags:
  nofailover: false
YAML
  chmod 0600 "$dir/$name.yml"
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir"; fi
  # The child writes its own pid, which exec hands over to patroni, so stop signals patroni itself.
  bench_as_postgres bash -c 'echo $$ > "$2"; exec patroni "$0" > "$1" 2>&1' \
    "$dir/$name.yml" "$dir/$name.log" "$dir/$name.pid" &
  echo $! > "$dir/$name.launcher.pid"
  PATRONI_API_URL="http://$ip:$apiport"
  echo "$PATRONI_API_URL" > "$dir/$name.api"
  if ! bench_wait_http "$PATRONI_API_URL/health" 200 120; then
    echo "Patroni node $name did not start postgres; see $dir/$name.log" >&2
    return 1
  fi
  export PATRONI_API_URL
}

patroni_node_stop() {
  local dir=$1 name=$2
  bench_kill_pidfile "$dir/$name.pid" 40
  bench_kill_pidfile "$dir/$name.launcher.pid" 5
  # Patroni stops postgres on SIGTERM; make sure nothing is left behind if it could not.
  if [ -f "$dir/$name/data/postmaster.pid" ]; then
    bench_as_postgres "$PATRONI_PG_BIN_DIR/pg_ctl" -D "$dir/$name/data" stop -m immediate -w >/dev/null 2>&1 || true
  fi
}
