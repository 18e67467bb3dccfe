#!/usr/bin/env python3
"""A plain libpq writer for the HA benchmark: one connection string, no discovery of its own.

    writer.py --dsn 'host=a,b,c port=1,2,3 target_session_attrs=read-write connect_timeout=1 ...' \\
        --table t --interval 0.1

One row per interval; after a failure it connects again at the next tick with the same connection string, as an
application with a libpq multi-host string (or one that connects to HAProxy) does. The loop and its output are
examples/python/ha_client.py's write_loop ("ok <monotonic ns> <id> <server>" / "fail <monotonic ns> <id> <error>"),
so the benchmark reads every client the same way. psycopg2 is libpq: the connection string is interpreted by
libpq itself (multi-host, target_session_attrs, connect_timeout), which is what the benchmark measures.
"""

import argparse
import os
import sys
import threading

import psycopg2

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "python"))
import ha_client  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dsn", required=True)
    p.add_argument("--table", required=True)
    p.add_argument("--interval", type=float, default=0.1)
    args = p.parse_args()
    stop = threading.Event()
    ha_client.stop_on_stdin_eof(stop)
    ha_client.write_loop(lambda: psycopg2.connect(args.dsn), args.table, args.interval, sys.stdout, stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
