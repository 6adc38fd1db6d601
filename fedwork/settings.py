"""fedwork settings, read from the environment (django-environ).

Every value has a default that runs locally on SQLite; production sets DEBUG=False and must then
provide SECRET_KEY, or start-up fails loudly.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only")
else:
    SECRET_KEY = env("SECRET_KEY")  # ImproperlyConfigured when missing: never run production on a default.

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# History is shown in the admin, never reverted there: a revert would skip the services (totals, locks).
SIMPLE_HISTORY_REVERT_DISABLED = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates for FORM_RENDERER below
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "fedwork",
    "plans",
    "activities",
    "reports",
    "submissions",
    "evidence",
    "assessments",
    "api",
    "bench",
]

MIDDLEWARE = [
    "fedwork.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # With a replica only (below): a session that just wrote reads its next pages from the primary.
    "fedwork.db_router.ReadYourWritesMiddleware",
    "fedwork.middleware.TodoCountMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fedwork.urls"
WSGI_APPLICATION = "fedwork.wsgi.application"

# Widgets render through the project's engine (its cached loader, and templates/django/forms/ where
# two of Django's widget templates are written without their per-option includes).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Templates compiled once per process, in every environment (tests too): the pages' tables
            # are template loops, and parsing them on each request would cost more than rendering.
            # runserver still shows an edited template at once: its autoreloader empties this cache.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                ),
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fedwork.context_processors.work_year",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening a PostgreSQL connection per request (Django's default) forks a
# backend and warms its caches every time — a large share of a dashboard's database time. Checked
# before reuse, so a connection the server dropped is replaced rather than failing a request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A pooler in transaction mode (pgbouncer, deploy/pgbouncer.ini) hands each transaction any server
# connection: a server-side cursor (a named cursor living across transactions) would be lost.
DATABASE_POOL_MODE = env.str("DATABASE_POOL_MODE", default="session")
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOL_MODE == "transaction"
# A streaming replica for the views that only read (fedwork/db_router.py); without one, every query
# goes to the primary as before. Reads fall back to the primary when the replica lags by more than
# FEDWORK_REPLICA_MAX_LAG_SECONDS (also how long a session reads from the primary after it wrote).
FEDWORK_REPLICA_MAX_LAG_SECONDS = env.float("FEDWORK_REPLICA_MAX_LAG_SECONDS", default=5.0)
FEDWORK_REPLICA_CHECK_SECONDS = env.float("FEDWORK_REPLICA_CHECK_SECONDS", default=1.0)
DATABASE_ROUTERS = ["fedwork.db_router.ReplicaRouter"]
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].update(
        {
            "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
            "CONN_HEALTH_CHECKS": True,
            "DISABLE_SERVER_SIDE_CURSORS": DATABASE_POOL_MODE == "transaction",
            # A stopped replica is given up on quickly; its reads then go to the primary.
            "OPTIONS": {"connect_timeout": 2, **DATABASES["replica"].get("OPTIONS", {})},
            "TEST": {"MIRROR": "default"},
        }
    )
if "replica" not in DATABASES:
    MIDDLEWARE.remove("fedwork.db_router.ReadYourWritesMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that is away is an empty cache, not a 500 on every page (fedwork/cache.py); and it is
    # given up on within half a second, so that a request does not hang on it.
    CACHES["default"]["BACKEND"] = "fedwork.cache.ForgivingRedisCache"
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": 0.5,
        "socket_timeout": 0.5,
        **CACHES["default"].get("OPTIONS", {}),
    }
# Sessions are read on every request. With a shared cache (Redis), from the cache, written through to
# the database; with a cache of each process's own, only from the database, or a session ended in one
# process would live on in the others.
SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
SESSION_ENGINE = f"django.contrib.sessions.backends.{'cached_db' if SHARED_CACHE else 'db'}"

AUTH_USER_MODEL = "fedwork.User"
AUTHENTICATION_BACKENDS = [
    # django-axes counts failed logins: it locks an account/address pair or an address (throttling.py).
    "axes.backends.AxesStandaloneBackend",
    "fedwork.backends.UserBackend",
]
# Two limits (fedwork/throttling.py): one account from one address, and one address over all accounts;
# the address is the client's, read from the proxy's headers only when they come from TRUSTED_PROXIES.
FEDWORK_LOGIN_LIMIT_PER_ACCOUNT = env.int("AXES_FAILURE_LIMIT", default=5)
FEDWORK_LOGIN_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=30)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_FAILURE_LIMIT = "fedwork.throttling.failure_limit"
AXES_CLIENT_IP_CALLABLE = "fedwork.client_ip.client_ip"
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# English joins once its catalogue exists (the strings are marked for it). Offered before, a browser
# set to English got Chinese pages with Django's own messages ("This field is required.") in English.
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence (佐证材料) lives in the default storage, never under a public URL: files are served
# only by evidence.views.attachment_file, which applies the access rule. FEDWORK_STORAGE=s3 keeps them
# in any S3-compatible store instead (django-storages; docs/operations.md lists its variables).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
FEDWORK_STORAGE = env.str("FEDWORK_STORAGE", default="local")
if FEDWORK_STORAGE == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "access_key": env.str("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# No inline script anywhere: scripts come from our own static files only. Inline style attributes
# (progress bar widths) are allowed; they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Uploads: a request body larger than this is refused before any view reads it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Evidence files: each at most this many MB, at most this many in one upload (evidence.checks); a request
# with more file parts than Django's limit below is refused before any view reads it.
FEDWORK_ATTACHMENT_MAX_MB = env.int("FEDWORK_ATTACHMENT_MAX_MB", default=20)
FEDWORK_ATTACHMENT_MAX_FILES = env.int("FEDWORK_ATTACHMENT_MAX_FILES", default=10)
# Larger photos are refused (a JPEG is decoded smaller instead): see evidence/checks.py.
FEDWORK_ATTACHMENT_MAX_PIXELS = env.int("FEDWORK_ATTACHMENT_MAX_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_NUMBER_FILES = 2 * FEDWORK_ATTACHMENT_MAX_FILES
# Files stream to disk (not memory) above FILE_UPLOAD_MAX_MEMORY_SIZE; private to the server's user.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Production hardening; `manage.py check --deploy` passes with DEBUG=False and a real SECRET_KEY.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "fedwork.middleware.RequestIdFilter"}},
    "formatters": {
        "with_request": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "with_request"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # axes announces itself at every start; its lockout warnings still show.
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# The first year the year selector offers; plans and activities exist from here on.
FEDWORK_FIRST_YEAR = env.int("FEDWORK_FIRST_YEAR", default=2013)

# Reports: a target within this many percentage points below the time-expected share is still 正常.
FEDWORK_PROGRESS_TOLERANCE = env.int("FEDWORK_PROGRESS_TOLERANCE", default=10)

# Email (the reminder digests): smtp+tls://user:password@smtp.example.org:587 in production; on the
# console by default, so a local run shows what would be sent.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# The sender of the digests: most mail servers refuse Django's default webmaster@localhost.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="fedwork <noreply@localhost>")

# Reminders (催办): a child federation's report overdue by more than this many days is reported to the
# upper federation's leaders and administrators.
FEDWORK_REMINDER_GRACE_DAYS = env.int("FEDWORK_REMINDER_GRACE_DAYS", default=3)

# The system's name in the top bar, page titles and the admin (a province may call it otherwise).
FEDWORK_SITE_NAME = env.str("FEDWORK_SITE_NAME", default="妇联工作管理系统")
