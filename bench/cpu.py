"""How much of the machine other work took while we measured.

The machine's busy CPU time (/proc/stat) minus the CPU time of our own processes: this process
and everything it started (wrk, gunicorn, moto, Redis), reaped children included (cutime), and
the throw-away PostgreSQL (daemonised by pg_ctl, so found by its data directory). On a shared
machine this is the honest caveat beside every figure.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: str) -> tuple[int, float] | None:
    """(parent pid, utime + stime + cutime + cstime in seconds) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), sum(int(v) for v in fields[11:15]) / TICK


def _ours(roots_by_cmdline: list[str]) -> float:
    """CPU seconds of our process tree and of the trees rooted at processes whose command line
    mentions one of `roots_by_cmdline` (e.g. the PostgreSQL data directory)."""
    table: dict[int, tuple[int, float]] = {}
    roots = {os.getpid()}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        found = _stat(entry)
        if found is None:
            continue
        table[int(entry)] = found
        if roots_by_cmdline:
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if any(marker in cmdline for marker in roots_by_cmdline):
                roots.add(int(entry))
    children: dict[int, list[int]] = {}
    for pid, (ppid, _cpu) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo, seen = 0.0, list(roots), set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        total += table[pid][1]
        todo.extend(children.get(pid, []))
    return total


def _busy() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / TICK  # all but idle and iowait


class OthersMeter:
    """`with OthersMeter([pg_dir]) as m: …` then `m.share`: the share of all cores that work
    outside our process trees used meanwhile (0 on an otherwise idle machine)."""

    def __init__(self, markers: list[str]) -> None:
        self.markers = markers
        self.share: float | None = None

    def __enter__(self) -> OthersMeter:
        self._t, self._busy, self._ours = time.monotonic(), _busy(), _ours(self.markers)
        return self

    def __exit__(self, *_exc) -> None:
        elapsed = time.monotonic() - self._t
        foreign = (_busy() - self._busy) - (_ours(self.markers) - self._ours)
        self.share = round(max(0.0, foreign) / (elapsed * (os.cpu_count() or 1)), 3) if elapsed > 0 else None
