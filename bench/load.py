"""HTTP under load: the app served by gunicorn on loopback with DEBUG off, driven by wrk or locust.

The simulated people are already logged in: a staff member of the sampled county and a leader of its
city, with sessions made here (logging 50 users in through PBKDF2 at the start would measure the
password hasher, not the app). Each person sends its own session and CSRF cookies.

wrk (written in C) drives the mix when it is installed (``apt install wrk``): locust, in Python, took
a good part of the two cores the app is measured on. The mix, think time and checks are the same
(bench/wrk_mix.lua, bench/locustfile.py); with wrk the form's POST sends the CSRF
secret itself, which Django accepts as it accepts the masked token of a fetched form. Per page, the
times are the server's (gunicorn's access log); overall, the generator's.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django.utils.crypto import get_random_string

from activities.models import ActivityType
from activities.services import enterable_indicators

from . import HTTP_SPAWN_RATE, HTTP_USERS, HTTP_WORKERS
from .generate import say
from .proc import children, cpu_seconds, machine_busy_seconds

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
WRK_SCRIPT = Path(__file__).with_name("wrk_mix.lua")
WRK_THREADS = 2
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s %(D)s"  # method, path, status, microseconds in the worker
CSRF_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
LOCAL_REDIS = ("127.0.0.1", 6379)
# Think time between a user's requests (seconds): 50 busy users, not 50 machine guns.
WAIT = (0.1, 0.5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session(user) -> dict:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return {"session": store.session_key, "csrf": get_random_string(32, CSRF_CHARS)}


def server_env() -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "False",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "False",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.setdefault("SECRET_KEY", "bench-" + get_random_string(40))
    if "CACHE_URL" not in env and _answers(*LOCAL_REDIS):
        # As production runs it (docs/operations.md): cache and sessions in Redis.
        env["CACHE_URL"] = f"redis://{LOCAL_REDIS[0]}:{LOCAL_REDIS[1]}/15"
    return env


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def _warm_up(host: str, config: dict, rounds: int = 3) -> None:
    """A few requests per page before the clock starts: each worker's first requests load the URLconf,
    views and templates, which is start-up, not steady state."""
    pages = [
        (f"/reports/{config['dashboard_codes'][0]}/", config["leader"][0]),
        (f"/api/v1/rollup/{config['api_codes'][0]}/{config['year']}/", config["leader"][0]),
        ("/activities/calendar/", config["staff"][0]),
        ("/activities/new/", config["staff"][0]),
    ]
    for _ in range(rounds * HTTP_WORKERS):
        for path, session in pages:
            request = urllib.request.Request(
                host + path,
                headers={"Cookie": f"sessionid={session['session']}; csrftoken={session['csrf']}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
            except urllib.error.URLError:
                pass  # the load run reports errors; the warm-up only warms


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def parse_stats(prefix: str) -> dict:
    """The aggregated row and one row per request name of locust's ``<prefix>_stats.csv``."""
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    endpoints, total = {}, None
    for row in rows:
        entry = {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "rps": round(_number(row["Requests/s"]) or 0, 1),
            "p50_ms": _number(row["50%"]),
            "p95_ms": _number(row["95%"]),
            "p99_ms": _number(row["99%"]),
            "max_ms": _number(row["Max Response Time"]),
        }
        if row["Name"] == "Aggregated":
            total = entry
        else:
            endpoints[f"{row['Type']} {row['Name']}"] = entry
    failures = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        for row in csv.DictReader(open(failures_file, encoding="utf-8")):
            failures.append(
                f"{row.get('Method')} {row.get('Name')}: {row.get('Error')} ×{row.get('Occurrences')}"
            )
    return {"total": total, "endpoints": endpoints, "failures": failures[:10]}


def _run_locust(host: str, config_file: Path, seconds: int, workdir: Path, env: dict) -> dict:
    prefix = str(workdir / "locust")
    locust = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(HTTP_USERS),
            "--spawn-rate",
            str(HTTP_SPAWN_RATE),
            "--run-time",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        cwd=settings.BASE_DIR,
        env={**env, "BENCH_LOCUST_CONFIG": str(config_file)},
        capture_output=True,
        text=True,
        timeout=seconds + 180,
    )
    if locust.returncode or not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError(f"locust failed ({locust.returncode}):\n{locust.stderr[-3000:]}")
    return {**parse_stats(prefix), "tool": "locust (client-side times per page)"}


def _wrk_config(config: dict) -> str:
    """The mix's configuration as wrk_mix.lua reads it: ``key=a,b,c`` lines."""
    values = {
        "staff_sessions": [s["session"] for s in config["staff"]],
        "staff_csrf": [config["staff"][0]["csrf"]],
        "leader_sessions": [s["session"] for s in config["leader"]],
        "leader_csrf": [config["leader"][0]["csrf"]],
        "dashboard_codes": config["dashboard_codes"],
        "api_codes": config["api_codes"],
        "type_ids": config["type_ids"],
        "indicators": config["indicators"],
        "today": [config["today"]],
        "year": [config["year"]],
        "wait_ms": [round(WAIT[0] * 1000), round(WAIT[1] * 1000)],
    }
    return "".join(f"{key}={','.join(str(v) for v in items)}\n" for key, items in values.items())


class CpuMeter:
    """CPU time spent during the run: by the app (gunicorn's processes) and by the whole machine
    (PostgreSQL, the load generator and the kernel included), read from /proc. Divided by the
    requests served, it says what a request costs, which the throughput on two cores follows from."""

    def __init__(self, server_pid: int):
        self.pids = [server_pid, *children(server_pid)]
        self.start = (cpu_seconds(self.pids), machine_busy_seconds())

    def per_request_ms(self, requests: int) -> dict | None:
        if not requests or self.start[1] is None:
            return None
        app = cpu_seconds(self.pids) - self.start[0]
        machine = machine_busy_seconds() - self.start[1]
        return {"app": round(app / requests * 1000, 1), "machine": round(machine / requests * 1000, 1)}


def _run_wrk(host: str, config: dict, seconds: int, workdir: Path) -> dict:
    config_file = workdir / "wrk.conf"
    config_file.write_text(_wrk_config(config))
    wrk = subprocess.run(
        [
            "wrk",
            "--threads",
            str(WRK_THREADS),
            "--connections",
            str(HTTP_USERS),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            "--script",
            str(WRK_SCRIPT),
            host,
        ],
        env={**os.environ, "BENCH_WRK_CONFIG": str(config_file)},
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    line = next((x for x in wrk.stdout.splitlines() if x.startswith("BENCH_WRK ")), None)
    if wrk.returncode or line is None:
        raise RuntimeError(f"wrk failed ({wrk.returncode}):\n{wrk.stdout[-2000:]}\n{wrk.stderr[-2000:]}")
    return parse_wrk(json.loads(line.removeprefix("BENCH_WRK ")))


def parse_wrk(figures: dict) -> dict:
    """The overall row from wrk_mix.lua's summary (times in microseconds there, milliseconds here)."""
    seconds = figures["duration_us"] / 1_000_000

    def ms(key: str) -> float:
        return round(figures[key] / 1000, 1)

    total = {
        "requests": figures["requests"],
        # An unexpected answer (wrong status, the login page) or a socket error or timeout.
        "errors": figures["unexpected"] + figures["socket_errors"],
        "rps": round(figures["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": ms("p50_us"),
        "p95_ms": ms("p95_us"),
        "p99_ms": ms("p99_us"),
        "max_ms": ms("max_us"),
    }
    failures = []
    if figures["unexpected"]:
        failures.append(
            f"{figures['unexpected']} unexpected answers (status other than 200/302, or the login page)"
        )
    if figures["socket_errors"]:
        failures.append(f"{figures['socket_errors']} socket errors or timeouts")
    return {
        "total": total,
        "failures": failures,
        "tool": "wrk (server-side times per page)",
        "sent": figures["per_name"],
    }


ENDPOINTS = [
    ("POST", re.compile(r"^/activities/new/$"), "POST activity form POST"),
    ("GET", re.compile(r"^/activities/new/$"), "GET activity form"),
    ("GET", re.compile(r"^/activities/calendar/$"), "GET calendar"),
    ("GET", re.compile(r"^/reports/[^/]+/$"), "GET dashboard"),
    ("GET", re.compile(r"^/api/v1/rollup/"), "GET API rollup"),
]


def _percentile(ordered: list[float], share: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def parse_access_log(path: Path, seconds: int) -> dict:
    """Per page: requests, errors and the worker's time (p50/p95/p99/max, ms) from gunicorn's access log."""
    times: dict[str, list[float]] = {name: [] for _method, _pattern, name in ENDPOINTS}
    errors: dict[str, int] = dict.fromkeys(times, 0)
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) != 4:
            continue
        method, url, status, micros = parts
        name = next((n for m, pattern, n in ENDPOINTS if m == method and pattern.match(url)), None)
        if name is None:
            continue
        times[name].append(int(micros) / 1000)
        expected = ("302",) if method == "POST" else ("200",)
        if status not in expected:
            errors[name] += 1
    endpoints = {}
    for name, values in times.items():
        values.sort()
        endpoints[name] = {
            "requests": len(values),
            "errors": errors[name],
            "rps": round(len(values) / seconds, 1),
            "p50_ms": _percentile(values, 0.50),
            "p95_ms": _percentile(values, 0.95),
            "p99_ms": _percentile(values, 0.99),
            "max_ms": values[-1] if values else None,
        }
    return endpoints


def run_http(*, gen, staff, leader, feds, seconds: int, out) -> dict:
    base_dir = Path(settings.BASE_DIR)
    env = server_env()
    workdir = Path(tempfile.mkdtemp(prefix="fedwork-bench-http-"))
    # The pages phase has collected them already (then this returns at once).
    from .pages import collect_static

    collect_static(out)

    county = feds["county"]
    indicators = [i.code for i in enterable_indicators(county) if i.decimal_places == 0]
    config = {
        "year": gen.year,
        "today": timezone.localdate().isoformat(),
        "staff": [_session(staff) for _ in range(HTTP_USERS)],
        "leader": [_session(leader) for _ in range(HTTP_USERS)],
        "dashboard_codes": [feds["city"].code, county.code, feds["township"].code],
        "api_codes": [feds["city"].code, county.code, feds["township"].code],
        "type_ids": list(ActivityType.objects.filter(is_active=True).values_list("pk", flat=True)),
        "indicators": indicators,
        "wait": list(WAIT),
    }
    config_file = workdir / "config.json"
    config_file.write_text(json.dumps(config))

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    log = open(workdir / "gunicorn.log", "w")
    access_log = workdir / "access.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "fedwork.wsgi",
            "--workers",
            str(HTTP_WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            ACCESS_LOG_FORMAT,
        ],
        cwd=base_dir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    tool = "wrk" if shutil.which("wrk") else "locust"
    try:
        _wait_ready(f"{host}/accounts/login/", server)
        _warm_up(host, config)
        access_log.write_text("")  # the warm-up's requests are not part of the run
        say(
            out,
            f"http: gunicorn ({HTTP_WORKERS} workers) on {host}; {tool}, "
            f"{HTTP_USERS} users for {seconds} s …\n",
        )
        meter = CpuMeter(server.pid) if Path("/proc/stat").exists() else None
        if tool == "wrk":
            parsed = _run_wrk(host, config, seconds, workdir)
            parsed["endpoints"] = parse_access_log(access_log, seconds)
        else:
            parsed = _run_locust(host, config_file, seconds, workdir, env)
        cpu = meter.per_request_ms((parsed["total"] or {}).get("requests", 0)) if meter else None
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    total = parsed["total"] or {}
    section = {
        "tool": parsed["tool"],
        "users": HTTP_USERS,
        "workers": HTTP_WORKERS,
        "seconds": seconds,
        "think_time_s": list(WAIT),
        "requests": total.get("requests", 0),
        "rps": total.get("rps", 0.0),
        "p50_ms": total.get("p50_ms"),
        "p95_ms": total.get("p95_ms"),
        "p99_ms": total.get("p99_ms"),
        "max_ms": total.get("max_ms"),
        "errors": total.get("errors", 0),
        "endpoints": parsed["endpoints"],
        "failures": parsed["failures"],
        "cpu_ms_per_request": cpu,
        "cache": env.get("CACHE_URL", "locmemcache:// (sessions in the database)"),
    }
    say(
        out,
        f"http: {section['rps']} req/s, p50 {section['p50_ms']} ms, p95 {section['p95_ms']} ms, "
        f"p99 {section['p99_ms']} ms, {section['errors']} errors of {section['requests']}"
        + (f"; CPU per request: app {cpu['app']} ms, machine {cpu['machine']} ms" if cpu else "")
        + "\n",
    )
    return section
