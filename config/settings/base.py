"""Settings shared by every environment; each value that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, signed in through the site's two-step sign-in (config/adminsite.py).
    "config.adminsite.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "viewflow",
    "viewflow.workflow",
    "core",
    "agencies",
    "notifications",
    "workflow",
    "escalation",
    "importer",
    "inspection",
    "dashboards",
]
# Extra apps for a particular run (bench/ adds itself for its viewflow peer).
INSTALLED_APPS += [app for app in env.list("EXTRA_APPS", default=[]) if app not in INSTALLED_APPS]
# The benchmarks and their data generator (manage.py generate_bench_data), in development and
# tests only (dev.py, test.py); production has them only through EXTRA_APPS.
BENCH_APPS = [] if "bench" in INSTALLED_APPS else ["bench"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that may write: every audit line of the request says from where.
    "core.middleware.AuditOriginMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.VietnameseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with an authenticator's code (config/signin.py).
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.AccessMemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Only while OTP_REQUIRED_ROLES names roles: they must sign in with a code (config/signin.py).
    "config.signin.TwoFactorRequiredMiddleware",
    "core.middleware.CompleteBodyMiddleware",  # a body cut short changes nothing (400)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into config.signin.locked_out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.notices",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time; wait instead of failing when the sweep and a request write together.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles the plans of the province-wide tallies for longer than they run (measured
    # by bench/pages.py at 200,000 assignments: the landing 2.0 s with JIT, 0.6 s without).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name + address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in protection (django-axes, config/signin.py): SIGNIN_FAILURE_LIMIT wrong passwords for
# one user name from one address, each within SIGNIN_LOCKOUT_MINUTES of the previous one, lock
# that pair out for SIGNIN_LOCKOUT_MINUTES after the last attempt (an attempt while locked out
# starts the wait again); a successful sign-in clears the count. Another user name from the
# same address, or the same user name from another address, is not affected. Unlock: the admin
# (Axes › Access attempts) or `manage.py axes_reset_username NAME` (deploy/README.md).
AXES_ENABLED = True
AXES_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGNIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "config.signin.client_ip"
# The request header holding the client's address, set by the site's own reverse proxy (e.g.
# HTTP_X_REAL_IP, or HTTP_X_FORWARDED_FOR: its last entry); empty: REMOTE_ADDR, and any
# X-Forwarded-For is ignored. The lockout and the audit record's address follow the same rule
# (core.middleware.client_ip); read it before setting this.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="")
# Attempts are counted in the database (AccessAttempt), each sign-in logged (AccessLog); axes
# logs its own configuration at start-up only when asked.
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)
# Never kept in the attempts' form data (passwords never are).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]

# Optional two-factor sign-in (TOTP, django-otp; core/twofactor.py, config/signin.py): a person
# enrols an authenticator app from the profile page; from then on the 6-digit code is asked
# after the password, within SIGNIN_CODE_MINUTES. A wrong code counts for the lockout above
# like a wrong password, and django-otp's throttle makes the n-th wrong code in a row cost a
# wait of 2^(n-1) seconds before the next one (OTP_TOTP_THROTTLE_FACTOR seconds × …).
SIGNIN_CODE_MINUTES = env.int("SIGNIN_CODE_MINUTES", default=5)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Đôn đốc")
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
# Roles that must use it (e.g. OTP_REQUIRED_ROLES=leader,reviewer): without an authenticator
# they are sent to enrol before anything else. Empty (the default): optional for everyone.
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=[])

# Sessions end after a working day (8 h from sign-in) and, unless turned off, when the browser
# is closed.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Response headers on every page, in every environment (HSTS, the HTTPS redirect and secure
# cookies are production's, config/settings/production.py).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): only this site's own files. No template may hold an
# inline <script>, an on…= handler, a javascript: link or a <style> element
# (tests/security/test_config_headers.py reads templates/ for them); behaviour goes in
# static/js/ (site.js handles data-submit-on-change and data-history-back). style="…"
# attributes are allowed (style-src-attr) for the proportion bars of workflow/_bars.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
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

# The admin lives under a path of each province's choosing (never the well-known admin/).
ADMIN_URL = env("ADMIN_URL", default="quan-tri/").strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("ADMIN_URL must name a path, e.g. quan-tri/.")

# Vietnamese by default, English on request; dates dd/mm/yyyy; Vietnam time.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]
# A fixed due date on a day off moves to the next working day (Bộ luật Dân sự 2015, art. 148).
DUE_DATE_MOVES_OFF_DAYS_OFF = env.bool("DUE_DATE_MOVES_OFF_DAYS_OFF", default=True)

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence lives outside the web root and is served only through permission-checked views.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="don-doc@localhost")
# Where people reach the site: links in e-mail are absolute (a mail client has no page to be
# relative to). The daily digest goes out during this hour, Vietnam time.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)

GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None

# Rate limits of the expensive operations, per person (core/throttle.py, DRF's rate syntax):
# reading a directive into a breakdown or confirming one; moving a reorganised agency's work.
# Counted in the cache (CACHES; set a shared one, e.g. Redis, with several server processes).
EXPENSIVE_RATES = {
    "import": env.str("RATE_IMPORT", default="60/hour"),
    "reorganisation": env.str("RATE_REORGANISATION", default="120/hour"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Đôn đốc API",
    "DESCRIPTION": "Directive follow-up and compliance engine (Đôn đốc).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are for signed-in users (config/urls.py also sends a signed-out
    # visitor of the docs page to the sign-in page).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI checks nothing outside the site (its default asks validator.swagger.io).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "agencies.choices.AgencyKind",
        "DirectiveKindEnum": "workflow.choices.DirectiveKind",
        "DirectiveStatusEnum": "workflow.choices.DirectiveStatus",
        "ReportKindEnum": "workflow.choices.ReportKind",
        "ReportStatusEnum": "workflow.choices.ReportStatus",
        "ExtensionStatusEnum": "workflow.choices.ExtensionStatus",
        # An assignment's role (lead, coordinating), named apart from an inspection team's.
        "RoleEnum": "workflow.choices.AssignmentRole",
        "PlanFormEnum": "inspection.choices.PlanForm",
        "PlanStatusEnum": "inspection.choices.PlanStatus",
        "InspectionStatusEnum": "inspection.choices.InspectionStatus",
        "TeamRoleEnum": "inspection.choices.TeamRole",
        "FindingSideEnum": "inspection.choices.FindingSide",
        "FindingResultEnum": "inspection.choices.FindingResult",
        "RecommendationStatusEnum": "inspection.choices.RecommendationStatus",
        "VerificationResultEnum": "inspection.choices.VerificationResult",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Evidence uploads: the limit per file, checked before anything is stored.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Celery (production only; `make run` uses `manage.py sweep --loop` instead).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
