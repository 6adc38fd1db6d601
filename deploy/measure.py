"""Figures for docs/scaling.md: the bench's HTTP mix through haproxy on the running local cluster.

    make cluster && python deploy/measure.py [--seconds 20] [--repeat 3] [--connections 50]

Three set-ups, each run ``--repeat`` times (the median is reported): two app servers with the
replica; one app server (app2 disabled in haproxy) with the replica; two app servers without the
replica (gunicorns restarted without DATABASE_REPLICA_URL: every read on the primary). The load is
bench/wrk_mix.lua (unchanged) driven by wrk, 50 people with 100–500 ms think time, as in
``manage.py bench``: dashboards and the roll-up API as the 长沙市 leader, the calendar, the activity
form and saving an activity as 芙蓉区 staff.

Per run: requests per second, p50/p99 and errors (wrk's), the server's time for the dashboard and
the API (gunicorn's access log), and CPU per request (from /proc): the app servers', each
PostgreSQL's (primary, replica) and the whole machine's. Needs wrk (``apt install wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cluster import DEFAULT_DIR, Cluster, from_state  # noqa: E402
from faults import LEADER, STAFF, YEAR, login, mix_config, set_year  # noqa: E402

from bench.proc import children, cpu_seconds, machine_busy_seconds  # noqa: E402

WRK_SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "wrk_mix.lua"
THINK_MS = (100, 500)


def _postgres_pids(cluster: Cluster, name: str) -> list[int]:
    pidfile = cluster.dir / name / "postmaster.pid"
    if not pidfile.exists():
        return []
    master = int(pidfile.read_text().split()[0])
    return [master, *children(master)]


class Meter:
    """CPU seconds of each group of processes between start and stop (pids re-read at the end, so
    backends started during the run count from their start)."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.start = self._read()

    def _read(self) -> dict:
        apps = [pid for n in (1, 2) for pid in self.cluster.app_pids(n)]
        return {
            "apps": cpu_seconds(apps),
            "primary": cpu_seconds(_postgres_pids(self.cluster, "primary")),
            "replica": cpu_seconds(_postgres_pids(self.cluster, "replica")),
            "machine": machine_busy_seconds(),
        }

    def per_request_ms(self, requests: int) -> dict:
        end = self._read()
        return {key: round((end[key] - self.start[key]) / max(requests, 1) * 1000, 2) for key in end}


def wrk_config(cluster: Cluster) -> str:
    """wrk_mix.lua's ``key=a,b`` lines: the staff session set to this year (the form saves today)."""
    staff, leader = login(cluster.url, STAFF), login(cluster.url, LEADER)
    today = time.strftime("%Y-%m-%d")
    set_year(cluster.url, staff, int(today[:4]))
    set_year(cluster.url, leader, YEAR)
    config = mix_config(cluster, staff)
    values = {
        "staff_sessions": [staff.cookies["sessionid"]],
        "staff_csrf": [staff.cookies["csrftoken"]],
        "leader_sessions": [leader.cookies["sessionid"]],
        "leader_csrf": [leader.cookies["csrftoken"]],
        "dashboard_codes": config["codes"],
        "api_codes": config["codes"],
        "type_ids": config["types"],
        "indicators": config["indicators"],
        "today": [today],
        "year": [YEAR],
        "wait_ms": list(THINK_MS),
    }
    return "".join(f"{key}={','.join(str(v) for v in items)}\n" for key, items in values.items())


def _server_ms(cluster: Cluster) -> dict:
    """Median worker time (ms) of the dashboard and the API from the app servers' access logs."""
    times: dict[str, list[float]] = {"dashboard": [], "api": []}
    for n in (1, 2):
        log = cluster.run / f"app{n}-access.log"
        if not log.exists():
            continue
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) != 4 or parts[0] != "GET" or parts[2] != "200":
                continue
            if parts[1].startswith("/reports/"):
                times["dashboard"].append(int(parts[3]) / 1000)
            elif parts[1].startswith("/api/v1/rollup/"):
                times["api"].append(int(parts[3]) / 1000)
    return {name: round(statistics.median(v), 1) if v else None for name, v in times.items()}


def run_once(cluster: Cluster, config_file: Path, seconds: int, connections: int) -> dict:
    for n in (1, 2):
        (cluster.run / f"app{n}-access.log").write_text("")
    meter = Meter(cluster)
    wrk = subprocess.run(
        ["wrk", "--threads", "2", "--connections", str(connections), "--duration", f"{seconds}s",
         "--timeout", "10s", "--script", str(WRK_SCRIPT), cluster.url],
        env={**os.environ, "BENCH_WRK_CONFIG": str(config_file)},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )  # fmt: skip
    line = next((x for x in wrk.stdout.splitlines() if x.startswith("BENCH_WRK ")), None)
    if wrk.returncode or line is None:
        raise RuntimeError(f"wrk failed:\n{wrk.stdout[-2000:]}\n{wrk.stderr[-2000:]}")
    figures = json.loads(line.removeprefix("BENCH_WRK "))
    cpu = meter.per_request_ms(figures["requests"])
    return {
        "requests": figures["requests"],
        "rps": round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "errors": figures["unexpected"] + figures["socket_errors"],
        "server_ms": _server_ms(cluster),
        "cpu_ms_per_request": cpu,
    }


def median_run(runs: list[dict]) -> dict:
    """The run with the median requests per second, with every run's rate beside it."""
    ordered = sorted(runs, key=lambda r: r["rps"])
    return {**ordered[len(ordered) // 2], "rps_runs": [r["rps"] for r in runs]}


def restart_apps(cluster: Cluster, *, replica: bool) -> None:
    for n in (1, 2):
        cluster.kill_app(n, quiet=True)
        cluster.start_app(n, replica=replica)
    deadline = time.monotonic() + 30
    while any(state != "UP" for state in cluster.server_states().values()):
        if time.monotonic() > deadline:
            raise RuntimeError("app servers not UP in haproxy")
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    cluster = from_state(args.dir)
    config_file = cluster.run / "wrk.conf"
    config_file.write_text(wrk_config(cluster))
    load = os.getloadavg()
    results = {"load_before": [round(v, 2) for v in load], "seconds": args.seconds, "repeat": args.repeat}

    def measure(name: str) -> None:
        # Warm-up, not counted: each worker's first requests load the URLconf, views and templates
        # (seconds of CPU per worker, which would dominate a short run's CPU per request).
        run_once(cluster, config_file, 5, args.connections)
        runs = [run_once(cluster, config_file, args.seconds, args.connections) for _ in range(args.repeat)]
        results[name] = median_run(runs)
        print(name, json.dumps(results[name], ensure_ascii=False), flush=True)

    measure("two app servers, replica")
    cluster.haproxy_command("disable server app/app2")
    try:
        measure("one app server, replica")
    finally:
        cluster.haproxy_command("enable server app/app2")
    restart_apps(cluster, replica=False)
    try:
        measure("two app servers, no replica")
    finally:
        restart_apps(cluster, replica=True)
    results["load_after"] = [round(v, 2) for v in os.getloadavg()]
    print("load average before/after:", results["load_before"], results["load_after"])
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
