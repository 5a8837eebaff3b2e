"""Test runs: fast hashing, in-memory mail, DATABASE_URL decides SQLite or PostgreSQL."""

from .base import *  # noqa: F403
from .base import BASE_DIR, BENCH_APPS, INSTALLED_APPS, env

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
