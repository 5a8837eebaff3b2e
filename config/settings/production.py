"""Production: everything secret or host-specific comes from the environment.

`manage.py check --deploy --fail-level WARNING` passes with these settings
(tests/security/test_config_deploy.py); deploy/README.md lists the variables.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CONTENT_SECURITY_POLICY, SECRET_KEY, env

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment outside development.")

DEBUG = env.bool("DEBUG", default=False)

# HTTPS only. TLS ends at the site's reverse proxy (nginx), which tells Django the scheme in
# X-Forwarded-Proto; the proxy must overwrite that header (`proxy_set_header X-Forwarded-Proto
# $scheme;`), never pass on the client's. Where Django itself receives HTTPS (no proxy), set
# SECURE_PROXY_SSL_HEADER to an empty value.
_proxy_ssl_header = env("SECURE_PROXY_SSL_HEADER", default="HTTP_X_FORWARDED_PROTO")
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# A year of HSTS, subdomains included; preloading (hstspreload.org) only once the province has
# decided every subdomain is HTTPS for good.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# security.W021 asks for preloading; it is the province's decision for its whole domain
# (SECURE_HSTS_PRELOAD=true), not a default: until it is taken the warning says nothing new.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Cookies over HTTPS only; the __Host- prefix also binds them to this host and path "/".
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    LANGUAGE_COOKIE_SECURE = True
if CSRF_COOKIE_SECURE:
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Pages reached over HTTPS load nothing over HTTP.
CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY,
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True},
}
