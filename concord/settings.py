"""Concord's one settings module: everything is read from the environment.

Embedded default (no variable set): SQLite, the in-memory channel layer, celery tasks run
eagerly, console e-mail, a local-memory cache. With DATABASE_URL and REDIS_URL set: PostgreSQL,
the Redis channel layer, a Redis celery broker and a Redis cache. DEBUG=false is production
mode: SECRET_KEY is then required and `manage.py check --deploy` passes.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "concord-embedded-development-key-not-for-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (production mode).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_celery_beat",
    "pgtrigger",
    "django_fsm",  # its graph_transitions command draws the state machines (make diagrams)
    # Concord's apps, each depending only on those above it (pyproject.toml: the import contract)
    "concord",
    "coordination",
    "coordination.work",
    "agreements",
    "workflows.cases",
    "workflows.referrals",
    "workflows.returns",
    "reporting",
    "notifications",
]

MIDDLEWARE = [
    "concord.middleware.RequestMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "concord.validation.UnstorableCharactersMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "concord.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "concord.middleware.NoStoreForAuthenticatedMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "concord.urls"
ASGI_APPLICATION = "concord.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "concord" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "concord.context_processors.concord",
                "notifications.context_processors.unread_badge",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the ASGI server, the scheduler thread and the tests share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# Under ASGI every request runs in its own context with its own connection: without a pool each
# request opens (and closes) a PostgreSQL connection, which costs more than the request's own SQL
# (bench/README.md, "Referral acceptance throughput"). DATABASE_POOL_SIZE > 0 gives each process
# a psycopg pool of up to that many connections, handed to a request and taken back at its end.
DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "0"))
if USING_POSTGRES and DATABASE_POOL_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # a pool replaces persistent connections
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DATABASE_POOL_SIZE),
        "max_size": DATABASE_POOL_SIZE,
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, celery broker, cache ----------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# `make test` runs the suite in several pytest-xdist processes (PYTEST_XDIST_WORKER: gw0, gw1...).
# Each gets its own database on PostgreSQL (pytest-django suffixes the name) and here its own Redis
# database number, so that channel groups, cache keys and broker queues of one process never reach
# another's consumers and workers. Written back to the environment so that the servers and celery
# workers a test starts as subprocesses (which inherit PYTEST_XDIST_WORKER) use the same one.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST_WORKER and os.environ.get("CONCORD_REDIS_OF_WORKER") != _XDIST_WORKER:
    _redis = urlsplit(REDIS_URL)
    _redis_db = int(_redis.path.strip("/") or 0) + int(_XDIST_WORKER.removeprefix("gw"))
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_redis_db}"))
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["CONCORD_REDIS_OF_WORKER"] = _XDIST_WORKER
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis's layer with a pool that queues a burst instead of failing it.
            "BACKEND": "concord.channel_layer.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, the same 5 s that
                # channels_redis blocks in BZPOPMIN waiting for a message: an idle socket's
                # consumer then dies with "Timeout reading from ..." whenever the empty reply is
                # a little late (often on a busy host; django/channels_redis#422). Longer than
                # the blocking pop, still bounded so a silent network loss is noticed.
                # max_connections per process and loop; `timeout`: seconds a burst waits for one.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 15,
                        "max_connections": int(
                            os.environ.get("CONCORD_REDIS_MAX_CONNECTIONS", "100")
                        ),
                        "timeout": 20,
                    }
                ],
                "prefix": os.environ.get("CHANNELS_PREFIX", "concord"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "concord",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A lost broker connection is retried for ever (the worker must come back by itself after a Redis
# restart), every `interval_start` + n * `interval_step` seconds, at most `interval_max` apart.
# kombu's default for the worker is 2, 4, 6 ... 30 s, so after an outage of a minute a worker
# could sit idle for up to 30 s with Redis long back; notifications promise delivery within
# seconds ("delivery resumes within 10 seconds of Redis coming back"). Our Redis is on
# the same host or network, so one refused connection a second while it is down costs nothing.
# The same options are kombu's failover policy for publishers (the web process, beat): there
# `connect_retries_timeout` bounds how long one publish may keep trying before the outbox's
# circuit breaker (notifications.dispatch) takes over and leaves the rows to the sweep.
# The worker's consumer reads them through concord.celery.Consumer (CELERY_WORKER_CONSUMER).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
    "connect_retries_timeout": 2,
}
CELERY_WORKER_CONSUMER = "concord.celery:Consumer"
# A task running when the broker connection drops finishes (its rows are marked in its own
# transaction; a redelivered copy finds them delivered) rather than being killed half-way, where
# an e-mail could have left without its row saying so. Celery 6 changes the default to True.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- Auth, sessions, second factor, lockout ---------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# At most 5 failed logins per (username, address); then locked out for an hour.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 1
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Concord"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
ANONYMOUS_USER_NAME = None  # guardian: anonymous users get no object permissions
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Load balancers probe over plain HTTP inside the network: never redirect their probes.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    # Only for `make prod` on http://127.0.0.1 (SECURE_COOKIES=false): a browser would not send
    # Secure cookies back over plain HTTP to every local address; never off behind HTTPS.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

# --- Encryption of identifying fields ---------------------------------------------------------
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation). Required in production.
_DEV_FIELD_KEY = "Y29uY29yZC1kZXYta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE="
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", _DEV_FIELD_KEY if DEBUG else "")
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is required when DEBUG is off.")

# --- REST framework and OpenAPI -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "concord.authentication.ServiceAccountTokenAuthentication",
        "concord.authentication.SecondFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "concord.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Parsers that refuse what PostgreSQL cannot store (NUL, lone surrogates), naming the field.
    "DEFAULT_PARSER_CLASSES": [
        "concord.validation.JSONParser",
        "concord.validation.FormParser",
        "concord.validation.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "concord.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "concord.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Concord API",
    "DESCRIPTION": "Multi-agency coordination, agreements, referrals and returns.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets named once, so every app's schema reuses them (apps add theirs here).
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "coordination.models.OrganisationKind",
        "CoordinationBodyKindEnum": "coordination.models.CoordinationBodyKind",
        "RoleEnum": "coordination.models.Role",
        "SeatEnum": "coordination.models.Seat",
        "AgreementKindEnum": "agreements.models.AgreementKind",
        "AgreementStateEnum": "agreements.models.AgreementState",
        "DeclineReasonEnum": "workflows.referrals.models.DeclineReason",
        "ReferralStateEnum": "workflows.referrals.models.ReferralState",
        "UrgencyEnum": "workflows.referrals.models.Urgency",
        "CaseStatusEnum": "workflows.cases.models.CaseStatus",
        "NotificationKindEnum": "notifications.models.Kind",
        "NotificationDeliveryStatusEnum": "notifications.models.DeliveryStatus",
        "NotificationEmailModeEnum": "notifications.models.EmailMode",
        "ReturnServiceStatusEnum": "workflows.returns.models.ServiceStatus",
    },
}

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_TZ = True

# --- Static files, e-mail -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "concord" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "concord@localhost")
# Where the file e-mail backend (django.core.mail.backends.filebased) writes, when chosen.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# --- Logging: never the request body, never identifying fields ----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Concord's own settings ----------------------------------------------------------------------
# Reflection period length by ISO country code (seed 004: "typically range from 30 to 90 days").
CONCORD_REFLECTION_DAYS_DEFAULT = int(os.environ.get("CONCORD_REFLECTION_DAYS_DEFAULT", "30"))
# Closed cases are anonymised after this many days, unless the country's settings say otherwise.
CONCORD_CASE_RETENTION_DAYS_DEFAULT = int(
    os.environ.get("CONCORD_CASE_RETENTION_DAYS_DEFAULT", "3650")
)
CONCORD_DEMO = env_bool("CONCORD_DEMO", DEBUG)
# Hours a receiving organisation has to answer a referral, by urgency
# (CONCORD_REFERRAL_DEADLINE_HOURS as "emergency=4,urgent=24,routine=120"); past it, it escalates.
CONCORD_REFERRAL_DEADLINE_HOURS = {
    key: int(value)
    for key, value in (
        item.split("=", 1)
        for item in env_list("CONCORD_REFERRAL_DEADLINE_HOURS", "emergency=4,urgent=24,routine=120")
    )
}
# Notifications: seconds a pending delivery waits for its after-commit task before the beat sweep
# sends it itself (a notice recorded while the broker was down goes out on the next sweep).
CONCORD_NOTIFY_SWEEP_DELAY_SECONDS = int(os.environ.get("CONCORD_NOTIFY_SWEEP_DELAY_SECONDS", "5"))
# A list's count looks at most this many rows past the start of the page asked for ("1,000+").
CONCORD_LIST_COUNT_CAP = int(os.environ.get("CONCORD_LIST_COUNT_CAP", "1000"))
# Seconds between a notification socket's heartbeats (re-joins its groups, sends the latest cursor).
CONCORD_WS_HEARTBEAT_SECONDS = int(os.environ.get("CONCORD_WS_HEARTBEAT_SECONDS", "20"))
# Minutes between two rebuilds of the statistics rollup (celery beat; `manage.py sync_schedules`
# after a change). Statistics pages and the API say "figures as of" the last rebuild.
CONCORD_STATISTICS_REFRESH_MINUTES = int(os.environ.get("CONCORD_STATISTICS_REFRESH_MINUTES", "10"))
