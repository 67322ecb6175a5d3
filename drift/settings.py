"""DRIFT settings, read from the environment (see .env.example and README.md).

With no environment at all DRIFT runs embedded: SQLite, the in-memory channel
layer and Celery tasks executed in-process. `DATABASE_URL` and `REDIS_URL`
switch to PostgreSQL, channels-redis and a Redis broker.
"""

from pathlib import Path

import environ
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured

from drift.db import check_pooled_connection

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The default key is only fit for a laptop; `check --deploy` flags it (security.W009).
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-drift-local-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
# Served over HTTPS only: redirect, secure cookies, HSTS (`check --deploy` wants them all).
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=False)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^healthz$"]  # probes from inside the network
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS_ONLY)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS_ONLY)
# Browsers (the React web app) may call the API from these origins only.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(api/|healthz?$)"
CORS_ALLOW_HEADERS = (
    *default_cors_headers,
    "idempotency-key",
    "if-match",
    "if-none-match",
    "x-request-id",
)
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "X-Request-ID",
    "Idempotent-Replayed",
]

INSTALLED_APPS = [
    "daphne",
    "drift.admin_apps.DriftAdminConfig",  # django.contrib.admin, PMs only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "accounts",
    "briefs",
    "submissions",
    "realtime",
]

MIDDLEWARE = [
    "drift.middleware.RequestIdMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "drift.middleware.RateLimitHeadersMiddleware",
    "drift.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "drift.urls"
WSGI_APPLICATION = "drift.wsgi.application"
ASGI_APPLICATION = "drift.asgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions keep concurrent writers from failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif env.bool("DATABASE_POOL", default=True):
    # Under ASGI a persistent connection leaks per worker thread; a bounded pool does not.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The pool checks a connection before handing it out: a PostgreSQL restart costs
    # no failed request (a round trip only when the server has said something).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "check": check_pooled_connection,
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
        }
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery broker -------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Rate limits fail open when Redis is down; they must not wait long to learn it.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # Measured by bench/fanout.py (README "Performance"): `pubsub` or `core`.
    CHANNEL_LAYER_BACKENDS = {
        "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "core": "channels_redis.core.RedisChannelLayer",
    }
    CHANNEL_LAYER = env.str("DRIFT_CHANNEL_LAYER", default="pubsub")
    if CHANNEL_LAYER not in CHANNEL_LAYER_BACKENDS:
        raise ImproperlyConfigured(
            f"DRIFT_CHANNEL_LAYER must be one of {', '.join(CHANNEL_LAYER_BACKENDS)}."
        )
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": CHANNEL_LAYER_BACKENDS[CHANNEL_LAYER],
            # redis-py 8 raises instead of waiting past 100 pooled connections, and its
            # default 5 s read timeout fails core's 5 s BZPOPMIN on an idle socket.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "max_connections": 1000, "socket_timeout": 15}]
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Publishing from a request tries the broker once more, at once, then gives up:
    # the row stays pending and the sweeper queues it (submissions.outbox).
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 1,
    # An unacknowledged task (its worker died) is delivered again after this long; it
    # must exceed the matching task's time limit (90 s).
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
}
# The sweeper: queue matching again for submissions left pending (the broker was down).
MATCH_SWEEP_SECONDS = env.int("DRIFT_MATCH_SWEEP_SECONDS", default=60)
MATCH_SWEEP_AFTER_SECONDS = env.int("DRIFT_MATCH_SWEEP_AFTER_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "requeue-unmatched": {
        "task": "submissions.tasks.requeue_unmatched_matches",
        "schedule": MATCH_SWEEP_SECONDS,
    }
}

# --- Auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

CLERK_JWKS_URL = env.str("CLERK_JWKS_URL", default="")
CLERK_JWT_KEY = env.str("CLERK_JWT_KEY", default="", multiline=True)
CLERK_ISSUER = env.str("CLERK_ISSUER", default="")
CLERK_AUTHORIZED_PARTIES = env.list("CLERK_AUTHORIZED_PARTIES", default=[])
JWKS_CACHE_SECONDS = env.int("JWKS_CACHE_SECONDS", default=3600)
JWKS_FETCH_TIMEOUT = env.float("JWKS_FETCH_TIMEOUT", default=3.0)
JWT_LEEWAY_SECONDS = env.int("JWT_LEEWAY_SECONDS", default=5)
# A verified token's user is reused this long (never past the token's exp), so a
# deactivated user is refused within it.
AUTH_CACHE_SECONDS = env.float("DRIFT_AUTH_CACHE_SECONDS", default=1.0)
AUTH_CACHE_ENTRIES = env.int("DRIFT_AUTH_CACHE_ENTRIES", default=10_000)

# Local HS256 tokens (`POST /api/auth/login`, `manage.py issue_token`): off unless enabled;
# `make run` and `make test` enable them, `check --deploy` refuses them without DEBUG.
LOCAL_AUTH_ENABLED = env.bool("LOCAL_AUTH_ENABLED", default=False)
LOCAL_JWT_SECRET = env.str("LOCAL_JWT_SECRET", default=SECRET_KEY)
LOCAL_JWT_ISSUER = env.str("LOCAL_JWT_ISSUER", default="drift-local")
LOCAL_JWT_TTL_SECONDS = env.int("LOCAL_JWT_TTL_SECONDS", default=8 * 3600)

# --- API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsOrgMember"],
    "DEFAULT_THROTTLE_CLASSES": ["drift.throttling.ScopedWindowThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["drift.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "drift.negotiation.CommonAcceptNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drift.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # Proxies in front of DRIFT that append to X-Forwarded-For (1 behind deploy/nginx.conf).
    # With 0 the peer address identifies the client: a client-sent header never does.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}

# Requests per window and user (by client IP without one): "N/second|minute|hour|day".
RATE_LIMITS = {
    "submissions:create": env.str("RATE_LIMIT_SUBMISSIONS_CREATE", default="10/hour"),
    "submissions:update": env.str("RATE_LIMIT_SUBMISSIONS_UPDATE", default="30/minute"),
    "api:read": env.str("RATE_LIMIT_API_READ", default="100/minute"),
    "api:write": env.str("RATE_LIMIT_API_WRITE", default="60/minute"),
    "auth:login": env.str("RATE_LIMIT_AUTH_LOGIN", default="10/minute"),
}

MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=5 * 1024 * 1024)
# Rendered GET bodies kept per process, keyed by version stamps (drift.representations).
REPRESENTATION_CACHE_BYTES = env.int("DRIFT_REPRESENTATION_CACHE_BYTES", default=32 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
# Seconds a brief's stamp is mirrored in Redis at most (drift.stamps); 0 turns it off.
STAMP_MIRROR_SECONDS = env.int("DRIFT_STAMP_MIRROR_SECONDS", default=60)
MATCH_WAIT_MS = env.int("DRIFT_MATCH_WAIT_MS", default=1500)
# Task profiles kept per process (submissions.profiles): about 3 kB for a task alone,
# 45 kB for one that ten approvals of the dev bench's submissions taught.
PROFILE_CACHE_BYTES = env.int("DRIFT_PROFILE_CACHE_BYTES", default=32 * 1024 * 1024)

# --- Matching -----------------------------------------------------------------
# An API key turns on the LLM hybrid: the offline matcher shortlists, the model decides,
# and the offline outcome stands whenever the model cannot (submissions/matching/llm.py).
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
# Any OpenAI-compatible server (a self-hosted one); set but empty means OpenAI's.
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="") or "https://api.openai.com/v1"
LLM_MODEL = env.str("DRIFT_LLM_MODEL", default="gpt-4.1-mini")
LLM_TIMEOUT = env.float("DRIFT_LLM_TIMEOUT", default=20.0)
LLM_MONTHLY_TOKENS = env.int("DRIFT_LLM_MONTHLY_TOKENS", default=2_000_000)  # per org
MATCHER = env.str("DRIFT_MATCHER", default="hybrid" if OPENAI_API_KEY else "lexical")
if MATCHER == "hybrid" and not OPENAI_API_KEY:
    raise ImproperlyConfigured("DRIFT_MATCHER=hybrid needs OPENAI_API_KEY.")

SPECTACULAR_SETTINGS = {
    "TITLE": "DRIFT API",
    "DESCRIPTION": "Work sessions from the desktop app, matched to the tasks of a brief.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role",
        "BriefStatusEnum": "briefs.models.BriefStatus",
        "TaskStatusEnum": "briefs.models.TaskStatus",
        "SubmissionStatusEnum": "submissions.models.SubmissionStatus",
        "MatchStatusEnum": "submissions.models.MatchStatus",
        "SnippetContextEnum": "submissions.models.SnippetContext",
        "ReviewDecisionEnum": "submissions.serializers.REVIEW_DECISIONS",
    },
}

# --- Static files, i18n, logging ----------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# `json` (one object per line, for log shippers) or `plain` (for a terminal).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "drift.middleware.RequestIdLogFilter"},
        "redact": {"()": "drift.logging.RedactSecretsFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "drift.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
