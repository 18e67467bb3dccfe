#!/usr/bin/env python3
"""A fence that does not live in the agent's JVM (issue 14): a stand-in for a hardware watchdog.

The agent runs with watchdog.mode on a stand-in device, a plain file it appends to: "1" per keepalive, "V" for the
magic close that disarms it. This small separate process watches that file as the kernel's watchdog driver watches
/dev/watchdog: once armed (a "1" seen), if no keepalive arrives for TIMEOUT seconds, it "resets the machine" by
killing that node's postmaster with SIGKILL (and with it every backend), so a frozen agent's postgres stops
accepting writes before its lease can run out. A "V" disarms it until the next keepalive.

Usage: fence.py DEVICE TIMEOUT_SECONDS DATA_DIR
"""
import os
import signal
import sys
import time


def postmaster(data_dir):
    try:
        with open(os.path.join(data_dir, "postmaster.pid")) as f:
            return int(f.readline().strip())
    except (OSError, ValueError):
        return None


def main():
    device, timeout, data_dir = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    size = os.path.getsize(device)
    armed = False
    if size > 0:
        with open(device, "rb") as f:
            f.seek(size - 1)
            armed = f.read(1) == b"1"
    last = time.monotonic()
    while True:
        time.sleep(0.1)
        now = time.monotonic()
        try:
            grown = os.path.getsize(device)
        except OSError:
            continue
        if grown > size:
            with open(device, "rb") as f:
                f.seek(grown - 1)
                armed = f.read(1) == b"1"
            size = grown
            last = now
        elif armed and now - last > timeout:
            pid = postmaster(data_dir)
            print(f"fence: no keepalive on {device} for {now - last:.1f} s: SIGKILL postmaster {pid}", flush=True)
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError as e:
                    print(f"fence: {e}", flush=True)
            armed = False


if __name__ == "__main__":
    main()
