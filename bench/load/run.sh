#!/usr/bin/env bash
# HA timings on a busy host (issue 15): runs bench/ha/run.sh twice in one invocation, first on the quiet machine,
# then while both cores are kept busy (pgbench against a PostgreSQL of its own, plus CPU burners at the same
# priority as the agents), for ha-agent and, when installed, Patroni 3.0.2; prints each figure quiet and loaded,
# the ratio loaded/quiet (goal: at most 1.5) and ours against Patroni's under the same load.
# It wraps bench/ha/run.sh without changing it: the scenarios, figures and their JSON are that benchmark's.
#
#   bench/load/run.sh [--runs N] [--scenarios switchover,crash,nodekill] [--burners N] [--pgbench-clients N]
#                     [--no-quiet]  (reuse nothing: --no-quiet skips the quiet pass and prints loaded figures only)
#
# Runs as the postgres user (PostgreSQL refuses root). Results: bench/results/load-<date>-{quiet,loaded}.json
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$here"
. bench/lib/common.sh
bench_become_postgres "$here" "$0" "$@"

runs=3
scenarios=switchover,crash,nodekill
burners=$(nproc)
clients=4
quiet=1
ha_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --burners) burners=$2; shift 2 ;;
    --pgbench-clients) clients=$2; shift 2 ;;
    --no-quiet) quiet=0; shift ;;
    *) ha_args+=("$1"); shift ;;
  esac
done
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
command -v pgbench >/dev/null || [ -x "$PG_BIN/pgbench" ] || { echo "pgbench is not installed (apt-get install postgresql-contrib or postgresql-client)" >&2; exit 1; }
pgbench=$(command -v pgbench || echo "$PG_BIN/pgbench")
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p bench/results
work=$(mktemp -d /tmp/ha-agent-bench-load.XXXXXX)
load_pids=()
stop_load() {
  local p
  for p in "${load_pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${load_pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  load_pids=()
  if [ -f "$work/pg/postmaster.pid" ]; then "$PG_BIN/pg_ctl" -D "$work/pg" stop -m immediate -w >/dev/null 2>&1 || true; fi
}
trap 'stop_load; rm -rf "$work"' EXIT INT TERM

# The load: a PostgreSQL 15 of its own (loopback 127.0.0.250, scratch directory) under pgbench's TPC-B-like
# workload, and CPU burners; all at the agents' own priority, so the scheduler favours nobody.
start_load() {
  local port
  port=$(bench_free_port)
  "$PG_BIN/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
  "$PG_BIN/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-c listen_addresses=127.0.0.250 -c port=$port -c unix_socket_directories=$work -c shared_buffers=64MB -c max_connections=50" start >/dev/null
  "$pgbench" -h 127.0.0.250 -p "$port" -U postgres -i -q -s 10 postgres >/dev/null 2>&1
  "$pgbench" -h 127.0.0.250 -p "$port" -U postgres -n -c "$clients" -j 2 -T 36000 postgres > "$work/pgbench.log" 2>&1 &
  load_pids+=($!)
  local i
  for i in $(seq 1 "$burners"); do
    awk 'BEGIN { for (;;) x++ }' &
    load_pids+=($!)
  done
  sleep 5
  echo "load: pgbench ($clients clients) on its own PostgreSQL and $burners CPU burners; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
}

quiet_json=bench/results/load-$stamp-quiet.json
loaded_json=bench/results/load-$stamp-loaded.json
# every ha-agent JVM logs its safepoints (the launcher adds HA_AGENT_EXTRA_JAVA_OPTS to its options)
mkdir -p "bench/results/load-$stamp-pauses-quiet" "bench/results/load-$stamp-pauses-loaded"
if [ "$quiet" = 1 ]; then
  echo "== quiet: bench/ha/run.sh --runs $runs --scenarios $scenarios ${ha_args[*]:-}"
  HA_AGENT_EXTRA_JAVA_OPTS="-Xlog:safepoint,gc,gc+cpu:file=$here/bench/results/load-$stamp-pauses-quiet/%p.log" \
    bench/ha/run.sh --runs "$runs" --scenarios "$scenarios" "${ha_args[@]}" --out "$quiet_json"
fi
echo "== loaded"
start_load
HA_AGENT_EXTRA_JAVA_OPTS="-Xlog:safepoint,gc,gc+cpu:file=$here/bench/results/load-$stamp-pauses-loaded/%p.log" \
  bench/ha/run.sh --runs "$runs" --scenarios "$scenarios" "${ha_args[@]}" --out "$loaded_json"
stop_load
tail -n 3 "$work/pgbench.log" | sed 's/^/pgbench: /' || true

python3 - "$quiet_json" "$loaded_json" <<'PY'
import json, os, statistics, sys
quiet = json.load(open(sys.argv[1])) if os.path.exists(sys.argv[1]) else {}
loaded = json.load(open(sys.argv[2]))
def figures(report, kind):
    r = report.get(kind) or {}
    return {k: v for k, v in r.items() if isinstance(v, list) and v and all(isinstance(x, (int, float)) for x in v)}
kinds = [k for k in ("ha_agent", "patroni") if k in loaded]
names = sorted({n for k in kinds for n in figures(loaded, k)})
print()
print("medians in seconds; ratio = loaded / quiet (goal <= 1.5); vs Patroni = ours / Patroni's, both loaded (goal < 1)")
print(f"{'figure':44} {'agent':9} {'quiet':>9} {'loaded':>9} {'ratio':>7} {'vs Patroni':>11}")
for n in names:
    for k in kinds:
        l = figures(loaded, k).get(n)
        if not l:
            continue
        q = figures(quiet, k).get(n)
        lm = statistics.median(l)
        qm = statistics.median(q) if q else None
        ratio = f"{lm / qm:.2f}" if qm else "-"
        other = figures(loaded, "patroni").get(n) if k == "ha_agent" else None
        vs = f"{lm / statistics.median(other):.2f}" if other and statistics.median(other) else "-"
        print(f"{n:44} {k:9} {qm if qm is not None else '-':>9} {lm:>9.3f} {ratio:>7} {vs:>11}")
print("load average during the loaded pass:", loaded.get("load_average_before"), "->", loaded.get("load_average_after"))
PY
# the agents' stop-the-world pauses (goal: none over 100 ms)
for pass in quiet loaded; do
  python3 - "bench/results/load-$stamp-pauses-$pass" "$pass" <<'PY'
import glob, re, sys
rx = re.compile(r'Safepoint "([^"]+)".*Total: (\d+) ns')
pauses = []
for f in glob.glob(sys.argv[1] + "/*.log"):
    for line in open(f):
        m = rx.search(line)
        if m and m.group(1) != "PopulateDumpSharedSpace":  # a training run's dump at its exit, not an agent
            pauses.append((int(m.group(2)) / 1e6, m.group(1)))
pauses.sort(reverse=True)
over = [p for p in pauses if p[0] > 100]
cpu = re.compile(r'User=([\d.]+)s Sys=([\d.]+)s Real=([\d.]+)s')
gcs = []
for f in glob.glob(sys.argv[1] + "/*.log"):
    for line in open(f):
        m = cpu.search(line)
        if m:
            gcs.append((float(m.group(3)) * 1000, (float(m.group(1)) + float(m.group(2))) * 1000))
gcs.sort(reverse=True)
if gcs:
    print(f"  collections ({sys.argv[2]}): {len(gcs)}, longest wall {gcs[0][0]:.0f} ms of which CPU {gcs[0][1]:.0f} ms;"
          f" the most CPU any took: {max(g[1] for g in gcs):.0f} ms (wall beyond CPU is waiting for a core)")
print(f"ha-agent pauses ({sys.argv[2]}): {len(pauses)} safepoints, longest "
      + (f"{pauses[0][0]:.1f} ms ({pauses[0][1]})" if pauses else "-") + f", {len(over)} over 100 ms"
      + (": " + ", ".join(f"{p[0]:.0f} ms {p[1]}" for p in over[:5]) if over else ""))
PY
done
echo "results: $quiet_json $loaded_json"
