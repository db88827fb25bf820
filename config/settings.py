"""Settings, read from the environment with safe embedded defaults (see docs/CONFIGURATION.md)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env file is a convenience for developers; the environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# "production" switches on every transport-security default and refuses the
# embedded development secrets; anything else is a development or test run.
TAUTOKO_ENV = env.str("TAUTOKO_ENV", default="development")
PRODUCTION = TAUTOKO_ENV == "production"

DEBUG = env.bool("DEBUG", default=False)
_DEV_SECRET_KEY = "development-only-secret-key-not-for-production-use-0123456789abcdef"  # noqa: S105 - refused in production
SECRET_KEY = env.str("SECRET_KEY") if PRODUCTION else env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "guardian",
    "corsheaders",
    "core",
    "casework",
    "programs",
    "reporting",
]

MIDDLEWARE = [
    "core.middleware.RequestContextMiddleware",
    "core.middleware.RequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tautoko.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent writers
    # queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Performance (docs/PERFORMANCE.md): PostgreSQL's JIT compiles any plan whose
# estimated cost passes jit_above_cost — at national scale, every permission-
# filtered list — and spends tens of milliseconds compiling a query that runs
# in a few. Short OLTP queries are faster without it. random_page_cost 1.1 (the
# usual setting for SSD or a working set held in memory, against the default 4 for
# spinning disks) lets the planner start a caseworker's list from their few thousand
# grant rows, by index, instead of reading every client.
#
# Prepared statements: Django keeps psycopg's off, for poolers in transaction mode
# (PgBouncer before 1.21). Tautoko prepares only the statements it sends through
# `core.prepared.fetch_prepared` (the per-request groups-and-grants read, whose
# planning cost four times its run); Django's own queries are never prepared.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("options", "-c jit=off -c random_page_cost=1.1")
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        options.setdefault("prepare_threshold", 5)
if env.str("REPLICA_DATABASE_URL", default=""):
    DATABASES["replica"] = env.db_url("REPLICA_DATABASE_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username or address is refused before any password check.
    "core.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("AUTH_PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# No anonymous guardian user: anonymous requests never reach a record.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "en-nz"
TIME_ZONE = "Pacific/Auckland"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://tautoko"),
}

# Lists count at most this many rows; beyond it `count_is_estimate` is true (docs/adr/0007).
API_COUNT_LIMIT = env.int("API_COUNT_LIMIT", default=1000)
if API_COUNT_LIMIT < 1:
    raise ImproperlyConfigured("API_COUNT_LIMIT must be at least 1.")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.StrictFilterBackend",
        "core.filters.StableOrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
        "token": env.str("THROTTLE_TOKEN", default="10/min"),
    },
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tautoko API",
    "DESCRIPTION": (
        "Case system for New Zealand government-funded recovery support programmes. "
        "Every list is paginated and permission-filtered; records you may not see answer 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "GET_LIB_DOC_EXCLUDES": "core.openapi.lib_doc_excludes",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "casework.models.CaseStatus",
        "NoteKindEnum": "casework.models.NoteKind",
        "GoalStatusEnum": "casework.models.GoalStatus",
    },
}

# Celery: with no broker configured, tasks run eagerly in the calling process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
# Kept above the hard time limit so a long job is never redelivered while it runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
CELERY_TIMEZONE = "UTC"

# Celery beat (`celery -A config beat`, one per deployment). Other apps add their own
# entries to this dict. Report jobs: fail jobs whose worker died and resend lost
# messages; with no broker, run `manage.py reap_report_jobs` from cron instead.
CELERY_BEAT_SCHEDULE = {
    "reap-stale-report-jobs": {
        "task": "reporting.reap_stale_report_jobs",
        "schedule": env.int("REPORT_REAPER_INTERVAL_SECONDS", default=300),
        # A missed run is not worth queueing up: the next one does the same work.
        "options": {"expires": 240},
    },
    "purge-expired-idempotency-keys": {
        "task": "programs.purge_expired_idempotency_keys",
        "schedule": env.int("IDEMPOTENCY_PURGE_INTERVAL_SECONDS", default=3600),
        "options": {"expires": 3000},
    },
}

# Transport security: on by default in production, off for local runs.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# Authentication hardening (docs/SECURITY.md). Sign-in locks for AUTH_LOCKOUT_SECONDS
# after AUTH_LOCKOUT_FAILURES failures for one username, or AUTH_LOCKOUT_IP_FAILURES
# from one address (higher: an office shares one address), within the window.
AUTH_LOCKOUT_FAILURES = env.int("AUTH_LOCKOUT_FAILURES", default=5)
AUTH_LOCKOUT_IP_FAILURES = env.int("AUTH_LOCKOUT_IP_FAILURES", default=20)
AUTH_LOCKOUT_WINDOW_SECONDS = env.int("AUTH_LOCKOUT_WINDOW_SECONDS", default=900)
AUTH_LOCKOUT_SECONDS = env.int("AUTH_LOCKOUT_SECONDS", default=900)
# API tokens expire this long after sign-in; POST /api/v1/auth/logout/ revokes one at once.
AUTH_TOKEN_TTL_HOURS = env.int("AUTH_TOKEN_TTL_HOURS", default=12)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# CORS is closed: no browser origin may call the API unless listed here.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
# Multipart uploads (directory CSV import) may be larger than other bodies; bigger is 413.
API_MAX_UPLOAD_SIZE = env.int("API_MAX_UPLOAD_SIZE", default=10 * 1024 * 1024)
# The published schema is fuzzed against the API (tests/fuzz): blank optional addresses
# are documented as plain strings in responses.
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "core.openapi.blank_string_formats",
]

# NZ rules that the reference marks as configurable.
# Test NHIs (starting with Z) are never issued to people: fine for demos, refusable in production.
NHI_ALLOW_TEST_NUMBERS = env.bool("NHI_ALLOW_TEST_NUMBERS", default=not PRODUCTION)
# LSNS-6 totals strictly below this flag a risk of social isolation (Lubben et al. 2006);
# the exact inequality is not settled in the literature, so it is configurable.
LSNS6_ISOLATION_CUTOFF = env.int("LSNS6_ISOLATION_CUTOFF", default=12)
# A closed case may be reopened within this many days of closing.
CASE_REOPEN_WINDOW_DAYS = env.int("CASE_REOPEN_WINDOW_DAYS", default=90)
# "My work" lists cases with no contact note for this many days.
CASE_NO_CONTACT_DAYS = env.int("CASE_NO_CONTACT_DAYS", default=30)

# Financial aid. Amounts change with policy, so none is hard-coded.
AID_REQUEST_MAX_AMOUNT = env.str("AID_REQUEST_MAX_AMOUNT", default="100000.00")
# Three or more hardship requests in 12 months commonly prompts a budgeting-support offer.
AID_BUDGETING_SUPPORT_THRESHOLD = env.int("AID_BUDGETING_SUPPORT_THRESHOLD", default=3)
AID_BUDGETING_SUPPORT_WINDOW_DAYS = env.int("AID_BUDGETING_SUPPORT_WINDOW_DAYS", default=365)
AID_REPAYMENT_MAX_INSTALMENTS = env.int("AID_REPAYMENT_MAX_INSTALMENTS", default=260)
# Employment support (docs/CONFIGURATION.md). The adult minimum hourly wage with the date
# each rate took effect ("YYYY-MM-DD=rate", comma-separated); a placement's wage is checked
# against the rate in force on its start date.
EMPLOYMENT_MINIMUM_WAGE_SCHEDULE = env.str(
    "EMPLOYMENT_MINIMUM_WAGE_SCHEDULE",
    default="2024-04-01=23.15,2025-04-01=23.50,2026-04-01=23.95",
)
# The longest wage subsidy accepted, in weeks.
EMPLOYMENT_SUBSIDY_MAX_WEEKS = env.int("EMPLOYMENT_SUBSIDY_MAX_WEEKS", default=52)
# A sustained-work check-in may be recorded, and shows as upcoming, this many days early.
EMPLOYMENT_CHECK_IN_NOTICE_DAYS = env.int("EMPLOYMENT_CHECK_IN_NOTICE_DAYS", default=7)
# Employment's "status" and "kind" choice sets get their own names in the OpenAPI schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "PlacementStatusEnum": "programs.models.PlacementStatus",
        "EmploymentPlanStatusEnum": "programs.models.EmploymentPlanStatus",
        "EmploymentActivityKindEnum": "programs.models.EmploymentActivityKind",
    }
)
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# An Idempotency-Key still "in progress" after this long is treated as abandoned.
IDEMPOTENCY_STALE_SECONDS = env.int("IDEMPOTENCY_STALE_SECONDS", default=300)

# Privacy Act 2020 (docs/PRIVACY.md). IPP 7: a correction request is answered within
# this many working days of receipt.
CORRECTION_RESPONSE_WORKING_DAYS = env.int("CORRECTION_RESPONSE_WORKING_DAYS", default=20)
# IPP 9: clients whose every case closed more than this many years ago may be anonymised
# (10 years from last contact, as the Health (Retention of Health Information)
# Regulations 1996 ask of health information; follow the agency's disposal schedule).
RETENTION_CLOSED_CASE_YEARS = env.int("RETENTION_CLOSED_CASE_YEARS", default=10)

# Compliance exports (docs/EXPORTS.md). The pseudonym secret keys every funder's client
# keys. Production has no default: exports refuse to run until it is set (the rest of
# the service still starts). Elsewhere it is derived from SECRET_KEY so demos just work.
EXPORT_PSEUDONYM_SECRET = env.str(
    "EXPORT_PSEUDONYM_SECRET", default="" if PRODUCTION else "export-pseudonym:" + SECRET_KEY
)
# Rows read from the database and written per chunk: memory stays flat whatever the size.
EXPORT_CHUNK_ROWS = env.int("EXPORT_CHUNK_ROWS", default=20_000)
# Stats NZ output rules for aggregate tables: counts below this are suppressed...
EXPORT_COUNT_THRESHOLD = env.int("EXPORT_COUNT_THRESHOLD", default=6)
# ...and dollar sums over fewer units than this.
EXPORT_SUM_COUNT_THRESHOLD = env.int("EXPORT_SUM_COUNT_THRESHOLD", default=20)
# Report jobs and exports share their status values: one enum in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ReportStatusEnum"] = "reporting.models.ReportStatus"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "core.logging.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
