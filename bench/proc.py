"""CPU time from Linux's /proc, for the bench's HTTP run and deploy/measure.py (no Django here: the
deploy scripts import it without settings).

``children(pid)``: every descendant process id (a gunicorn master's workers); ``cpu_seconds(pids)``:
their user + system CPU in seconds (processes that ended count 0); ``machine_busy_seconds()``: the
whole machine's non-idle CPU seconds since boot, None where /proc/stat cannot be read.
"""

from __future__ import annotations

import os
from pathlib import Path


def children(pid: int) -> list[int]:
    found = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in path.read_text().split():
            found += [int(child), *children(int(child))]
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float | None:
    try:
        line = Path("/proc/stat").read_text().splitlines()[0]
    except OSError:
        return None
    values = [int(v) for v in line.split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")
