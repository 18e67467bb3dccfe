#!/usr/bin/env bash
# scripts/deps.sh demo|test: install the Debian 12 packages that the demo (scripts/demo.sh) or the test suite
# (scripts/test.sh, .ci/run) needs and this machine lacks. Nothing is installed when nothing is missing (no apt-get
# at all, so no network is needed); otherwise `apt-get update` first, then one `apt-get install`, as root or
# through sudo. Without root and without sudo it prints the command to run and exits 1.
#
# Note: installing postgresql-15 creates and starts Debian's default cluster 15/main on port 5432 (localhost);
# etcd-server starts a single-member etcd on localhost:2379 and haproxy starts with an empty configuration. The
# demo and the tests leave those services alone: their nodes use other addresses (127.0.0.11 and up).
set -euo pipefail

what=${1:-}
case $what in
  demo|test) ;;
  *) echo "usage: scripts/deps.sh demo|test" >&2; exit 2 ;;
esac

need=()
# a JDK 17+ (Maven compiles), Maven, and what the demo runs
java_ok() {
  command -v javac >/dev/null 2>&1 && javac -version 2>&1 | grep -Eq 'javac (1[7-9]|[2-9][0-9])'
}
java_ok || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql-15)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
# Debian's python3 (a python3 earlier on PATH, e.g. pyenv's, may lack psycopg2): the demo runs this one
/usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1 || need+=(python3-psycopg2)
command -v setsid >/dev/null 2>&1 || need+=(util-linux)
if [ "$what" = test ]; then
  command -v patronictl >/dev/null 2>&1 || need+=(patroni)
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
  command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
  command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg)
  command -v lintian >/dev/null 2>&1 || need+=(lintian)
  command -v man >/dev/null 2>&1 || need+=(man-db)
  command -v deb-systemd-helper >/dev/null 2>&1 || need+=(init-system-helpers)
fi

[ "${#need[@]}" -gt 0 ] || exit 0

echo "deps: installing ${need[*]}"
for p in "${need[@]}"; do
  if [ "$p" = postgresql-15 ]; then
    echo "deps: note: installing postgresql-15 creates and starts the cluster 15/main on port 5432 (localhost);" \
         "it is left as it is (its nodes use 127.0.0.11 and up); stop it with: pg_ctlcluster 15 main stop"
  fi
done

if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "deps: missing packages, and neither root nor sudo to install them; as root run:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
