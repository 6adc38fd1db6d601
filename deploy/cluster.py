"""A fedwork cluster on this machine's loopback: ``make cluster`` starts it, ``make cluster-stop`` ends it.

    python deploy/cluster.py start [--dir DIR] [--offset N] [--apps 2] [--no-replica]
    python deploy/cluster.py stop  [--dir DIR]
    python deploy/cluster.py status [--dir DIR]

What runs (ports with ``--offset 0``, all on 127.0.0.1, never the machine's own 5432 or 6379):

    haproxy :58000 (stats :58080) ─┬─ gunicorn :58001 ─┐   ┌─ pgbouncer :56432 ─ PostgreSQL primary :55432
                                   └─ gunicorn :58002 ─┴───┼─ pgbouncer :56433 ─ PostgreSQL replica :55433
                                                           └─ Redis :56379 (cache, sessions)

The replica is a streaming replica made with pg_basebackup from the primary. PostgreSQL, pgbouncer and
Redis run as the ``postgres`` user (initdb refuses root) in private data directories under ``--dir``
(default ``$CLUSTER_DIR`` or /tmp/fedwork-cluster), which ``stop`` removes. The configuration files
are deploy/haproxy.cfg, deploy/pgbouncer.ini and deploy/redis.conf, filled in here; the same files are
the production reference (docs/operations.md). deploy/faults.py drives this class.

Needs Debian's ``haproxy``, ``pgbouncer``, ``redis-server`` and PostgreSQL 15's server binaries.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
BASE_DIR = DEPLOY.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DEFAULT_DIR = Path(os.environ.get("CLUSTER_DIR", "/tmp/fedwork-cluster"))
DB_USER = "postgres"  # the daemons' system user and the database role
APP_WORKERS = 2  # gunicorn workers per app server (sync): one per core of this machine


@dataclass(frozen=True)
class Ports:
    """The cluster's ports; ``offset`` moves them all (a second cluster, the CI test's)."""

    offset: int = 0

    @property
    def primary(self) -> int:
        return 55432 + self.offset

    @property
    def replica(self) -> int:
        return 55433 + self.offset

    @property
    def bouncer_primary(self) -> int:
        return 56432 + self.offset

    @property
    def bouncer_replica(self) -> int:
        return 56433 + self.offset

    @property
    def redis(self) -> int:
        return 56379 + self.offset

    @property
    def haproxy(self) -> int:
        return 58000 + self.offset

    @property
    def haproxy_stats(self) -> int:
        return 58080 + self.offset

    def app(self, number: int) -> int:
        return 58000 + number + self.offset


def missing_tools() -> list[str]:
    """The programs the cluster needs that this machine lacks (empty when it can run)."""
    needed = ["haproxy", "pgbouncer", "redis-server", "runuser"]
    missing = [name for name in needed if shutil.which(name) is None]
    missing += [
        str(PG_BIN / name) for name in ("initdb", "pg_ctl", "pg_basebackup") if not (PG_BIN / name).exists()
    ]
    return missing


def _render(template: str, **values) -> str:
    return string.Template((DEPLOY / template).read_text()).substitute(values)


def _free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Cluster:
    """The processes of one local cluster, and the faults deploy/faults.py inflicts on them."""

    def __init__(self, directory: Path = DEFAULT_DIR, ports: Ports = Ports(), apps: int = 2, out=sys.stdout):
        self.dir = Path(directory)
        self.run = self.dir / "run"
        self.ports = ports
        self.apps = apps
        self.out = out
        self.state_file = self.dir / "cluster.json"

    # -- addresses ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """haproxy's address: where clients go."""
        return f"http://127.0.0.1:{self.ports.haproxy}"

    def database_url(self, *, direct: bool = False, replica: bool = False) -> str:
        """The primary (or replica) through its pgbouncer, or ``direct`` to PostgreSQL itself."""
        if direct:
            port = self.ports.replica if replica else self.ports.primary
        else:
            port = self.ports.bouncer_replica if replica else self.ports.bouncer_primary
        return f"postgres://{DB_USER}@127.0.0.1:{port}/fedwork"

    @property
    def cache_url(self) -> str:
        return f"redis://127.0.0.1:{self.ports.redis}/0"

    def app_env(self, *, replica: bool = True) -> dict:
        """The app servers' environment (DEBUG off, as in production)."""
        env = dict(os.environ)
        env.update(
            {
                "DEBUG": "False",
                "SECRET_KEY": self._secret(),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_SSL_REDIRECT": "False",
                "TRUSTED_PROXIES": "127.0.0.1",
                "DATABASE_URL": self.database_url(),
                "DATABASE_POOL_MODE": "transaction",
                "CACHE_URL": self.cache_url,
                "LOG_LEVEL": "WARNING",
            }
        )
        env.pop("DATABASE_REPLICA_URL", None)
        if replica:
            env["DATABASE_REPLICA_URL"] = self.database_url(replica=True)
        return env

    def manage_env(self) -> dict:
        """For manage.py run here: straight to the primary (migrations, seeding, check_rollups)."""
        env = self.app_env(replica=False)
        env["DATABASE_URL"] = self.database_url(direct=True)
        env.pop("DATABASE_POOL_MODE")
        env["DEBUG"] = "True"
        return env

    def _secret(self) -> str:
        path = self.dir / "secret_key"
        if not path.exists():
            path.write_text(os.urandom(32).hex())
        return path.read_text()

    # -- start and stop ----------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.out.write(time.strftime("%H:%M:%S ") + text + "\n")
        self.out.flush()

    def start(self, *, replica: bool = True, seed: bool = True) -> None:
        """Everything, from nothing: data directories, the demo data, the replica, the servers."""
        missing = missing_tools()
        if missing:
            raise SystemExit(f"missing: {', '.join(missing)} (apt install haproxy pgbouncer redis-server)")
        if self.state_file.exists():
            raise SystemExit(f"a cluster already runs from {self.dir}: make cluster-stop first")
        busy = [p for p in self._all_ports() if not _free(p)]
        if busy:
            raise SystemExit(f"ports in use: {busy} (another cluster? use --offset)")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.run.mkdir(exist_ok=True)
        shutil.chown(self.dir, DB_USER, DB_USER)
        shutil.chown(self.run, DB_USER, DB_USER)
        self.state_file.write_text(json.dumps({"offset": self.ports.offset, "apps": self.apps}))
        self._init_primary()
        self.start_postgres("primary")
        self._as_postgres(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.ports.primary), "fedwork"]
        )
        self.say("cluster: migrate …")
        self.manage("migrate", "--noinput", "-v", "0")
        if seed:
            self.say("cluster: demo data (seed_demo) …")
            self.manage("seed_demo", "--once")
        if replica:
            self._make_replica()
            self.start_postgres("replica")
        (self.run / "userlist.txt").write_text(f'"{DB_USER}" ""\n')
        self.start_bouncer("primary")
        if replica:
            self.start_bouncer("replica")
        self.start_redis()
        self.manage("collectstatic", "--noinput", "-v", "0", env={**self.app_env(), "DEBUG": "False"})
        for number in range(1, self.apps + 1):
            self.start_app(number, replica=replica)
        self.start_haproxy()
        self.wait_http(f"{self.url}/healthz")
        self.say(f"cluster: up — {self.url}/ (haproxy stats http://127.0.0.1:{self.ports.haproxy_stats}/)")

    def stop(self) -> None:
        """Every process this cluster started, then its directory."""
        for number in range(1, 10):
            self.kill_app(number, quiet=True)
        self._kill_pidfile(self.run / "haproxy.pid")
        for name in ("primary", "replica"):
            self._kill_pidfile(self.run / f"pgbouncer-{name}.pid")
        self._kill_pidfile(self.run / "redis.pid")
        for name in ("replica", "primary"):
            if (self.dir / name / "postmaster.pid").exists():
                self._as_postgres(
                    [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / name), "stop", "-m", "immediate"],
                    check=False,
                )
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.say(f"cluster: stopped, {self.dir} removed")

    def _all_ports(self) -> list[int]:
        p = self.ports
        fixed = [
            p.primary,
            p.replica,
            p.bouncer_primary,
            p.bouncer_replica,
            p.redis,
            p.haproxy,
            p.haproxy_stats,
        ]
        return fixed + [p.app(n) for n in range(1, self.apps + 1)]

    # -- PostgreSQL --------------------------------------------------------------------------------

    def _as_postgres(self, command: list[str], check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", DB_USER, "--", *command],
            check=check,
            cwd="/tmp",
            capture_output=True,
            text=True,
            **kwargs,
        )

    def _init_primary(self) -> None:
        data = self.dir / "primary"
        self._as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                DB_USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        local = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.ports.primary}",
            f"unix_socket_directories = '{self.run}'",
            "shared_buffers = 128MB",
            "max_connections = 100",
        ]
        with open(data / "postgresql.conf", "a") as conf:
            conf.write("\n# fedwork local cluster (deploy/cluster.py)\n" + "\n".join(local) + "\n")
            conf.write((DEPLOY / "primary.conf").read_text())

    def _make_replica(self) -> None:
        self.say("cluster: replica (pg_basebackup) …")
        data = self.dir / "replica"
        self._as_postgres(
            [
                str(PG_BIN / "pg_basebackup"),
                "-h", "127.0.0.1", "-p", str(self.ports.primary), "-U", DB_USER,
                "-D", str(data), "-R", "-X", "stream", "--checkpoint=fast",
            ]
        )  # fmt: skip
        with open(data / "postgresql.auto.conf", "a") as conf:
            conf.write(f"port = {self.ports.replica}\n")

    def start_postgres(self, name: str) -> None:
        data = self.dir / name
        self._as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(self.run / f"postgres-{name}.log"),
                "-w",
                "start",
            ]
        )

    def stop_postgres(self, name: str, mode: str = "fast") -> None:
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.dir / name), "-m", mode, "-w", "stop"])

    def restart_postgres(self, name: str) -> None:
        self._as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / name), "-m", "fast", "-w", "-l",
             str(self.run / f"postgres-{name}.log"), "restart"]
        )  # fmt: skip

    # -- pgbouncer, Redis --------------------------------------------------------------------------

    def start_bouncer(self, name: str) -> None:
        pg_port = self.ports.primary if name == "primary" else self.ports.replica
        port = self.ports.bouncer_primary if name == "primary" else self.ports.bouncer_replica
        ini = self.run / f"pgbouncer-{name}.ini"
        ini.write_text(_render("pgbouncer.ini", PG_PORT=pg_port, BOUNCER_PORT=port, RUN=self.run, NAME=name))
        self._as_postgres(["pgbouncer", "-d", str(ini)])
        self._wait_port(port)

    def start_redis(self) -> None:
        conf = self.run / "redis.conf"
        conf.write_text(_render("redis.conf", REDIS_PORT=self.ports.redis, RUN=self.run))
        self._as_postgres(["redis-server", str(conf)])
        self._wait_port(self.ports.redis)

    def stop_redis(self) -> None:
        self._kill_pidfile(self.run / "redis.pid")

    # -- app servers, haproxy ----------------------------------------------------------------------

    def start_app(self, number: int, *, replica: bool = True, workers: int = APP_WORKERS) -> None:
        """gunicorn number ``number`` (1, 2 …) on its own port, in its own process group."""
        port = self.ports.app(number)
        log = open(self.run / f"app{number}.log", "a")
        process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "fedwork.wsgi",
                "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                "--access-logfile", str(self.run / f"app{number}-access.log"),
                "--access-logformat", "%(m)s %(U)s %(s)s %(D)s",
                "--graceful-timeout", "5",
            ],
            cwd=BASE_DIR,
            env=self.app_env(replica=replica),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: a kill takes the master and its workers together
        )  # fmt: skip
        (self.run / f"app{number}.pid").write_text(str(process.pid))
        self.wait_http(f"http://127.0.0.1:{port}/healthz")

    def app_pids(self, number: int) -> list[int]:
        """gunicorn ``number``'s master and workers (for CPU accounting)."""
        path = self.run / f"app{number}.pid"
        if not path.exists():
            return []
        master = int(path.read_text())
        children = []
        for task in Path(f"/proc/{master}/task").glob("*/children"):
            children += [int(child) for child in task.read_text().split()]
        return [master, *children]

    def kill_app(self, number: int, *, quiet: bool = False) -> None:
        """SIGKILL to gunicorn ``number``'s whole group: a crash, not a graceful stop."""
        path = self.run / f"app{number}.pid"
        if not path.exists():
            return
        try:
            os.killpg(int(path.read_text()), signal.SIGKILL)
        except ProcessLookupError:
            pass
        path.unlink()
        if not quiet:
            self.say(f"cluster: app server {number} killed")

    def start_haproxy(self) -> None:
        servers = "\n".join(
            f"    server app{n} 127.0.0.1:{self.ports.app(n)} check" for n in range(1, self.apps + 1)
        )
        cfg = self.run / "haproxy.cfg"
        cfg.write_text(
            _render(
                "haproxy.cfg",
                RUN=self.run,
                DEPLOY=DEPLOY,
                HAPROXY_PORT=self.ports.haproxy,
                HAPROXY_STATS_PORT=self.ports.haproxy_stats,
                APP_SERVERS=servers,
                WORKERS=APP_WORKERS,
            )
        )
        log = open(self.run / "haproxy.log", "a")
        subprocess.run(["haproxy", "-c", "-q", "-f", str(cfg)], check=True)
        process = subprocess.Popen(
            ["haproxy", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        (self.run / "haproxy.pid").write_text(str(process.pid))
        self._wait_port(self.ports.haproxy)

    def haproxy_command(self, command: str) -> str:
        """A command on haproxy's admin socket ("disable server app/app2", "show stat" …)."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.run / "haproxy.sock"))
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def server_states(self) -> dict[str, str]:
        """haproxy's view of each app server: {"app1": "UP", "app2": "DOWN", …}."""
        states = {}
        for line in self.haproxy_command("show stat").splitlines():
            fields = line.split(",")
            if len(fields) > 17 and fields[0] == "app" and fields[1].startswith("app"):
                states[fields[1]] = fields[17]
        return states

    # -- helpers -----------------------------------------------------------------------------------

    def manage(self, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """``manage.py`` with the primary as its database; output captured."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env or self.manage_env(),
            capture_output=True,
            text=True,
        )
        if check and result.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
        return result

    def _wait_port(self, port: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not _answers(port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answers on 127.0.0.1:{port} after {timeout:.0f} s")
            time.sleep(0.1)

    def wait_http(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")
            time.sleep(0.2)

    def _kill_pidfile(self, path: Path) -> None:
        if not path.exists():
            return
        try:
            pid = int(path.read_text().split()[0])
            os.kill(pid, signal.SIGTERM)
            for _ in range(50):
                os.kill(pid, 0)
                time.sleep(0.1)
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, ValueError, IndexError):
            pass
        path.unlink(missing_ok=True)


def from_state(directory: Path) -> Cluster:
    """The cluster running from ``directory`` (its ports and number of app servers)."""
    state_file = directory / "cluster.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    return Cluster(directory, Ports(state.get("offset", 0)), state.get("apps", 2))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--offset", type=int, default=0, help="added to every port")
    parser.add_argument("--apps", type=int, default=2, help="app servers (gunicorn, 2 workers each)")
    parser.add_argument("--no-replica", action="store_true")
    args = parser.parse_args(argv)
    if args.action == "start":
        cluster = Cluster(args.dir, Ports(args.offset), args.apps)
        try:
            cluster.start(replica=not args.no_replica)
        except BaseException:
            cluster.say("cluster: start failed; the logs' last lines, then stopping what started:")
            for log in sorted(cluster.run.glob("*.log")):
                cluster.say(
                    f"== {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:])
                )
            cluster.stop()
            raise
    elif args.action == "stop":
        from_state(args.dir).stop()
    else:
        cluster = from_state(args.dir)
        print(json.dumps(cluster.server_states()))
        with urllib.request.urlopen(f"{cluster.url}/healthz", timeout=5) as response:
            print(response.read().decode())


if __name__ == "__main__":
    main()
