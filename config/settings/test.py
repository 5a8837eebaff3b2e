"""Test runs: fast hashing, in-memory mail, DATABASE_URL decides SQLite or PostgreSQL."""

from .base import *  # noqa: F403
from .base import AUTHENTICATION_BACKENDS, BASE_DIR, BENCH_APPS, INSTALLED_APPS, env

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "test-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
INSTALLED_APPS = [*INSTALLED_APPS, *BENCH_APPS]
# No rate limit in the suite but where a test sets one (tests/security/test_throttle.py).
EXPENSIVE_RATES: dict[str, str] = {}
# axes guards every sign-in as in production; only Django's test client login(), which passes
# no request, goes unguarded (config/signin.py). The tests of the lockout sign in through the
# real pages (tests/security/test_signin_lockout.py).
AUTHENTICATION_BACKENDS = [
    "config.signin.TestClientAxesBackend" if path == "axes.backends.AxesStandaloneBackend" else path
    for path in AUTHENTICATION_BACKENDS
]
