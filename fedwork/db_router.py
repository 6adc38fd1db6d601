"""Reads from a streaming replica where they belong, everything else on the primary.

With ``DATABASE_REPLICA_URL`` set (fedwork/settings.py), the views marked ``@reads_from_replica`` —
the dashboard, the annual export, the year-end summary, the API's roll-up — read from the
``replica`` alias. Everything else, and inside those views every write, every read inside a
transaction on the primary, and every session, login and throttling read, stays on ``default``.

Three rules keep a reader from seeing the past (docs/scaling.md):

- **read your writes**: a POST (any unsafe method) that succeeds stamps the session
  (ReadYourWritesMiddleware); for ``FEDWORK_REPLICA_MAX_LAG_SECONDS`` after it, that session reads
  from the primary — the page after saving shows what was saved;
- **lag**: each process measures the replica's replay lag at most once every
  ``FEDWORK_REPLICA_CHECK_SECONDS``; beyond ``FEDWORK_REPLICA_MAX_LAG_SECONDS`` reads go to the
  primary. Since the sticky window equals the lag bound, a write older than the window has reached
  any replica that is read;
- **failure**: a replica that does not answer (stopped, its pgbouncer refusing) is left alone until
  the next check, and the view that met the failure runs again on the primary (these views only read).

Without a replica configured, none of this runs and every query goes to ``default`` as before.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
WROTE_AT_SESSION_KEY = "_fedwork_wrote_at"
# Never from the replica: a session or login just written (a new login's first page), the login
# throttling's counts, the permission tables and the admin's log.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "axes", "admin", "contenttypes"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

logger = logging.getLogger(__name__)

# Per request (per thread or task): the view asked for replica reads, and the replica was used.
_reading = contextvars.ContextVar("fedwork_replica_reading", default=False)
_used = contextvars.ContextVar("fedwork_replica_used", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


# -- the router ----------------------------------------------------------------------------------


class ReplicaRouter:
    """DATABASE_ROUTERS entry: ``replica`` for reads inside a ``reads_from_replica`` view, else None
    (Django's default alias). Writes always go to ``default``; migrations run only there."""

    def db_for_read(self, model, **hints) -> str | None:
        if not _reading.get() or model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        if model._meta.label == settings.AUTH_USER_MODEL:
            return None
        # Inside a transaction on the primary, read what that transaction sees.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        _used.set(True)
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The replica is read-only and follows the primary's schema by replication. (Tests that
        # stand in for one with a SQLite file create its tables with migrate --database replica.)
        return None


# -- the replica's state in this process -----------------------------------------------------------


@dataclass
class ReplicaState:
    """The last measurement of this process: ``lag`` in seconds, None when the replica failed."""

    lag: float | None = None
    checked_at: float = float("-inf")  # time.monotonic()
    error: str = ""


state = ReplicaState()

# On a replica: 0 while it has replayed all it received from a primary it is streaming from; else
# the age of the last transaction it replayed (which grows while it is cut off, so that a replica
# that stopped following is left alone). 0 on a server that is no replica (a test's stand-in).
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


def measure_lag() -> float:
    """The replica's replay lag in seconds (0.0 when caught up); DatabaseError when it does not answer."""
    connection = connections[REPLICA]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def replica_lag(*, fresh: bool = False) -> float | None:
    """The replica's lag in seconds as last measured (at most FEDWORK_REPLICA_CHECK_SECONDS ago, or
    now with ``fresh``); None when it did not answer."""
    now = time.monotonic()
    if fresh or now - state.checked_at >= settings.FEDWORK_REPLICA_CHECK_SECONDS:
        state.checked_at = now
        try:
            state.lag, state.error = measure_lag(), ""
        except DatabaseError as error:
            state.lag, state.error = (
                None,
                str(error).strip().splitlines()[0] if str(error).strip() else "error",
            )
            _close_quietly()
    return state.lag


def mark_failed(error: Exception) -> None:
    """The replica failed during a request: leave it alone until the next check."""
    state.lag, state.checked_at, state.error = None, time.monotonic(), str(error).strip()[:200]
    _close_quietly()


def _close_quietly() -> None:
    try:
        connections[REPLICA].close()
    except DatabaseError:
        pass


def replica_status() -> dict:
    """For /healthz: {"state": "ok" | "lagging" | "unreachable", "lag_seconds": float | None,
    "max_lag_seconds": float}, measured now."""
    lag = replica_lag(fresh=True)
    limit = settings.FEDWORK_REPLICA_MAX_LAG_SECONDS
    if lag is None:
        status = "unreachable"
    elif lag > limit:
        status = "lagging"
    else:
        status = "ok"
    return {"state": status, "lag_seconds": None if lag is None else round(lag, 3), "max_lag_seconds": limit}


# -- which requests read from it ---------------------------------------------------------------------


def wrote_recently(request) -> bool:
    """True while the session's last successful write is younger than the lag bound."""
    session = getattr(request, "session", None)
    if session is None:
        return False
    wrote_at = session.get(WROTE_AT_SESSION_KEY)
    return wrote_at is not None and time.time() - wrote_at < settings.FEDWORK_REPLICA_MAX_LAG_SECONDS


def replica_usable(request) -> bool:
    """May this request read from the replica: one is configured, the session wrote nothing in the
    sticky window, and the replica answered within the lag bound at its last check."""
    if not replica_configured() or request.method in UNSAFE_METHODS or wrote_recently(request):
        return False
    lag = replica_lag()
    return lag is not None and lag <= settings.FEDWORK_REPLICA_MAX_LAG_SECONDS


def reads_from_replica(view: Callable) -> Callable:
    """View decorator: the view's reads go to the replica when :func:`replica_usable` says so.

    Only for views that write nothing the reader must see at once; their writes still go to the
    primary. If the replica fails during the view, the view runs once more on the primary.
    Put it under ``@login_required``, so that the user is read (from the primary) first.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not replica_usable(request):
            return view(request, *args, **kwargs)
        reading, used = _reading.set(True), _used.set(False)
        try:
            return view(request, *args, **kwargs)
        except DatabaseError as error:
            if not _used.get():
                raise
            logger.warning("replica failed, reading from the primary: %s", error)
            mark_failed(error)
        finally:
            _reading.reset(reading)
            _used.reset(used)
        return view(request, *args, **kwargs)

    return wrapper


class ReadYourWritesMiddleware:
    """Stamps the session of a signed-in request that may have written (an unsafe method answered
    below 400): its next pages read from the primary for FEDWORK_REPLICA_MAX_LAG_SECONDS. Installed
    only with a replica, just inside SessionMiddleware, which then saves the stamp (settings)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method in UNSAFE_METHODS and response.status_code < 400 and user and user.is_authenticated:
            request.session[WROTE_AT_SESSION_KEY] = time.time()
        return response
