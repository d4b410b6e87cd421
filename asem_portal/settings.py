"""Settings for the ASEM Education Portal, read from the environment.

The defaults give the embedded setup a newcomer runs with `make run`: a
SQLite file, a local-memory cache and Celery tasks run in-process. Production
sets DATABASE_URL, REDIS_URL, SECRET_KEY and DEBUG=false.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from core.env import database_config, envbool, envint, envlist, envsecret, redis_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", "false")

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set SECRET_KEY (or SECRET_KEY_FILE) in the environment, "
            "or DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "asem_portal",
    "partners",
    "objectives",
    "instruments",
    "mobility",
    "reporting",
    "workspace",
    "reports",
    "opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from STATIC_ROOT, before anything that would read a session or the database.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "asem_portal.urls"

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
                "asem_portal.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "asem_portal.wsgi.application"

DATABASES = {"default": database_config(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite is the embedded default: one writer at a time. Writers wait their turn (timeout, in seconds) instead of
    # failing; a transaction takes the write lock when it begins (IMMEDIATE), since one that read first and asks for
    # it later is refused at once, whatever the timeout; the write-ahead log lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL",
    })

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = redis_url("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envsecret("CACHE_KEY_PREFIX") or "asem",
            "TIMEOUT": envint("CACHE_TIMEOUT", "3600"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": envint("CACHE_TIMEOUT", "3600"),
            # Held in each process's memory: entries are bounded in number here and, for whole responses, in
            # size (RESPONSE_CACHE_MAX_BYTES), so the cache can never grow past their product.
            "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", "500")},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
FORMAT_MODULE_PATH = ["asem_portal.formats"]  # dates as the site writes them, in the admin too
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Production serves static files itself (WhiteNoise; `collectstatic` runs where it starts): compressed, and named by
# their content so browsers may keep them for ever and still never see a stale one.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# Celery: Redis as broker when REDIS_URL is set; otherwise tasks run
# in-process so the portal works with no service at all.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", "900")
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", "840")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE: dict = {
    # Nightly, besides after every change: catches writes that sent no signal (queryset.update, raw SQL).
    "refresh-computed-indicators": {
        "task": "objectives.tasks.refresh_computed_indicators", "schedule": crontab(hour=2, minute=30),
    },
    # Likewise for the kept mobility totals (mobility/totals.py), before the refresh reads the flows.
    "rebuild-flow-totals": {
        "task": "mobility.tasks.rebuild_flow_totals", "schedule": crontab(hour=2, minute=15),
    },
    # Reminders of open rounds' deadlines (reporting/reminders.py): each is sent once, so a second run is harmless.
    "send-reporting-reminders": {
        "task": "reporting.tasks.send_due_reminders", "schedule": crontab(hour=6, minute=0),
    },
}


def _days(name: str, default: str) -> list[int]:
    """Whole numbers of days, comma-separated, such as 14,3: a reminder for each."""
    try:
        days = sorted({int(day) for day in envlist(name, default)}, reverse=True)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be whole numbers of days separated by commas, got "
                                   f"{os.environ.get(name)!r}") from None
    if any(day < 0 or day > 365 for day in days):
        raise ImproperlyConfigured(f"{name} must be days between 0 and 365, got {os.environ.get(name)!r}")
    return days


# How many days before a round's deadline, and after it, focal points who have not submitted are reminded.
REPORTING_REMINDER_DAYS_BEFORE = _days("REPORTING_REMINDER_DAYS_BEFORE", "14,3")
REPORTING_REMINDER_DAYS_AFTER = _days("REPORTING_REMINDER_DAYS_AFTER", "1,7")

SIMPLE_HISTORY_REVERT_DISABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING" if not DEBUG else "INFO"},
}


# --- The REST API (core/api/): Django REST framework, django-filter, drf-spectacular ---


def _throttle_rate(name: str, default: str) -> str:
    """A DRF rate such as 120/minute; a malformed one stops start-up instead of failing per request."""
    value = os.environ.get(name, default).strip()
    number, _, period = value.partition("/")
    if not (number.isdigit() and period[:1] in {"s", "m", "h", "d"}):
        raise ImproperlyConfigured(f"{name} must look like 120/minute (per second, minute, hour or day), got {value!r}")
    return value


API_PAGE_SIZE = envint("API_PAGE_SIZE", "50")
API_MAX_PAGE_SIZE = 500
if not 1 <= API_PAGE_SIZE <= API_MAX_PAGE_SIZE:
    raise ImproperlyConfigured(f"API_PAGE_SIZE must be between 1 and {API_MAX_PAGE_SIZE}, got {API_PAGE_SIZE}")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous write is answered 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ReadOnlyOrSignedIn"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.FilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttles.AnonThrottle", "core.api.throttles.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _throttle_rate("API_THROTTLE_ANON", "120/minute"),
        "user": _throttle_rate("API_THROTTLE_USER", "600/minute"),
    },
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "URL_FORMAT_OVERRIDE": "format",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ASEM Education Portal API",
    "DESCRIPTION": (
        "Version 1 of the ASEM Education Portal's API: the ASEM Education Strategy 2030 (objectives, "
        "priorities, indicators and progress toward 2030), its instruments, the 53 ASEM partners, activities "
        "and Asia-Europe mobility.\n\n"
        "Reads of published content are public. Writes need a token (`Authorization: Token <key>`, issued by "
        "the secretariat) or a signed-in session. Lists are paginated (`count`, `next`, `previous`, "
        "`results`), filterable, sortable and available as CSV with `?format=csv`. Responses carry an `ETag`: "
        "send it back in `If-None-Match` to get 304 when nothing changed, and in `If-Match` on a write so it "
        "fails with 412 instead of overwriting someone else's change. Errors are JSON and name the field or "
        "parameter at fault."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to validator.swagger.io: the documentation works with no outside network.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "displayOperationId": True},
    "ENUM_NAME_OVERRIDES": {
        "DeliveryModeEnum": "mobility.models.DeliveryMode",
        "MobilityLevelEnum": "mobility.models.MobilityLevel",
        "RegionEnum": "mobility.models.Region",
        "ActivityStateEnum": "mobility.models.Activity.State",
        "ActivityStatusEnum": "mobility.models.Activity.Status",
        "ActivityTypeEnum": "mobility.models.Activity.Type",
        "ProgressStatusEnum": "objectives.models.Status",
        "FlowDirectionEnum": "mobility.models.Direction",
        "IndicatorDirectionEnum": "objectives.models.Direction",
        "IndicatorKindEnum": "objectives.models.Indicator.Kind",
        "IndicatorAggregationEnum": "objectives.models.Indicator.Aggregation",
        "PartnerKindEnum": "mobility.models.Partner.Kind",
        "OrganisationKindEnum": "mobility.models.Organisation.Kind",
        "RoundStateEnum": "reporting.models.Round.State",
        "ReturnStateEnum": "reporting.models.Return.State",
        "BoardStateEnum": "reporting.board.STATES",
    },
    "TAGS": [
        {"name": "strategy", "description": "The ASEM Education Strategy 2030: vision, mission and period."},
        {"name": "objectives", "description": "The four strategic objectives and their ten priorities."},
        {"name": "indicators", "description": "Indicators defined by the secretariat, and their observations."},
        {"name": "progress", "description": "Progress toward 2030, as of any year, with every figure behind it."},
        {"name": "instruments", "description": "The six instruments and working methods, with their aims."},
        {"name": "partners", "description": "The 53 ASEM partners and the organisations taking part."},
        {"name": "activities", "description": "What partners do under the strategy, and its review workflow."},
        {"name": "mobility", "description": "Aggregated mobility flows between partners, and their totals."},
        {"name": "reporting", "description": "Reporting rounds, partners' returns and their review, and the "
                                             "secretariat's board of who has reported."},
    ],
}


# --- Security and reliability (asem_portal/middleware.py, core/cache.py, docs/operations.md) ---
# Production (DEBUG off) is strict by default; each relaxation is an explicit variable.

MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "asem_portal.middleware.ContentSecurityPolicyMiddleware")
# Inside the security and CSP middleware, so its 503 gets their headers too.
MIDDLEWARE.insert(MIDDLEWARE.index("asem_portal.middleware.ContentSecurityPolicyMiddleware") + 1,
                  "asem_portal.middleware.DatabaseUnavailableMiddleware")
# Whole responses to anonymous reads, kept until the data changes (asem_portal/response_cache.py): inside the
# headers and the 503 above, before sessions, which a hit never needs. RESPONSE_CACHE=false leaves it out.
RESPONSE_CACHE = envbool("RESPONSE_CACHE", "true")
RESPONSE_CACHE_MAX_BYTES = envint("RESPONSE_CACHE_MAX_BYTES", str(1024 * 1024))
if RESPONSE_CACHE:
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      "asem_portal.response_cache.ResponseCacheMiddleware")
INSTALLED_APPS.append("csp")

from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Charts are inline SVG whose bars carry style="fill: ..." attributes; <style> elements stay barred.
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Added to the policy under these path prefixes only (ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY_PATH_UPDATES = {
    # drf-spectacular's Swagger UI and Redoc pages carry a <style> block of their own.
    "/api/docs/": {"style-src": [UNSAFE_INLINE]},
    "/api/redoc/": {"style-src": [UNSAFE_INLINE]},
}

SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
# Load balancers and compose probe these over plain HTTP, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto (and strips it from clients): opt in.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("SECURE_PROXY_SSL_HEADER", "false") else None
# How many proxies of ours stand in front and append to X-Forwarded-For: the client's address is read that far from
# the right of it (core/clients.py), the same for the API's throttle, the sign-in lockout and the logs.
# 0 believes no forwarded header: anyone may write one.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, got {TRUSTED_PROXY_COUNT}")
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Old keys still accepted for signatures while a new SECRET_KEY takes over (docs/operations.md, rotation).
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", "")

SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false" if DEBUG else "true")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "false" if DEBUG else "true")
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF token from the cookie: forms carry it.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Request bodies held in memory; a larger form or JSON body is refused with 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", "2000")
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))
# The largest file an upload (an import, say) may be: the upload's own form checks it.
MAX_UPLOAD_BYTES = envint("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))
if MAX_UPLOAD_BYTES < 1:
    raise ImproperlyConfigured(f"MAX_UPLOAD_BYTES must be a positive number of bytes, got {MAX_UPLOAD_BYTES}")

# A connection that died with the database (a restart, a failover) is dropped and made anew
# at the next request; while the database is away, connecting gives up quickly (a 503 follows).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", envint("DB_CONNECT_TIMEOUT", "3"))

if REDIS_URL:
    # Without Redis the portal serves pages uncached instead of failing (core/cache.py).
    CACHES["default"]["BACKEND"] = "core.cache.DegradingRedisCache"
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 2}
    # A queued task while the broker is away fails fast instead of holding the request.
    CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                                        "interval_max": 0.5}
    # Queuing a task also subscribes to its result (unless ignore_result): fail as fast there too,
    # instead of Celery's default twenty one-second retries.
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY}
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
    # A task whose worker died unacknowledged goes back to the queue after this long; keep it above the
    # task time limit, or a long task still running would be handed to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", str(CELERY_TASK_TIME_LIMIT + 300)),
        # Look for such tasks every 10 s (kombu's default scans every 100 s).
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 2,
    }


# --- Accounts and email (workspace/, templates/registration/, templates/workspace/) ---
# Focal points and the secretariat sign in at /accounts/sign-in/ and land in the partner workspace.
from core.env import email_config  # noqa: E402

LOGIN_URL = "workspace:sign-in"
LOGIN_REDIRECT_URL = "/workspace/"

# Mail: printed on the console unless EMAIL_URL (or EMAIL_URL_FILE) names a server,
# e.g. smtp://user:password@mail.example.org:587/?tls=1 (core/env.py, email_config).
globals().update(email_config(envsecret("EMAIL_URL")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ASEM Education Portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[ASEM Education Portal] "
# Extra addresses told of every submission, besides the secretariat's own accounts (a shared inbox, say).
REVIEW_NOTIFY_EMAILS = envlist("REVIEW_NOTIFY_EMAILS", "")
# Links in emails, which a Celery worker sends with no request to build them from.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, got {SITE_URL!r}")

# Repeated failed sign-ins lock that username from that address for a while (django-axes),
# on this site's form, the admin's and anything else that calls authenticate() with a request.
# API tokens and the test client's force_login() do not authenticate with a password, so axes never sees them.
from datetime import timedelta  # noqa: E402

INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes asks
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "30"))
# Per username and address together: someone guessing from elsewhere cannot lock a focal point out everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"
# registration/locked_out.html, with the cool-off in words.
AXES_LOCKOUT_CALLABLE = "workspace.accounts.locked_out"
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured(f"AXES_FAILURE_LIMIT must be at least 1, got {AXES_FAILURE_LIMIT}")

SPECTACULAR_SETTINGS["TAGS"].append(
    {"name": "account", "description": "Your own account: the API token you send with every write."}
)

# Mobility uploads (mobility/uploads.py): files up to this size are imported in the request;
# larger ones by a Celery task, the file handed to the worker through the cache (Redis in production).
UPLOAD_IN_BACKGROUND_BYTES = envint("UPLOAD_IN_BACKGROUND_BYTES", str(256 * 1024))
# With no broker (no REDIS_URL) a Celery task runs inside the request that queues it, which for a large upload
# outlasts any timeout: such an upload runs in a thread of the web process instead, its page following it as it
# would a worker (the local-memory cache holding its progress is this process's, as in the embedded setup).
UPLOAD_IN_THREAD = envbool("UPLOAD_IN_THREAD", "false" if REDIS_URL else "true")
