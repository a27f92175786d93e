from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class VigieArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with the parameters chosen in settings (never below OWASP's floor).

    It keeps the ``argon2`` algorithm name, so hashes made with other
    parameters still verify, and Django re-hashes them at the next login.
    """

    time_cost = settings.ARGON2_TIME_COST
    memory_cost = settings.ARGON2_MEMORY_KIB
    parallelism = settings.ARGON2_PARALLELISM
