"""deploy/faults.py --short: each fault once under a few seconds of load, through a cluster of its own.

Runs only where the cluster can: Debian's haproxy, pgbouncer, redis-server and PostgreSQL 15's
server binaries installed, and as root (the databases run as the postgres user, via runuser). It
starts a cluster on ports +200 in its own directory (3–5 minutes on two busy cores, most of it the
demo's seeding) and fails on any lost, doubled or unanswered write, or totals that disagree.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
sys.path.insert(0, str(DEPLOY))
from cluster import missing_tools  # noqa: E402

pytestmark = [
    pytest.mark.skipif(
        bool(missing_tools()) or os.geteuid() != 0,
        reason="needs haproxy, pgbouncer, redis-server, PostgreSQL 15 and root (apt, see docs/operations.md)",
    ),
    # The cluster is its own whatever the suite's database is: run it once, in the PostgreSQL run of
    # the test command (CI runs the suite on SQLite, then on PostgreSQL), not twice.
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="runs in the PostgreSQL run of the suite only (its cluster is its own)",
    ),
]


def test_no_write_is_lost_or_doubled_under_faults(tmp_path):
    report = tmp_path / "faults.json"
    # Not under tmp_path: pytest's folder is private to root, and the databases run as postgres.
    directory = tempfile.mkdtemp(prefix="fedwork-cluster-test-", dir="/tmp")
    run = subprocess.run(
        [
            sys.executable,
            str(DEPLOY / "faults.py"),
            "--short",
            "--offset",
            "200",
            "--dir",
            directory,
            "--json",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    result = json.loads(report.read_text())
    assert result["check_rollups_clean"]
    rows = {row["fault"]: row for row in result["rows"]}
    assert len(rows) == 4
    for row in rows.values():
        assert row["lost"] == row["doubled"] == row["unanswered"] == 0
        assert row["answered"] == row["activities_saved"]
        assert row["http_500"] == 0  # a fault is a 503 with the Chinese page, or no answer; never a 500
    # Without Redis, sessions come from the database: nobody notices.
    assert rows["stop Redis"]["errors"] == 0
    # Without the replica, the dashboards read from the primary.
    assert rows["stop the replica"]["errors"] == 0
