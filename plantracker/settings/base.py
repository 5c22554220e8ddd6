"""Base settings, read from the environment (django-environ); see README "Configuration"."""

from datetime import timedelta
from pathlib import Path

import environ
from corsheaders.defaults import default_headers as cors_default_headers

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The default is for local runs only (production requires the variable); ≥ 32 bytes for JWT HS256.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-not-for-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "corsheaders",
    "django_celery_beat",
    "tasks_app",
    "indicators_app",
    "plantracker.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # JSON lists compress ~10x (a 200-task page: 73 KB); Django's BREACH mitigation applies.
    "django.middleware.gzip.GZipMiddleware",
    # Content-Security-Policy on every HTML page: this origin only (plantracker.csp)
    "plantracker.csp.ContentSecurityPolicyMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # console/admin/browsable-API logins share the token endpoint's per-address throttle
    "plantracker.login_throttle.SessionLoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # unrouted /api/v1/ paths: the API's 404 shape (inside LocaleMiddleware: translated)
    "plantracker.api.manners.ApiNotFoundMiddleware",
]

ROOT_URLCONF = "plantracker.urls"
WSGI_APPLICATION = "plantracker.wsgi.application"
ASGI_APPLICATION = "plantracker.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "plantracker" / "templates"],
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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'plantracker.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles any plan whose estimated cost is high; the flag and
    # report-status subqueries look costly but run fast, so JIT compilation cost more than
    # it saved at city scale (measured in bench/, README "Performance"). A DATABASE_URL
    # `?options=...` wins over this default.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # psycopg 3: parameters bound by the server, so a statement's text repeats and psycopg
    # prepares it after DATABASE_PREPARE_THRESHOLD runs on one connection: PostgreSQL then
    # skips parsing and planning (docs/performance-floor.md; pays off with persistent
    # connections, DATABASE_CONN_MAX_AGE). Behind PgBouncer in transaction mode (< 1.21)
    # set DATABASE_PREPARE_THRESHOLD to -1: no prepared statements.
    if env.bool("DATABASE_SERVER_SIDE_BINDING", default=True):
        _threshold = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
        DATABASES["default"]["OPTIONS"].update(
            server_side_binding=True, prepare_threshold=None if _threshold < 0 else _threshold
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite (make run) cannot defer unique constraints; PostgreSQL enforces them.
SILENCED_SYSTEM_CHECKS = ["models.W038"]
AUTH_USER_MODEL = "tasks_app.User"
# Where the API's Idempotency-Key replies are kept (plantracker/api knows no app by import).
PLANTRACKER_IDEMPOTENCY_MODEL = "tasks_app.IdempotencyRecord"

# Counts failed logins and refuses locked usernames (PLANTRACKER["LOGIN_LOCKOUT_*"]).
AUTHENTICATION_BACKENDS = ["plantracker.api.throttling.LockoutModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time: Chinese first, English on request; the district's zone.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))

# --- Upload and request limits (bytes).
ATTACHMENT_MAX_BYTES = env.int("PLANTRACKER_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Images with more pixels are refused at upload (decompression bombs; 24 MP cameras pass).
ATTACHMENT_MAX_PIXELS = env.int("PLANTRACKER_ATTACHMENT_MAX_PIXELS", default=25_000_000)
# Lifetime of the signed file and thumbnail URLs the API hands out (an image loader
# fetches them without an Authorization header; tasks_app/workflow/file_links.py).
SIGNED_FILE_URL_MAX_AGE_SECONDS = env.int(
    "PLANTRACKER_SIGNED_FILE_URL_MAX_AGE_SECONDS", default=600
)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- REST framework.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's, reading the person from a cache (tasks_app/org/principal_cache.py)
        "tasks_app.api.authentication.CachedJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Request bodies are JSON (the contract); an upload view names MultiPartParser itself.
    # One content type per body keeps generated clients simple (openapi-python-client,
    # openapi-typescript: tests/api/test_generated_clients.py).
    "DEFAULT_PARSER_CLASSES": ["plantracker.api.renderers.JSONParser"],
    # orjson, writing exactly what DRF's JSONRenderer writes (plantracker/api/renderers.py)
    "DEFAULT_RENDERER_CLASSES": [
        "plantracker.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "plantracker.api.filtering.FilterBackend",
        "plantracker.api.search.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # drf-standardized-errors' error responses + ETag/If-Match/409/412/413 (plantracker.api.schema).
    "DEFAULT_SCHEMA_CLASS": "plantracker.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    # "writes" throttles unsafe methods everywhere; views add AuthRateThrottle for "auth".
    "DEFAULT_THROTTLE_CLASSES": ["plantracker.api.throttling.WritesRateThrottle"],
    # Reverse proxies in front of the app (0: the client address is REMOTE_ADDR and a
    # client-sent X-Forwarded-For cannot dodge the throttles).
    "NUM_PROXIES": env.int("PLANTRACKER_NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        # Per client address: an office behind one NAT logs in at nine (brute force is
        # stopped per username by the login lockout); refreshes are counted apart.
        "auth": env("PLANTRACKER_THROTTLE_AUTH", default="300/min"),
        "auth_refresh": env("PLANTRACKER_THROTTLE_AUTH_REFRESH", default="1200/min"),
        "writes": env("PLANTRACKER_THROTTLE_WRITES", default="120/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "plantracker.api.pagination.StandardCursorPagination",
    "PAGE_SIZE": 50,
    # Numbers stay numbers in JSON (key-result values, observations).
    "COERCE_DECIMAL_TO_STRING": False,
    "DATETIME_FORMAT": "iso-8601",
}

# One error shape everywhere; simplejwt's token errors folded into it (plantracker.api.auth).
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_FORMATTER_CLASS": "plantracker.api.auth.StandardExceptionFormatter",
    # database unreachable → 503 "unavailable", not 500 (plantracker.api.errors)
    "EXCEPTION_HANDLER_CLASS": "plantracker.api.errors.StandardExceptionHandler",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # Tokens carry a password fingerprint: a password change ends every session at once.
    "CHECK_REVOKE_TOKEN": True,
    # auth_time, the absolute session end and refresh of deleted people (plantracker.api.tokens)
    "TOKEN_OBTAIN_SERIALIZER": "plantracker.api.tokens.TokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "plantracker.api.tokens.TokenRefreshSerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "plantracker API",
    "DESCRIPTION": "Task accountability for the Daxing District 2025 development plan.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from drf-spectacular-sidecar's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Schema and docs are public (contract); everything else needs a login.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # drf-standardized-errors: error enums named once, error components not merged.
    "ENUM_NAME_OVERRIDES": {
        **{
            name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
            for name in (
                "ValidationErrorEnum",
                "ClientErrorEnum",
                "ServerErrorEnum",
                *(f"ErrorCode{code}Enum" for code in (403, 404, 405, 406, 415, 429, 500)),
            )
        },
        "ErrorCode401Enum": "plantracker.api.schema.ErrorCode401Enum",
        "TaskStatusEnum": "tasks_app.models.TaskStatus",
        "AcknowledgementEnum": "tasks_app.models.Acknowledgement",
        "TaskSourceEnum": "tasks_app.models.TaskSource",
        "DepartmentKindEnum": "tasks_app.models.Department.Kind",
        "PlanKindEnum": "tasks_app.models.PlanKind",
        "PlanStatusEnum": "tasks_app.models.PlanStatus",
        "IndicatorStatusEnum": "indicators_app.models.AssessmentStatus",
        "TransitionActionEnum": "tasks_app.workflow.rules.TRANSITION_ACTIONS",
        "ExtensionRequestStatusEnum": "tasks_app.models.ExtensionRequest.Status",
        "HistoryActionEnum": "tasks_app.api.enums.HistoryAction",
        "NotificationKindEnum": "tasks_app.api.enums.NotificationKind",
        "SignedLinkErrorCodeEnum": "tasks_app.api.file_views.LINK_ERROR_CODES",
        "NotificationChannelEnum": "tasks_app.api.enums.NotificationChannel",
        "PushPlatformEnum": "tasks_app.api.enums.PushPlatform",
        "ReportDraftStatusEnum": "tasks_app.models.ReportDraft.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "plantracker.api.schema.postprocess_ecma_patterns",
        # query parameters' enums point at the same named components as the fields
        "plantracker.api.schema.postprocess_parameter_enums",
        "plantracker.api.schema.postprocess_tombstone",
    ],
}

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
# Response headers a browser client may read (concurrency, sync, idempotency, throttling).
CORS_EXPOSE_HEADERS = ["ETag", "X-Server-Time", "Idempotent-Replayed", "Retry-After"]
# Request headers of the contract beyond the defaults: concurrency and idempotency.
CORS_ALLOW_HEADERS = (*cors_default_headers, "if-match", "if-none-match", "idempotency-key")

# --- Cache (throttling, locks). Redis in production via CACHE_URL.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Celery. Default broker: kombu's filesystem transport under var/, so a
# single machine runs worker + beat with no server; production sets Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem"):
    _queue_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "store_processed": False,
        # kombu's broadcast (pidbox) exchanges; its default is ./control in the cwd.
        "control_folder": str(VAR_DIR / "celery-control"),
    }
else:
    # Must exceed the longest task's hard time limit, or Redis redelivers it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=3300)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# One queue by default; tests give each worker its own so parallel runs never share.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# --- E-mail (SMTP in production via EMAIL_URL, e.g. smtp://user:pw@host:587).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="plantracker <noreply@localhost>")

# --- Domain settings (all documented in README "Configuration").
PLANTRACKER = {
    # Flag thresholds (points behind the schedule-proportional expectation).
    "FLAG_RED_BEHIND_POINTS": env.int("PLANTRACKER_FLAG_RED_BEHIND_POINTS", default=30),
    "FLAG_YELLOW_BEHIND_POINTS": env.int("PLANTRACKER_FLAG_YELLOW_BEHIND_POINTS", default=10),
    "WARNING_WINDOW_WORKING_DAYS": env.int("PLANTRACKER_WARNING_WINDOW_WORKING_DAYS", default=5),
    # Progress report cadence: monthly, due on this day of the following month.
    "REPORT_DUE_DAY": env.int("PLANTRACKER_REPORT_DUE_DAY", default=5),
    # Reminder ladder (working days overdue) and cool-down.
    "ESCALATE_SUPERVISION_AFTER_WORKING_DAYS": env.int(
        "PLANTRACKER_ESCALATE_SUPERVISION_AFTER_WORKING_DAYS", default=5
    ),
    "ESCALATE_LEADERS_AFTER_WORKING_DAYS": env.int(
        "PLANTRACKER_ESCALATE_LEADERS_AFTER_WORKING_DAYS", default=15
    ),
    "REMINDER_COOLDOWN_WORKING_DAYS": env.int(
        "PLANTRACKER_REMINDER_COOLDOWN_WORKING_DAYS", default=3
    ),
    # A reminder digest lists at most this many items (most overdue first); the ledger
    # keeps them all and the digest points to the overdue board for the rest.
    "DIGEST_MAX_ITEMS": env.int("PLANTRACKER_DIGEST_MAX_ITEMS", default=50),
    "WEBHOOK_URL": env("PLANTRACKER_WEBHOOK_URL", default=""),
    "WEBHOOK_TIMEOUT_SECONDS": env.float("PLANTRACKER_WEBHOOK_TIMEOUT_SECONDS", default=5.0),
    "DELIVERY_MAX_ATTEMPTS": env.int("PLANTRACKER_DELIVERY_MAX_ATTEMPTS", default=6),
    # Reminder channels and the delivery outbox (tasks_app/reminders/deliveries.py).
    "WEBHOOK_STYLE": env("PLANTRACKER_WEBHOOK_STYLE", default="wecom"),  # or "dingtalk"
    "EMAIL_TIMEOUT_SECONDS": env.float("PLANTRACKER_EMAIL_TIMEOUT_SECONDS", default=20.0),
    # Backoff between attempts: base × 2^(attempt − 1) seconds, capped.
    "DELIVERY_BACKOFF_SECONDS": env.int("PLANTRACKER_DELIVERY_BACKOFF_SECONDS", default=30),
    "DELIVERY_BACKOFF_MAX_SECONDS": env.int(
        "PLANTRACKER_DELIVERY_BACKOFF_MAX_SECONDS", default=3600
    ),
    # A claimed delivery not recorded within this time is resent (must exceed the send
    # timeouts and the delivery task's time limit, 90 s).
    "DELIVERY_LEASE_SECONDS": env.int("PLANTRACKER_DELIVERY_LEASE_SECONDS", default=300),
    # Push to phones (tasks_app/push, docs/mobile-accounts-push.md): an Expo-shaped HTTP
    # gateway; empty URL = push off. Bearer token, messages per request, timeout.
    "PUSH_GATEWAY_URL": env("PLANTRACKER_PUSH_GATEWAY_URL", default=""),
    "PUSH_GATEWAY_TOKEN": env("PLANTRACKER_PUSH_GATEWAY_TOKEN", default=""),
    "PUSH_BATCH_SIZE": env.int("PLANTRACKER_PUSH_BATCH_SIZE", default=100),
    "PUSH_TIMEOUT_SECONDS": env.float("PLANTRACKER_PUSH_TIMEOUT_SECONDS", default=10.0),
    # Another provider: a dotted path to a factory returning a PushProvider (gateway.py).
    "PUSH_PROVIDER": env("PLANTRACKER_PUSH_PROVIDER", default=""),
    # Missing monthly reports chased daily: the latest N periods (older ones: rollups only).
    "REPORT_CHASE_MAX_PERIODS": env.int("PLANTRACKER_REPORT_CHASE_MAX_PERIODS", default=3),
    # Extra reminder providers (dotted paths) besides those registered in code.
    "REMINDER_PROVIDERS": env.list("PLANTRACKER_REMINDER_PROVIDERS", default=[]),
    # Rollup department score: base minus deductions per red item / 督办单 / missing report,
    # divided by the tasks the department leads ("per_task_mean") or not ("total");
    # tasks_app/rollups/scoring.py, docs/supervision-loop.md.
    "ROLLUP_SCORE_FORMULA": env("PLANTRACKER_ROLLUP_SCORE_FORMULA", default="per_task_mean"),
    "ROLLUP_SCORE_BASE": env.float("PLANTRACKER_ROLLUP_SCORE_BASE", default=100.0),
    "ROLLUP_DEDUCT_PER_RED_ITEM": env.float("PLANTRACKER_ROLLUP_DEDUCT_PER_RED_ITEM", default=2.0),
    "ROLLUP_DEDUCT_PER_SUPERVISION_NOTICE": env.float(
        "PLANTRACKER_ROLLUP_DEDUCT_PER_SUPERVISION_NOTICE", default=3.0
    ),
    "ROLLUP_DEDUCT_PER_MISSING_REPORT": env.float(
        "PLANTRACKER_ROLLUP_DEDUCT_PER_MISSING_REPORT", default=1.0
    ),
    # Indicator assessment.
    "INDICATOR_TOLERANCE_PCT": env.float("PLANTRACKER_INDICATOR_TOLERANCE_PCT", default=2.0),
    "INDICATOR_AT_RISK_BAND_PCT": env.float("PLANTRACKER_INDICATOR_AT_RISK_BAND_PCT", default=10.0),
    # updated_since looks back this far to catch transactions that committed late.
    "SYNC_OVERLAP_SECONDS": env.int("PLANTRACKER_SYNC_OVERLAP_SECONDS", default=300),
    # Login lockout: this many failed logins per username within the window → 429.
    "LOGIN_LOCKOUT_ATTEMPTS": env.int("PLANTRACKER_LOGIN_LOCKOUT_ATTEMPTS", default=5),
    "LOGIN_LOCKOUT_SECONDS": env.int("PLANTRACKER_LOGIN_LOCKOUT_SECONDS", default=15 * 60),
    # A JWT session ends this long after its password login, however often it is refreshed.
    "SESSION_MAX_AGE_DAYS": env.int("PLANTRACKER_SESSION_MAX_AGE_DAYS", default=30),
    "SITE_URL": env("PLANTRACKER_SITE_URL", default="http://127.0.0.1:8000"),
    # The supervision loop (docs/supervision-loop.md).
    # An extension may move a deadline this many quarters past the plan year (1: 31 March).
    "EXTENSION_MAX_QUARTERS_PAST_YEAR": env.int(
        "PLANTRACKER_EXTENSION_MAX_QUARTERS_PAST_YEAR", default=1
    ),
    # A 督办单 must be answered within this many working days of issue (or send-back).
    "NOTICE_RESPONSE_WORKING_DAYS": env.int("PLANTRACKER_NOTICE_RESPONSE_WORKING_DAYS", default=5),
    # A completion claim (申请销号) needs progress 100 and evidence (an attachment, or a
    # stated reason why there is none). The product rule; off only for legacy imports.
    "COMPLETION_REQUIRES_EVIDENCE": env.bool(
        "PLANTRACKER_COMPLETION_REQUIRES_EVIDENCE", default=True
    ),
    # A leader instruction (领导批示) must be answered within this many working days.
    "INSTRUCTION_RESPONSE_WORKING_DAYS": env.int(
        "PLANTRACKER_INSTRUCTION_RESPONSE_WORKING_DAYS", default=5
    ),
    # 签收: a task assigned (交办) and not acknowledged within this many working days is a
    # reminder item (docs/supervision-procedure.md).
    "ACKNOWLEDGE_WITHIN_WORKING_DAYS": env.int(
        "PLANTRACKER_ACKNOWLEDGE_WITHIN_WORKING_DAYS", default=3
    ),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
