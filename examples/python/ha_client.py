#!/usr/bin/env python3
"""Connect a Python application to the primary of an ha-agent cluster, and keep it connected across a
switchover or a failover.

Two ways, as the deployment guide describes them:

* Without a load balancer (``connect_via_rest``): ask ``GET /primary`` on each node's REST API in turn, take
  the first node that answers 200, read ``host`` and ``port`` from the JSON body and connect with psycopg2.
  While the primary changes no node answers 200 for a moment. ha-agent then says in the 503 body which member
  takes over (``primary_change``: ``{"step": "demoting" | "promoting", "to": {"name", "host", "port",
  "api_url"}}``), and this client asks that member every 20 ms until it answers 200, instead of sleeping
  through a back-off: it connects within a few tens of milliseconds of the new primary taking writes.
  Patroni's body has neither ``host``/``port`` nor ``primary_change``: against Patroni use HAProxy or a libpq
  multi-host connection string (``host=a,b,c target_session_attrs=read-write``).
* Through HAProxy (``connect_via_haproxy``): connect to the port that follows ``GET /primary`` (5433 in
  examples/haproxy.cfg), retrying with a short back-off while HAProxy has no server up.

Both connect with ``target_session_attrs=read-write``: libpq refuses a server that does not take writes (a
primary that has just stepped down, a node HAProxy has not yet marked down), and the client tries again.

A statement that fails because the connection broke may or may not have been committed: retry only what is
safe to run twice (``INSERT ... ON CONFLICT DO NOTHING`` with your own key, as the demo below does).

Run as a demo writer (one row every --interval seconds, one line per attempt on stdout, until stdin closes or
--count rows were written):

    python3 ha_client.py --api http://10.0.0.11:8008 --api http://10.0.0.12:8008 --api http://10.0.0.13:8008 \\
        --dsn 'dbname=app user=app' write --table demo_writes
    python3 ha_client.py --haproxy 10.0.0.10:5433 --dsn 'dbname=app user=app' write --table demo_writes

Requires Python 3.9+ and psycopg2 (Debian: apt-get install python3-psycopg2).
"""

import argparse
import json
import random
import sys
import threading
import time
import urllib.error
import urllib.request

import psycopg2
from psycopg2 import sql

# How long one REST question may take: a node that does not answer within this is skipped for this round.
CHECK_TIMEOUT_S = 0.5
# How often a member that is taking over is asked whether it takes writes yet, and for how long it is waited on
# while it does not itself say that it is taking over (a switchover's candidate before it has the lock).
WAIT_POLL_S = 0.02
WAIT_PATIENCE_S = 2.0
# Back-off between rounds when no node says what is happening (etcd down, a node lost with its lease still
# running): short enough to reconnect soon after the new primary appears, long enough not to hammer.
BACKOFF_FIRST_S = 0.05
BACKOFF_MAX_S = 0.25


class NoPrimary(Exception):
    """No node took writes before the deadline."""


class Primary:
    """The node that answered 200 on GET /primary, and where its PostgreSQL listens."""

    def __init__(self, name, host, port, api_base):
        self.name = name
        self.host = host
        self.port = port
        self.api_base = api_base

    def __repr__(self):
        return "Primary(%s at %s:%s)" % (self.name, self.host, self.port)


def _api_base(url):
    """http://h:8008/patroni (a member's api_url) or http://h:8008 -> http://h:8008"""
    url = url.rstrip("/")
    return url[: -len("/patroni")] if url.endswith("/patroni") else url


def _get_primary(api_base, timeout=CHECK_TIMEOUT_S):
    """(status code, parsed body or None); (None, None) when the node does not answer."""
    try:
        with urllib.request.urlopen(api_base + "/primary", timeout=timeout) as r:
            return r.status, _json(r.read())
    except urllib.error.HTTPError as e:  # 503: the body still describes the node
        try:
            return e.code, _json(e.read())
        finally:
            e.close()
    except (OSError, ValueError):
        return None, None


def _json(raw):
    try:
        body = json.loads(raw)
        return body if isinstance(body, dict) else None
    except ValueError:
        return None


def _primary_from(api_base, body):
    if body is None or "host" not in body or "port" not in body:
        raise NoPrimary("%s/primary answered 200 without host and port in its body: that is Patroni's API, which "
                        "does not say where its PostgreSQL listens; use HAProxy or a libpq multi-host connection "
                        "string with Patroni" % api_base)
    name = (body.get("patroni") or {}).get("name")
    return Primary(name, body["host"], int(body["port"]), api_base)


def _taking_over(body):
    """The member a 503 body says is becoming the primary (ha-agent's primary_change), or None."""
    change = (body or {}).get("primary_change") or {}
    to = change.get("to") or {}
    return _api_base(to["api_url"]) if to.get("api_url") else None


def find_primary(api_urls, deadline):
    """
    The node that takes writes, from the nodes' REST APIs (each given as http://host:port, with or without
    /patroni). Waits on a member that is taking over; otherwise backs off between rounds. Raises NoPrimary when
    time.monotonic() passes deadline.
    """
    bases = [_api_base(u) for u in api_urls]
    backoff = BACKOFF_FIRST_S
    while True:
        successor = None
        for base in bases:
            code, body = _get_primary(base)
            if code == 200:
                return _primary_from(base, body)
            successor = successor or _taking_over(body)
        if successor is not None:
            found = _wait_for(successor, deadline)
            if found is not None:
                return found
            backoff = BACKOFF_FIRST_S  # the change went somewhere else: look at every node again soon
        if time.monotonic() + backoff > deadline:
            raise NoPrimary("no node answered 200 on GET /primary (asked: %s)" % ", ".join(bases))
        time.sleep(backoff * random.uniform(0.8, 1.2))
        backoff = min(backoff * 2, BACKOFF_MAX_S)


def _wait_for(base, deadline):
    """
    Ask base every WAIT_POLL_S until it answers 200 (its Primary), for as long as it says it is taking over, and
    for WAIT_PATIENCE_S more when it does not (yet); None when it stops answering or patience runs out.
    """
    patient_until = time.monotonic() + WAIT_PATIENCE_S
    while time.monotonic() < deadline:
        code, body = _get_primary(base)
        if code == 200:
            return _primary_from(base, body)
        if code is None:
            return None
        now = time.monotonic()
        if (body or {}).get("primary_change"):
            patient_until = now + WAIT_PATIENCE_S
        elif now > patient_until:
            return None
        time.sleep(WAIT_POLL_S)
    return None


def connect_via_rest(api_urls, dsn="", deadline_s=30.0, connect_timeout=2, **connect_kwargs):
    """
    A read-write psycopg2 connection to the primary the REST APIs point at, within deadline_s seconds. dsn and
    connect_kwargs are libpq's (dbname, user, sslmode...; the password best from PGPASSWORD or ~/.pgpass); host
    and port come from the primary's answer.
    """
    deadline = time.monotonic() + deadline_s
    while True:
        primary = find_primary(api_urls, deadline)
        try:
            return psycopg2.connect(dsn, host=primary.host, port=primary.port, connect_timeout=connect_timeout,
                                    target_session_attrs="read-write", **connect_kwargs)
        except psycopg2.OperationalError:
            # it stepped down between its answer and our connection, or its postgres is being restarted after a
            # crash (it stays the primary): ask again shortly
            if time.monotonic() + WAIT_POLL_S >= deadline:
                raise
            time.sleep(WAIT_POLL_S)


def connect_via_haproxy(host, port, dsn="", deadline_s=30.0, connect_timeout=2, **connect_kwargs):
    """A read-write psycopg2 connection through HAProxy's primary port, retrying for deadline_s seconds."""
    deadline = time.monotonic() + deadline_s
    backoff = BACKOFF_FIRST_S
    while True:
        try:
            return psycopg2.connect(dsn, host=host, port=port, connect_timeout=connect_timeout,
                                    target_session_attrs="read-write", **connect_kwargs)
        except psycopg2.OperationalError:
            # no server up (a change in progress), or HAProxy still routes to a node that no longer takes writes
            if time.monotonic() + backoff > deadline:
                raise
            time.sleep(backoff * random.uniform(0.8, 1.2))
            backoff = min(backoff * 2, BACKOFF_MAX_S)


def server_of(conn):
    """host:port of the server a connection reached (through HAProxy, the server behind it)."""
    with conn.cursor() as cur:
        cur.execute("SELECT host(inet_server_addr()), inet_server_port()")
        host, port = cur.fetchone()
    return "%s:%s" % (host, port)


def write_loop(connect, table, interval, out, stop, count=None):
    """
    The demo writer: one row every interval seconds into table (created when missing), reconnecting through
    connect() after a failure. Prints "ok <monotonic ns> <id> <server>" for every acknowledged commit and
    "fail <monotonic ns> <id> <error>" for every failed attempt (time.monotonic_ns is CLOCK_MONOTONIC on Linux,
    the clock other processes on the host can compare with).
    """
    create = sql.SQL("CREATE TABLE IF NOT EXISTS {} (id bigint PRIMARY KEY, at timestamptz DEFAULT now())").format(
        sql.Identifier(table))
    insert = sql.SQL("INSERT INTO {} (id) VALUES (%s) ON CONFLICT DO NOTHING").format(sql.Identifier(table))
    conn, server, created = None, None, False
    next_id, written = 1, 0
    tick = time.monotonic()
    while not stop.is_set() and (count is None or written < count):
        row = next_id
        next_id += 1
        try:
            if conn is None:
                conn = connect()
                conn.autocommit = True
                server = server_of(conn)
            with conn.cursor() as cur:
                if not created:
                    cur.execute(create)
                    created = True
                cur.execute(insert, (row,))
            written += 1
            out.write("ok %d %d %s\n" % (time.monotonic_ns(), row, server))
        except (psycopg2.Error, NoPrimary) as e:
            message = (str(e).strip().splitlines() or [type(e).__name__])[0]
            out.write("fail %d %d %s: %s\n" % (time.monotonic_ns(), row, type(e).__name__, message))
            if conn is not None:
                try:
                    conn.close()
                except psycopg2.Error:
                    pass
            conn = None
        out.flush()
        tick = max(tick + interval, time.monotonic())
        stop.wait(max(0.0, tick - time.monotonic()))
    if conn is not None:
        conn.close()


def stop_on_stdin_eof(stop):
    """Sets stop when stdin closes (the demo's way to be told to finish)."""
    def watch():
        sys.stdin.read()
        stop.set()
    threading.Thread(target=watch, daemon=True).start()


def main(argv=None):
    p = argparse.ArgumentParser(description="Demo writer for an ha-agent cluster, through the REST API or HAProxy.")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--api", action="append", metavar="URL", help="a node's REST API (repeat for each node)")
    where.add_argument("--haproxy", metavar="HOST:PORT", help="HAProxy's read-write port")
    p.add_argument("--dsn", default="", help="libpq keywords without host/port, e.g. 'dbname=app user=app' "
                   "(the password from PGPASSWORD or ~/.pgpass)")
    p.add_argument("--deadline", type=float, default=30.0, help="seconds one connection attempt may wait")
    sub = p.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="insert one row per interval, print one line per attempt")
    w.add_argument("--table", default="demo_writes")
    w.add_argument("--interval", type=float, default=0.1)
    w.add_argument("--count", type=int, default=None)
    args = p.parse_args(argv)

    if args.api:
        def connect():
            return connect_via_rest(args.api, args.dsn, deadline_s=args.deadline)
    else:
        host, _, port = args.haproxy.rpartition(":")

        def connect():
            return connect_via_haproxy(host, int(port), args.dsn, deadline_s=args.deadline)
    stop = threading.Event()
    stop_on_stdin_eof(stop)
    write_loop(connect, args.table, args.interval, sys.stdout, stop, args.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
