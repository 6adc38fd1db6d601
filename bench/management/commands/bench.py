"""``manage.py bench``: the benchmark anyone can run (see bench/).

The command never touches the database the app uses. It creates a database of its own on the same
PostgreSQL server (``fedwork_bench_<scale>``; a temporary SQLite file for ``--scale small`` on
SQLite), migrates it and runs the worker (``manage.py bench --worker``) against it in a subprocess,
prints the table and drops the database unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import DEFAULT_LOAD_SECONDS, DEFAULT_REPEAT, SCALES, default_divisions

# BENCH_DB_PREFIX lets two people (or two checkouts) bench on one server without sharing a database.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "fedwork_bench_")


class _Postgres:
    """The PostgreSQL server of DATABASE_URL, reached through its maintenance database."""

    def __init__(self, database: dict):
        self.params = {
            "user": database.get("USER") or None,
            "password": database.get("PASSWORD") or None,
            "host": database.get("HOST") or None,
            "port": database.get("PORT") or None,
        }
        self.app_database = database.get("NAME")

    def _admin(self):
        import psycopg2

        last_error = None
        for maintenance in ("postgres", "template1"):
            try:
                conn = psycopg2.connect(dbname=maintenance, **self.params)
                conn.autocommit = True
                return conn
            except psycopg2.OperationalError as error:
                last_error = error
        raise CommandError(f"cannot connect to the PostgreSQL server: {last_error}")

    def create(self, name: str) -> None:
        from psycopg2 import sql

        conn = self._admin()
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            conn.close()

    def exists(self, name: str) -> bool:
        conn = self._admin()
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                return cursor.fetchone() is not None
        finally:
            conn.close()

    def drop(self, name: str) -> None:
        from psycopg2 import sql

        conn = self._admin()
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        finally:
            conn.close()

    def url(self, name: str) -> str:
        user = quote(self.params["user"] or "", safe="")
        password = quote(self.params["password"] or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = self.params["host"] or ""
        port = f":{self.params['port']}" if self.params["port"] else ""
        return f"postgres://{credentials}{host}{port}/{name}"


class Command(BaseCommand):
    help = (
        "Benchmark on a database of its own: every page at every level and for random counties and "
        "townships (server time), the roll-up vs. the honest raw-figures limit (with its plan), the write "
        "path, the largest city's export, the Excel import and HTTP under load; prints the tables "
        "(and --json)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument(
            "--divisions",
            type=Path,
            help="folder of the division CSVs (default ../shared/data/divisions if present, else a "
            "synthesised tree of the same shape)",
        )
        parser.add_argument("--json", dest="json_file", type=Path, help="also write the figures to this file")
        parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timed runs per figure")
        parser.add_argument(
            "--load-seconds", type=int, default=DEFAULT_LOAD_SECONDS, help="HTTP load duration"
        )
        parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
        parser.add_argument("--skip-http", action="store_true", help="skip the HTTP load test")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="measure again on the database a --keep run left (PostgreSQL; no generation)",
        )
        # Internal: the worker, run by the command itself against the bench database.
        parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--synthesise", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--result-file", type=Path, help=argparse.SUPPRESS)
        parser.add_argument("--expect-db", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1")
        if options["worker"]:
            return self._worker(options)
        return self._parent(options)

    # -----------------------------------------------------------------------------------------------

    def _folder(self, options) -> Path | None:
        folder = options["divisions"]
        if folder is not None:
            if not folder.is_dir():
                raise CommandError(f"--divisions {folder}: no such folder")
            return folder.resolve()
        default = default_divisions()
        return default.resolve() if default.is_dir() else None

    def _parent(self, options) -> None:
        scale = SCALES[options["scale"]]
        database = settings.DATABASES["default"]
        engine = database["ENGINE"]
        name = f"{DB_PREFIX}{scale.name}"
        folder = self._folder(options)
        server = temp_dir = None
        if "postgresql" in engine:
            server = _Postgres(database)
            if server.app_database == name:
                raise CommandError(f"the app's database is called {name}; refusing to drop it")
            if options["reuse"]:
                if not server.exists(name):
                    raise CommandError(f"--reuse: there is no database {name}; run with --keep first")
                self.stdout.write(f"bench database: {name} (reused)")
            else:
                self.stdout.write(f"bench database: {name} (created on the server of DATABASE_URL)")
                server.create(name)
            url = server.url(name)
            expect = name
        elif "sqlite3" in engine:
            if options["reuse"]:
                raise CommandError("--reuse needs PostgreSQL (a SQLite bench database is temporary)")
            if scale.requires_postgres:
                raise CommandError(
                    f"--scale {scale.name} needs PostgreSQL: set DATABASE_URL=postgres://… "
                    "(SQLite is only for --scale small)."
                )
            temp_dir = Path(tempfile.mkdtemp(prefix="fedwork-bench-"))
            path = temp_dir / "bench.sqlite3"
            self.stdout.write(f"bench database: temporary SQLite file {path}")
            url = f"sqlite:///{path}"
            expect = str(path)
        else:
            raise CommandError(f"bench runs on PostgreSQL (or SQLite for --scale small), not {engine}")

        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": url,
                "DEBUG": "False",
                "SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_SSL_REDIRECT": "False",
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        result_file = Path(tempfile.mkstemp(prefix="fedwork-bench-", suffix=".json")[1])
        results = None
        try:
            # Also on a reused database: it brings a database kept by an older checkout up to date.
            migrate = subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=settings.BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
            )
            if migrate.returncode:
                raise CommandError(f"migrate failed on the bench database:\n{migrate.stderr[-3000:]}")
            command = [
                sys.executable,
                "manage.py",
                "bench",
                "--worker",
                "--scale",
                scale.name,
                "--repeat",
                str(options["repeat"]),
                "--load-seconds",
                str(options["load_seconds"]),
                "--result-file",
                str(result_file),
                "--expect-db",
                expect,
            ]
            command += ["--divisions", str(folder)] if folder else ["--synthesise"]
            if options["skip_http"]:
                command.append("--skip-http")
            if options["reuse"]:
                command.append("--reuse")
            worker = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, text=True, bufsize=1
            )
            for line in worker.stdout:
                self.stdout.write(line, ending="")
            status = worker.wait()
            if result_file.stat().st_size:
                results = json.loads(result_file.read_text())
            if status:
                if results and "rollup" in results:
                    # What was measured before the failure, so a long run is not lost.
                    self._report(results, options)
                raise CommandError(f"the bench worker failed (exit status {status}); see its output above")
            self._report(results, options)
        finally:
            result_file.unlink(missing_ok=True)
            if options["keep"]:
                self.stdout.write(f"kept the bench database: {url}")
            elif server is not None:
                server.drop(name)
            elif temp_dir is not None:
                shutil.rmtree(temp_dir, ignore_errors=True)

    def _report(self, results: dict, options) -> None:
        from bench.table import render

        self.stdout.write("")
        self.stdout.write(render(results), ending="")
        if options["json_file"]:
            options["json_file"].write_text(json.dumps(results, ensure_ascii=False, indent=2))
            self.stdout.write(f"figures written to {options['json_file']}")

    # -----------------------------------------------------------------------------------------------

    def _worker(self, options) -> None:
        from django.db import connection

        from bench.measure import run

        actual = str(connection.settings_dict["NAME"])
        if not options["expect_db"] or actual != options["expect_db"]:
            raise CommandError(
                "bench --worker is started by `manage.py bench` on its own database; "
                f"refusing to run on {actual!r}"
            )
        if not options["result_file"]:
            raise CommandError("--result-file is required")
        run(
            scale_name=options["scale"],
            folder=None if options["synthesise"] else options["divisions"],
            repeat=options["repeat"],
            load_seconds=options["load_seconds"],
            skip_http=options["skip_http"],
            result_file=options["result_file"],
            out=self.stdout,
            reuse_database=options["reuse"],
        )
