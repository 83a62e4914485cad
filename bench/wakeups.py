"""What one round trip between two processes costs on this machine, on one CPU and across two.

Every request a worker serves is a chain of such round trips (wrk → gunicorn, the worker →
Redis, the worker → PostgreSQL for each statement and for BEGIN/COMMIT). On bare metal a wakeup
across CPUs costs a few microseconds; in some virtual machines it is an exit to the hypervisor
(an inter-processor interrupt) and costs tens of them. This probe measures it, so the report
says how much of the per-request budget round trips take here, and why counting them matters.

    python -m bench.wakeups
"""
from __future__ import annotations

import os
import socket
import time

ROUND_TRIPS = 5000


def _ping_pong(parent_cpu: int | None, child_cpu: int | None, round_trips: int = ROUND_TRIPS) -> float:
    """Microseconds per round trip of one byte over a socket pair between two processes."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the echoing process
        try:
            ours.close()
            if child_cpu is not None:
                os.sched_setaffinity(0, {child_cpu})
            for _ in range(round_trips):
                theirs.recv(1)
                theirs.send(b"y")
        finally:
            os._exit(0)
    theirs.close()
    saved = os.sched_getaffinity(0)
    try:
        if parent_cpu is not None:
            os.sched_setaffinity(0, {parent_cpu})
        started = time.perf_counter()
        for _ in range(round_trips):
            ours.send(b"x")
            ours.recv(1)
        elapsed = time.perf_counter() - started
    finally:
        os.sched_setaffinity(0, saved)
        os.waitpid(pid, 0)
        ours.close()
    return elapsed / round_trips * 1e6


def probe() -> dict[str, float] | None:
    """µs per round trip with both processes on one CPU and on two different CPUs (None on a
    single-CPU machine)."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    same = min(_ping_pong(cpus[0], cpus[0]) for _ in range(3))
    across = min(_ping_pong(cpus[0], cpus[1]) for _ in range(3))
    return {"round_trip_one_cpu_us": round(same, 1), "round_trip_across_cpus_us": round(across, 1),
            "across_over_one": round(across / same, 1)}


if __name__ == "__main__":
    print(probe())
