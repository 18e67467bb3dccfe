#!/usr/bin/env python3
"""Side by side: two reports of bench/faults/run.sh (same seed, two agents) as a Markdown table per fault.

Usage: bench/faults/compare.py HA_AGENT.json PATRONI.json
Per fault and replication mode: how many times it ran, the unavailability (median and worst, ms: the longest time
without an acknowledged write overlapping the fault), rows acknowledged and lost, breaches. Then every breach with
its scenario number, and each run's final line as run.sh printed it.
"""
import json
import statistics
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def rows(report):
    out = {}
    for r in report["results"]:
        key = (r["scenario"], r["replication"])
        out.setdefault(key, []).append(r)
    return out


def cell(runs):
    if not runs:
        return "-", "-", "-", "-"
    unavailable = [r["unavailable_ms"] for r in runs]
    return (f'{statistics.median(unavailable) / 1000:.1f} / {max(unavailable) / 1000:.1f}',
            str(sum(r["acknowledged"] for r in runs)), str(sum(r["lost"] for r in runs)),
            str(sum(len(r["breaches"]) for r in runs)))


def final_line(report):
    results = report["results"]
    return (f'fault suite: {len(results)} scenarios, {sum(len(r["breaches"]) for r in results)} breaches, '
            f'{sum(r["lost"] for r in results)} acknowledged writes lost')


def main(a_path, b_path):
    a, b = load(a_path), load(b_path)
    ra, rb = rows(a), rows(b)
    keys = sorted(set(ra) | set(rb))
    print(f"| fault | replication | runs | unavailable s, median / worst: {a['agent']} | {b['agent']} "
          f"| acknowledged: {a['agent']} | {b['agent']} | lost: {a['agent']} | {b['agent']} "
          f"| breaches: {a['agent']} | {b['agent']} |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for k in keys:
        ca, cb = cell(ra.get(k, [])), cell(rb.get(k, []))
        runs = max(len(ra.get(k, [])), len(rb.get(k, [])))
        mode = "strict" if k[1] == "synchronous_mode_strict" else "async"
        print(f"| {k[0]} | {mode} | {runs} | {ca[0]} | {cb[0]} | {ca[1]} | {cb[1]} | {ca[2]} | {cb[2]} "
              f"| {ca[3]} | {cb[3]} |")
    for report in (a, b):
        print()
        print(f"{report['agent']} (seed {report['seed']}): `{final_line(report)}`")
        for i, r in enumerate(report["results"], 1):
            for br in r["breaches"]:
                print(f"- scenario {i}, {r['scenario']} ({r['replication']}): {br}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
