"""Linli settings: one env-driven module (12-factor).

Development is the default. ``LINLI_ENV=production`` turns on the production checks: no secret
defaults, HTTPS-only cookies, HSTS, a Content-Security-Policy and no debug pages.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import overload

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LINLI_VAR_DIR", BASE_DIR / "var"))


@overload
def env(name: str) -> str | None: ...
@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: None) -> str | None: ...
def env(name: str, default: str | None = None) -> str | None:
    """The variable's value; unset and empty both give the default."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value is not None else default


LINLI_ENV = env("LINLI_ENV", "development")
PRODUCTION = LINLI_ENV == "production"
TESTING = "pytest" in sys.modules or env_bool("LINLI_TESTING")

# --- secrets ---------------------------------------------------------------------------------------
SECRET_KEY = env("LINLI_SECRET_KEY") or env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "LINLI_SECRET_KEY must be set when LINLI_ENV=production (50+ random characters, e.g. from "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`). See docs/deploy.md."
        )
    SECRET_KEY = "dev-only-insecure-key-not-for-production-use-0123456789abcdef"  # noqa: S105

# Field-encryption keys: LINLI_DATA_KEY (a key ring string) or a key file. See linli/core/crypto.py.
LINLI_DATA_KEY = env("LINLI_DATA_KEY")
LINLI_DATA_KEY_FILE = env("LINLI_DATA_KEY_FILE", str(VAR_DIR / "data.key"))
if PRODUCTION and not LINLI_DATA_KEY and not Path(LINLI_DATA_KEY_FILE or "").is_file():
    raise ImproperlyConfigured(
        "LINLI_DATA_KEY or LINLI_DATA_KEY_FILE (an existing file) must be set when LINLI_ENV=production "
        "(`LINLI_DATA_KEY_FILE=/path linli create-data-key`, run without LINLI_ENV, writes one). See docs/deploy.md."
    )

DEBUG = env_bool("LINLI_DEBUG", not PRODUCTION) and not PRODUCTION
ALLOWED_HOSTS = (env("LINLI_ALLOWED_HOSTS") or ("" if PRODUCTION else "127.0.0.1,localhost,testserver")).split(",")
ALLOWED_HOSTS = [h.strip() for h in ALLOWED_HOSTS if h.strip()]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("LINLI_ALLOWED_HOSTS must be set when LINLI_ENV=production.")
CSRF_TRUSTED_ORIGINS = [o for o in (env("LINLI_CSRF_TRUSTED_ORIGINS") or "").split(",") if o]

# --- applications ------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "linli.core",
    "linli.accounts",
    "linli.places",
    "linli.residents",
    "linli.cases",
    "linli.points",
    "linli.party",
    "linli.orders",
    "linli.volunteers",
    "linli.evaluation",
    "linli.deliberation",
    "linli.mediation",
    "linli.hall",
    "linli.care",
    "linli.iot",
    "linli.open311",
    "linli.dashboards",
    "linli.notifications",
    "linli.privacy",
]

MIDDLEWARE = [
    "linli.core.middleware.BodyLimitMiddleware",
    "linli.core.hostile.HostileInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "linli.core.static_serve.StaticMiddleware",  # WhiteNoise; gzip in development too
    "linli.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "linli.accounts.middleware.SessionSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

if env("DATABASE_REPLICA_URL"):
    # Reports read from the standby; a client that just wrote reads its own write (linli/core/replica.py).
    DATABASE_ROUTERS = ["linli.core.replica.ReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      "linli.core.replica.ReplicaWriteMarkMiddleware")

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "linli.core.hostile.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "linli" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "linli.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- database ----------------------------------------------------------------------------------------
# In a cluster (docs/deploy.md) DATABASE_URL points at PgBouncer in transaction mode and
# DATABASE_DIRECT_URL at the primary itself. Through the pooler a session lasts one transaction: no
# server-side cursors (Django's .iterator() would open one that the next statement may not find), and
# long reads walk by keyset (linli.core.batches). One-off commands (migrate, kpi-recompute,
# audit-archive, rotate-key, ...) connect directly; the long-running processes (gunicorn, run_huey,
# serve) go through the pooler. DATABASE_REPLICA_URL adds a standby for the reports (linli.core.replica).
DATABASE_URL = env("DATABASE_URL")
DATABASE_DIRECT_URL = env("DATABASE_DIRECT_URL")
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
POOLED_COMMANDS = frozenset({"run_huey", "serve", "runserver"})


def _command() -> str | None:
    """The management command this process runs (``linli kpi-recompute``, ``manage.py migrate``), if any."""
    if len(sys.argv) > 1 and Path(sys.argv[0]).name in {"manage.py", "linli", "django-admin"}:
        return sys.argv[1].replace("-", "_")
    return None


DATABASE_CONNECTS_DIRECTLY = bool(DATABASE_DIRECT_URL) and _command() not in (None, *POOLED_COMMANDS)
if DATABASE_URL:
    default_url: str = (DATABASE_DIRECT_URL or DATABASE_URL) if DATABASE_CONNECTS_DIRECTLY else DATABASE_URL
    DATABASES = {"default": dj_database_url.parse(default_url, conn_max_age=600, conn_health_checks=True)}
    # Pooled when a direct URL exists beside it (or LINLI_DB_POOLED=1 says so).
    DATABASE_POOLED = not DATABASE_CONNECTS_DIRECTLY and env_bool("LINLI_DB_POOLED", bool(DATABASE_DIRECT_URL))
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLED
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=600, conn_health_checks=True)
        DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLED
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
else:
    DATABASE_POOLED = False
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("LINLI_SQLITE_PATH", str(VAR_DIR / "linli.sqlite3")),
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 10,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=10000;"
                    "PRAGMA cache_size=-32000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, sessions ---------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Read from Redis, written through to the database: a Redis restart (or a flushed cache) logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "linli"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Reference data cached in each process (linli/core/refdata.py): with a shared cache every change reaches
# the other processes through its version there, and the lifetime only guards a version lost on the way;
# without one (each process's own memory) the lifetime is how late another process sees a change.
LINLI_REFDATA_SECONDS = env_int("LINLI_REFDATA_SECONDS", 600 if REDIS_URL else 30)

# --- background work (Huey) --------------------------------------------------------------------------
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "linli",
        "url": REDIS_URL,
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "linli",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# --- notices (linli/notifications): outside channels; the console sender for any not configured ----------
LINLI_SMS_GATEWAY_URL = env("LINLI_SMS_GATEWAY_URL", "")
LINLI_SMS_GATEWAY_TOKEN = env("LINLI_SMS_GATEWAY_TOKEN", "")
LINLI_WECHAT_APPID = env("LINLI_WECHAT_APPID", "")
LINLI_WECHAT_SECRET = env("LINLI_WECHAT_SECRET", "")
LINLI_WECHAT_TEMPLATE_ID = env("LINLI_WECHAT_TEMPLATE_ID", "")
LINLI_NOTICE_SENDERS = {
    "sms": "linli.notifications.senders.HttpSmsSender" if LINLI_SMS_GATEWAY_URL else "",
    "wechat": "linli.notifications.senders.WechatTemplateSender" if LINLI_WECHAT_APPID else "",
    "email": "linli.notifications.senders.EmailSender" if env("EMAIL_HOST") else "",
}
if env("EMAIL_HOST"):
    EMAIL_HOST = env("EMAIL_HOST", "")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env("LINLI_FROM_EMAIL", "linli@localhost")
# A worker that dies mid-send leaves its claim; after this many seconds another worker sends again.
LINLI_NOTICE_CLAIM_SECONDS = env_int("LINLI_NOTICE_CLAIM_SECONDS", 120)
# At most one wake-up of the delivery task enqueued per this many seconds in a process (0: one per transaction).
LINLI_NOTICE_WAKE_SECONDS = float(env("LINLI_NOTICE_WAKE_SECONDS", "0.5"))
# The address links in SMS and e-mails start with (https://linli.example.gov.cn); the QR codes use it too
# and fall back to the request's host. Notices sent without it link to LINLI_LOCAL_URL: where this machine's
# server answers, which `manage.py serve` sets for its web server and worker to its own --host/--port (a demo).
LINLI_PUBLIC_URL = env("LINLI_PUBLIC_URL", "")
LINLI_LOCAL_URL = env("LINLI_LOCAL_URL", "http://127.0.0.1:8000")

# --- authentication ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["linli.accounts.backends.UsernameOrPhoneBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "linli.accounts.passwords.PolicyLengthValidator"},
    {"NAME": "linli.accounts.passwords.CharacterClassesValidator"},
    {"NAME": "linli.accounts.passwords.NotUsernameValidator"},
    {"NAME": "linli.accounts.passwords.HistoryValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False

# --- i18n -----------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "linli" / "locale"]
TIME_ZONE = env("LINLI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static files ----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("LINLI_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from npm (package.json); only the files the pages use are served.
LINLI_VENDOR_STATIC = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist", ["css/bootstrap.min.css*", "js/bootstrap.bundle.min.js*"]),
    # Bootstrap Icons: pages use core/icons/ (the icons Linli names, 24 KB; linli/core/icons.py builds it).
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist", ["htmx.min.js"]),
    # ECharts: the common build (bar, line, pie, legend, tooltip) on the profile, KPI and device pages; the full
    # one only on the big screen (its gauge).
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist", ["echarts.min.js", "echarts.common.min.js"]),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist", ["leaflet.js", "leaflet.js.map", "leaflet.css", "images/*"]),
    # axe-core checks accessibility in the browser tests; never linked from a page.
    ("vendor/axe-core", NODE_MODULES / "axe-core", ["axe.min.js"]),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "linli.core.staticfinders.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if not PRODUCTION:
    # Development and tests serve static files straight from the finders (no collectstatic needed).
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
    STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"  # served by linli.core.media (each app's access rules), never as static files
# Production behind nginx: the prefix of an `internal` location over MEDIA_ROOT (e.g. /protected-media/);
# the media view then answers with X-Accel-Redirect and nginx sends the file. See docs/deploy.md.
LINLI_MEDIA_ACCEL_PREFIX = env("LINLI_MEDIA_ACCEL_PREFIX", "")
# Limits at the door (docs/limits.md). The API carries photos as base64 inside JSON, so its bodies are
# read into memory up to LINLI_API_MAX_BODY; pages stream files to disk, up to LINLI_MAX_BODY in all.
LINLI_API_MAX_BODY = env_int("LINLI_API_MAX_BODY", 24 * 1024 * 1024)
LINLI_MAX_BODY = env_int("LINLI_MAX_BODY", 100 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = LINLI_API_MAX_BODY
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- security headers --------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LINLI_CSP = env(
    "LINLI_CSP",
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'self'; object-src 'none'",
)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("LINLI_SSL_REDIRECT", True)
    # Load balancers and monitors probe /healthz over plain HTTP on the private side.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("LINLI_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Linli --------------------------------------------------------------------------------------------------
# Office hours for deadlines in working hours: "HH:MM-HH:MM,HH:MM-HH:MM".
LINLI_OFFICE_HOURS = env("LINLI_OFFICE_HOURS", "08:30-12:00,14:00-17:30")
LINLI_AUDIT_RETENTION_DAYS = max(180, env_int("LINLI_AUDIT_RETENTION_DAYS", 180))
LINLI_API_TOKEN_DAYS = env_int("LINLI_API_TOKEN_DAYS", 30)
LINLI_WORKER_STALE_SECONDS = env_int("LINLI_WORKER_STALE_SECONDS", 180)
# Behind nginx (docs/deploy.md): how many proxies append to X-Forwarded-For, so that the audit log and
# the login throttle see the client's address, not the proxy's. 0 = use REMOTE_ADDR.
# Privacy (docs/privacy.md): full-number searches per user; SMS codes per phone and per address; retention.
LINLI_NUMBER_SEARCH_PER_HOUR = env_int("LINLI_NUMBER_SEARCH_PER_HOUR", 20)
LINLI_NUMBER_SEARCH_PER_DAY = env_int("LINLI_NUMBER_SEARCH_PER_DAY", 60)
LINLI_SMS_PER_PHONE_HOUR = env_int("LINLI_SMS_PER_PHONE_HOUR", 3)
LINLI_SMS_PER_PHONE_DAY = env_int("LINLI_SMS_PER_PHONE_DAY", 10)
LINLI_SMS_PER_ADDRESS_HOUR = env_int("LINLI_SMS_PER_ADDRESS_HOUR", 10)
LINLI_SMS_PER_ADDRESS_DAY = env_int("LINLI_SMS_PER_ADDRESS_DAY", 30)
LINLI_RETENTION_DAYS = env_int("LINLI_RETENTION_DAYS", 3 * 365)
# SMS notices to a phone-only reporter (no account) are deleted with their number this long after delivery.
LINLI_SMS_NUMBER_DAYS = env_int("LINLI_SMS_NUMBER_DAYS", 30)
LINLI_TRUSTED_PROXIES = env_int("LINLI_TRUSTED_PROXIES", 0)
# bench/http_rps.py sets this to add its baseline URL /bench/bare (never set it in production).
LINLI_BENCH = env_bool("LINLI_BENCH")
# Only with LINLI_BENCH: "city-first" numbers cases as before issue 18 (one city-wide row locked from the
# start of each intake to its commit), so that the cluster test measures what the district scheme saves.
LINLI_CASE_NUMBERS = env("LINLI_CASE_NUMBERS", "district-last")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "linli.core.logging.MaskPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s", "datefmt": "%H:%M:%S"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("LINLI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A handler of its own (the same console) so that run_huey does not add a second one.
        "huey": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}

# Smart monitoring (linli/iot): the MQTT broker the ingest (linli iot-ingest) subscribes to and the
# simulator publishes on; topics are <prefix>/devices/<code>/readings. Raw readings are kept this many days
# (hourly rollups are kept).
LINLI_MQTT_HOST = env("MQTT_HOST", "127.0.0.1")
LINLI_MQTT_PORT = env_int("MQTT_PORT", 1883)
LINLI_MQTT_PREFIX = env("MQTT_PREFIX", "linli")
LINLI_MQTT_USERNAME = env("MQTT_USERNAME", "")
LINLI_MQTT_PASSWORD = env("MQTT_PASSWORD", "")
LINLI_MQTT_CLIENT_ID = env("MQTT_CLIENT_ID", "")  # empty: one per database (linli.iot.mqtt.default_client_id)
LINLI_IOT_RAW_DAYS = env_int("LINLI_IOT_RAW_DAYS", 90)
