"""Vigie with only the middleware a logged-in read cannot do without.

Not a configuration to run: the feed benchmark measures it once to show what
the security middleware (headers, CSRF, locale, second factor, session
limits, lockout) costs on top of sessions and authentication.
"""

from bench.settings import *  # noqa: F403

MIDDLEWARE = [
    "vigie.lib.middleware.CacheScopeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
