"""Settings for Sanctuary Tracker, read from the environment.

Development defaults need no set-up (SQLite, DEBUG on). With DEBUG off the app refuses to start
unless SECRET_KEY and ALLOWED_HOSTS are set, so a forgotten variable cannot reach production.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# Core
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-development-only-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not os.environ.get(name)]
    if missing:
        raise ImproperlyConfigured(
            f"DEBUG is off, so these environment variables must be set: {', '.join(missing)}"
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.humanize",
    "django.contrib.messages",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "axes",
    "django_htmx",
    "import_export",
    "simple_history",
    "django_tasks_db",
    "policies",
    "arrivals",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.PathLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.csp",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite for a newcomer's first run, PostgreSQL (psycopg 3) in CI and production.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A hung or unreachable database ends a request with a quick 503 (config.middleware)
    # instead of holding a worker until gunicorn kills it. The statement timeout is set for
    # the web server only (`make serve`): imports and other commands may run longer.
    # JIT compilation off: the summaries' and tables' queries are many small indexed lookups
    # that PostgreSQL's cost estimate takes for large ones, and compiling them took longer
    # than running them (docs/benchmarks.md, imports).
    server_settings = ["-c jit=off"]
    if statement_timeout := os.environ.get("DB_STATEMENT_TIMEOUT"):
        server_settings.append(f"-c statement_timeout={statement_timeout}")
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5")),
        "options": " ".join(server_settings),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every process and host), local memory
# otherwise; CACHE_BACKEND=dummy turns caching off (the benchmark's "nothing cached").
# It holds the data version and the summaries' freshness; whole pages are cached by the proxy
# in front (deploy/nginx.conf), which the views' Cache-Control, ETag and Vary headers drive.
# The data version expires after DATA_VERSION_SECONDS and is then read from the database
# again: with local memory each process sees another's edits within that time, and with Redis
# a change saved while Redis was unreachable comes back within that time.
DATA_VERSION_SECONDS = int(os.environ.get("DATA_VERSION_SECONDS", "30"))
# Parts of pages many addresses share (tracker.views.shared.rendered_part), keyed by the
# data version: a change makes them unused, and they expire after this long.
PART_CACHE_SECONDS = int(os.environ.get("PART_CACHE_SECONDS", "3600"))
if os.environ.get("CACHE_BACKEND") == "dummy":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
elif os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work (staff imports, policies.tasks): Django's tasks framework with the tasks queued
# in the database (django-tasks-db) and run by `manage.py db_worker`, which `make run` starts
# beside the development server. TASKS_BACKEND=immediate runs each task inside the request.
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("TASKS_BACKEND") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Authentication: django-axes locks a username from an address after repeated failed logins.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Behind a proxy the connecting address is the proxy's: the client's is the one the trusted
# proxies appended to X-Forwarded-For (TRUSTED_PROXY_COUNT of them; 0 without a proxy).
AXES_CLIENT_IP_CALLABLE = "config.http.client_ip"
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_FAILURE_LIMIT = 5
# A username from one address, and any usernames from one address (password spraying).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalization: English at /, Spanish under /es/ (reader pages and embeds). Data
# entered by staff stays as entered. Translations are compiled at set-up (make install).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

# Static files: WhiteNoise serves compressed files with hashed names.
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security: every page is unframeable and script-strict; production adds HTTPS-only settings.
CSRF_COOKIE_SECURE = not DEBUG
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # blob: for a chart's PNG export: plotly.js draws the chart's SVG, as a blob URL, on a canvas.
    "img-src": [CSP.SELF, "data:", "blob:"],
    "object-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
}
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"

# Embeds: other sites may frame /embed/ pages. Narrow with a comma-separated list of origins,
# e.g. EMBED_ALLOWED_ORIGINS=https://www.example-news.org. Browsers and shared caches keep an
# embed for EMBED_MAX_AGE seconds, so a staff edit shows there within that time.
EMBED_ALLOWED_ORIGINS = env_list("EMBED_ALLOWED_ORIGINS")
EMBED_MAX_AGE = int(os.environ.get("EMBED_MAX_AGE", "300"))
# Seconds browsers and shared caches (nginx, a CDN) may keep a reader page; after that they
# revalidate, and may keep serving their copy for PAGE_STALE_SECONDS more while they do.
PAGE_MAX_AGE = int(os.environ.get("PAGE_MAX_AGE", "60"))
PAGE_STALE_SECONDS = int(os.environ.get("PAGE_STALE_SECONDS", "30"))

# Logging: warnings and errors to stderr, where the process manager collects them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Third-party apps
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_USE_TRANSACTIONS = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = False
