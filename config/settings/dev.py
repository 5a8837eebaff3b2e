"""Local development: DEBUG on, a fixed key that is never used elsewhere."""

from .base import *  # noqa: F403
from .base import BENCH_APPS, INSTALLED_APPS, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
INSTALLED_APPS = [*INSTALLED_APPS, *BENCH_APPS]
