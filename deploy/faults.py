"""Faults under load, through haproxy: does fedwork lose or double a write when a part of it fails?

    python deploy/faults.py            # make cluster-faults: ~20 s of load around each fault
    python deploy/faults.py --short    # CI (tests/cluster/test_faults.py): a few seconds each

It starts its own cluster (deploy/cluster.py, ports +100, its own directory), sends the bench's mix
of pages (bench/wrk_mix.lua: dashboards and the roll-up API as a city leader, the calendar and the
activity form as county staff, and saving an activity with three figures) from simulated people
with a think time of 100–500 ms, and during that load, one after the other:

1. kills one app server (SIGKILL to its gunicorn): haproxy takes it out, requests in flight on it
   fail, the client sends a failed save again with the same form (its one-time token);
2. stops the primary PostgreSQL for a few seconds and starts it again;
3. stops Redis for a few seconds (cache and sessions: they are read from the database meanwhile);
4. stops the replica for a few seconds (the dashboards read from the primary meanwhile).

A client retries a save that failed (no answer, 5xx) with the same form, as a person clicks 保存
again, until it is answered. Per fault it prints: requests, errors (5xx separately, and how many of
them were 500s — a 503 with the Chinese "系统暂时不可用" page is the clear message), max latency, the
outage (first to last error) and the recovery after the repair, and the writes: answered saves,
activities in the database, lost (answered, not in the database) and doubled (in it twice). At the
end ``check_rollups`` must find the totals equal to the figures. Exit status 1 when any write was lost
or doubled, a save was never answered, or the totals disagree.

The load generator is a copy of the mix's choices in Python (requests, threads), not bench/load.py:
wrk cannot send a form's token again after a failure, and the bench's functions start their own
server.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import Cluster, Ports, from_state  # noqa: E402

STAFF, LEADER = "furong-staff", "changsha-leader"  # the demo's (fedwork/demo.py)
PASSWORD = "demo12345"
YEAR = 2013  # the demo's plans' year, which both open on
WAIT = (0.1, 0.5)
TASKS = ["dashboard"] * 3 + ["calendar"] * 3 + ["form"] * 2 + ["save"] + ["api"] * 3
CLEAR_MESSAGE = "系统暂时不可用"
WRITE_DEADLINE = 90  # seconds a client keeps sending one form again
TIMEOUT = 15


@dataclass
class Request:
    kind: str
    started: float
    ended: float
    status: int  # 0: no answer (connection refused or reset, timeout)
    ok: bool
    clear: bool = False  # a 503 with the Chinese page


@dataclass
class Write:
    title: str
    started: float
    answered: bool = False
    attempts: int = 0


@dataclass
class Load:
    requests: list[Request] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, request: Request) -> None:
        with self.lock:
            self.requests.append(request)


class LoopbackSession(requests.Session):
    """Sends the app's Secure cookies (DEBUG is off) over the cluster's plain-HTTP loopback too."""

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def new_session() -> requests.Session:
    return LoopbackSession()


def login(url: str, username: str) -> requests.Session:
    """A signed-in session through the balancer (the PBKDF2 login once per persona)."""
    session = new_session()
    page = session.get(f"{url}/accounts/login/", timeout=TIMEOUT)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {answer.status_code}")
    return session


def set_year(url: str, session: requests.Session, year: int) -> None:
    """The session's work year (the top bar's year switch), which the activity form saves into."""
    page = session.get(f"{url}/", timeout=TIMEOUT).text  # the top bar's year form is on every page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = session.post(
        f"{url}/year/",
        data={"csrfmiddlewaretoken": token, "year": year, "next": "/"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"setting the year failed: {answer.status_code}")


class Person(threading.Thread):
    """One simulated person: a task by the mix's weights, then a think time, until told to stop."""

    def __init__(self, number: int, url: str, cookies: dict, config: dict, load: Load, stop: threading.Event):
        super().__init__(daemon=True)
        self.number, self.url, self.config, self.load, self.stop = number, url, config, load, stop
        self.random = random.Random(number)
        self.sessions = {}
        for who, jar in cookies.items():
            session = new_session()
            session.cookies.update(jar)
            self.sessions[who] = session
        self.saved = 0

    def run(self) -> None:
        while not self.stop.is_set():
            task = self.random.choice(TASKS)
            getattr(self, task)()
            time.sleep(self.random.uniform(*WAIT))

    def _get(self, kind: str, who: str, path: str) -> requests.Response | None:
        started = time.monotonic()
        try:
            response = self.sessions[who].get(self.url + path, timeout=TIMEOUT, allow_redirects=False)
        except requests.RequestException:
            self.load.add(Request(kind, started, time.monotonic(), 0, False))
            return None
        ok = response.status_code == 200
        clear = response.status_code == 503 and CLEAR_MESSAGE in response.text
        self.load.add(Request(kind, started, time.monotonic(), response.status_code, ok, clear))
        return response if ok else None

    def dashboard(self) -> None:
        self._get("dashboard", LEADER, f"/reports/{self.random.choice(self.config['codes'])}/")

    def calendar(self) -> None:
        self._get("calendar", STAFF, "/activities/calendar/")

    def api(self) -> None:
        self._get("api", LEADER, f"/api/v1/rollup/{self.random.choice(self.config['codes'])}/{YEAR}/")

    def form(self) -> None:
        self._get("form", STAFF, "/activities/new/")

    def save(self) -> None:
        """GET the form, then POST it until answered: again with the same one-time token after a
        failure, as a person who clicks 保存 again."""
        page = self._get("form", STAFF, "/activities/new/")
        if page is None:
            return
        token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.saved += 1
        write = Write(f"fault-{self.number}-{self.saved}-{token[:8]}", time.monotonic())
        with self.load.lock:
            self.load.writes.append(write)
        data = {
            "csrfmiddlewaretoken": csrf,
            "form_token": token,
            "type": self.random.choice(self.config["types"]),
            "title": write.title,
            "status": "done",
            "actual_start": f"{YEAR}-06-15T09:30",
            "place": "load",
        }
        for indicator in self.random.sample(self.config["indicators"], 3):
            data[f"fig_{indicator}"] = self.random.randint(1, 30)
        while time.monotonic() - write.started < WRITE_DEADLINE:
            write.attempts += 1
            started = time.monotonic()
            try:
                response = self.sessions[STAFF].post(
                    self.url + "/activities/new/", data=data, timeout=TIMEOUT, allow_redirects=False
                )
            except requests.RequestException:
                self.load.add(Request("save", started, time.monotonic(), 0, False))
                time.sleep(0.5)
                continue
            status = response.status_code
            location = response.headers.get("Location", "")
            ok = status == 302 and "/accounts/login/" not in location
            clear = status == 503 and CLEAR_MESSAGE in response.text
            self.load.add(Request("save", started, time.monotonic(), status, ok, clear))
            if ok:
                write.answered = True
                return
            if status < 500:
                return  # refused (the form's errors, a lost login): a person would read, not resend
            time.sleep(0.5)


def mix_config(cluster: Cluster, staff: requests.Session) -> dict:
    """Codes, activity types and indicators for the mix, read from the form and the primary."""
    form = staff.get(f"{cluster.url}/activities/new/", timeout=TIMEOUT).text
    select = form[form.index('name="type"') : form.index("</select>", form.index('name="type"'))]
    with psycopg2.connect(cluster.database_url(direct=True)) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT code FROM fedwork_federation WHERE parent_id = (SELECT id FROM fedwork_federation "
            "WHERE code = '430102') ORDER BY code LIMIT 1"
        )
        township = cursor.fetchone()[0]
        cursor.execute("SELECT code FROM plans_indicator WHERE decimal_places = 0")
        whole = {row[0] for row in cursor.fetchall()}
    indicators = [code for code in re.findall(r'name="fig_([^"]+)"', form) if code in whole]
    return {
        "codes": ["4301", "430102", township],
        "types": re.findall(r'<option value="(\d+)"', select),
        "indicators": indicators,
    }


def saved_titles(cluster: Cluster) -> dict[str, int]:
    """How many activities each load title has in the primary."""
    with psycopg2.connect(cluster.database_url(direct=True)) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT title, count(*) FROM activities_activity WHERE title LIKE 'fault-%' GROUP BY title"
        )
        return dict(cursor.fetchall())


@dataclass
class Fault:
    name: str
    inject: callable
    repair: callable | None


def faults(cluster: Cluster) -> list[Fault]:
    def restart_app():
        cluster.start_app(1)

    return [
        Fault("kill app server 1", lambda: cluster.kill_app(1, quiet=True), restart_app),
        Fault(
            "restart the primary",
            lambda: cluster.stop_postgres("primary"),
            lambda: cluster.start_postgres("primary"),
        ),
        Fault("stop Redis", cluster.stop_redis, cluster.start_redis),
        Fault(
            "stop the replica",
            lambda: cluster.stop_postgres("replica"),
            lambda: cluster.start_postgres("replica"),
        ),
    ]


def summarise(
    name: str, load: Load, start: float, injected: float, repaired: float, end: float, saved: dict
) -> dict:
    requests_ = [r for r in load.requests if start <= r.started < end]
    failed = [r for r in requests_ if not r.ok]
    writes = [w for w in load.writes if start <= w.started < end]
    in_db = sum(saved.get(w.title, 0) for w in writes)
    last_error = max((r.ended for r in failed), default=None)
    first_error = min((r.started for r in failed), default=None)
    return {
        "fault": name,
        "requests": len(requests_),
        "errors": len(failed),
        "no_answer": sum(1 for r in failed if r.status == 0),
        "http_5xx": sum(1 for r in failed if r.status >= 500),
        "http_500": sum(1 for r in failed if r.status == 500),
        "clear_503": sum(1 for r in failed if r.clear),
        "max_latency_s": round(max((r.ended - r.started for r in requests_), default=0), 2),
        "outage_s": round(last_error - first_error, 2) if failed else 0.0,
        "recovery_after_repair_s": round(max(0.0, last_error - repaired), 2) if failed else 0.0,
        "fault_held_s": round(repaired - injected, 2),
        "saves": len(writes),
        "answered": sum(1 for w in writes if w.answered),
        "unanswered": sum(1 for w in writes if not w.answered),
        "retried": sum(1 for w in writes if w.attempts > 1),
        "activities_saved": in_db,
        "lost": sum(1 for w in writes if w.answered and saved.get(w.title, 0) == 0),
        "doubled": sum(1 for w in writes if saved.get(w.title, 0) > 1),
    }


def wait_healthy(cluster: Cluster, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            body = requests.get(f"{cluster.url}/healthz", timeout=5).json()
            states = cluster.server_states()
            replica = body.get("replica", {}).get("state")
            if body.get("status") == "ok" and replica == "ok" and all(s == "UP" for s in states.values()):
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError("the cluster did not come back healthy within a minute")


def run(
    cluster: Cluster, *, users: int, before: float, held: float, after: float, out=sys.stdout
) -> list[dict]:
    staff, leader = login(cluster.url, STAFF), login(cluster.url, LEADER)
    for session in (staff, leader):
        set_year(cluster.url, session, YEAR)  # as the demo opens; deploy/measure.py moves staff on
    config = mix_config(cluster, staff)
    cookies = {STAFF: staff.cookies.get_dict(), LEADER: leader.cookies.get_dict()}
    load, stop = Load(), threading.Event()
    people = [Person(n, cluster.url, cookies, config, load, stop) for n in range(users)]
    for person in people:
        person.start()
    phases = []
    for fault in faults(cluster):
        start = time.monotonic()
        time.sleep(before)
        out.write(f"{time.strftime('%H:%M:%S')} fault: {fault.name} …\n")
        out.flush()
        injected = time.monotonic()
        fault.inject()
        time.sleep(held)
        fault.repair()
        repaired = time.monotonic()
        wait_healthy(cluster)
        time.sleep(after)
        phases.append((fault.name, start, injected, repaired, time.monotonic()))
    stop.set()
    for person in people:
        person.join(timeout=WRITE_DEADLINE + TIMEOUT)
    saved = saved_titles(cluster)
    return [summarise(name, load, *times, saved) for name, *times in phases]


COLUMNS = [
    ("fault", "fault", 22),
    ("requests", "requests", 8),
    ("errors", "errors", 6),
    ("http_500", "500s", 4),
    ("clear_503", "clear 503", 9),
    ("no_answer", "no answer", 9),
    ("max_latency_s", "max s", 6),
    ("outage_s", "outage s", 8),
    ("recovery_after_repair_s", "recovery s", 10),
    ("answered", "saves answered", 14),
    ("activities_saved", "in database", 11),
    ("lost", "lost", 4),
    ("doubled", "doubled", 7),
]


def table(rows: list[dict]) -> str:
    lines = [" | ".join(title.ljust(width) for _key, title, width in COLUMNS)]
    for row in rows:
        lines.append(" | ".join(str(row[key]).ljust(width) for key, _title, width in COLUMNS))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="CI: a few seconds of load around each fault")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--offset", type=int, default=100, help="added to the cluster's ports")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/fedwork-cluster-faults"))
    parser.add_argument("--json", type=Path, help="write the rows here too")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running afterwards")
    parser.add_argument("--running", type=Path, help="use the cluster already running from this directory")
    args = parser.parse_args(argv)
    before, held, after = (2, 3, 2) if args.short else (8, 6, 8)
    users = args.users or (6 if args.short else 20)
    if args.running:
        cluster = from_state(args.running)
    else:
        cluster = Cluster(args.dir, Ports(args.offset))
        cluster.start()
    try:
        rows = run(cluster, users=users, before=before, held=held, after=after)
        rollups = cluster.manage("check_rollups", check=False)
    finally:
        if not args.keep and not args.running:
            cluster.stop()
    print(table(rows))
    clean = rollups.returncode == 0
    print("check_rollups:", "clean" if clean else "DIFFERENCES\n" + rollups.stderr[-3000:])
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "check_rollups_clean": clean}, ensure_ascii=False, indent=1)
        )
    bad = [
        r["fault"]
        for r in rows
        if r["lost"] or r["doubled"] or r["unanswered"] or r["answered"] != r["activities_saved"]
    ]
    if bad or not clean:
        print(f"FAILED: lost, doubled or unanswered writes in {bad}" if bad else "FAILED: totals differ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
