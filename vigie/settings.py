"""Vigie's only settings module.

Every value comes from the environment through the typed readers of
``vigie.lib.environment``; ``.env.example`` lists them all with their meaning.
``VIGIE_ENV`` selects the profile: ``development`` (the default, and the demo),
``test`` (set by the test runner) or ``production``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from vigie.lib.environment import Environment

env = Environment()

BASE_DIR = Path(__file__).resolve().parent.parent
VIGIE_ENV = env.choice(
    "VIGIE_ENV",
    # pytest (8.2 and later) announces itself in the environment of the run.
    default="test" if env.is_set("PYTEST_VERSION") else "development",
    choices=("development", "test", "production"),
)
PRODUCTION = VIGIE_ENV == "production"
TESTING = VIGIE_ENV == "test"

# Everything Vigie writes to disk lives below this folder: the SQLite file,
# collected static files, mail and letters of the local stand-ins, benchmarks.
DATA_DIR = env.path("VIGIE_DATA_DIR", default=Path("var"), base=BASE_DIR)

DEBUG = env.boolean("VIGIE_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("VIGIE_DEBUG cannot be true when VIGIE_ENV=production.")


def _secret_key() -> str:
    if PRODUCTION:
        key = env.string("SECRET_KEY", required=True)
        # Same bar as Django's deployment check (security.W009), enforced at start-up.
        if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-"):
            raise ImproperlyConfigured(
                "SECRET_KEY is too weak for production: use at least 50 random characters, "
                "for example from `python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
            )
        return key
    if env.is_set("SECRET_KEY"):
        return env.string("SECRET_KEY")
    if TESTING:
        return secrets.token_urlsafe(64)
    # Development: a key generated once per checkout, kept out of the repository,
    # shared by every process of the demo (web workers and task worker).
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _field_keys() -> list[str]:
    """Fernet keys for personal data at rest (vigie.lib.crypto); the first one encrypts.

    Several keys allow rotation: prepend a new one, then `manage.py rotate_field_keys`.
    """
    if env.is_set("VIGIE_FIELD_ENCRYPTION_KEYS"):
        # The old name, left in an environment file, would otherwise be ignored and the
        # data encrypted under it become unreadable with a freshly generated key.
        raise ImproperlyConfigured(
            "VIGIE_FIELD_ENCRYPTION_KEYS is now called VIGIE_FIELD_KEYS: rename it."
        )
    if env.is_set("VIGIE_FIELD_KEYS"):
        return env.string_list("VIGIE_FIELD_KEYS", default=[])
    if PRODUCTION:
        raise ImproperlyConfigured(
            "VIGIE_FIELD_KEYS must be set in production (Fernet keys: "
            "`python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)."
        )
    from cryptography.fernet import Fernet

    if TESTING:
        return [Fernet.generate_key().decode()]
    key_file = DATA_DIR / "field_encryption_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(Fernet.generate_key().decode())
        key_file.chmod(0o600)
    return [key_file.read_text().strip()]


FIELD_KEYS = _field_keys()


def _fingerprint_key() -> str:
    """Keys the fingerprints of encrypted values (vigie.lib.crypto.fingerprint)."""
    if env.is_set("VIGIE_FINGERPRINT_KEY"):
        key = env.string("VIGIE_FINGERPRINT_KEY")
        if PRODUCTION and len(key) < 32:
            raise ImproperlyConfigured("VIGIE_FINGERPRINT_KEY needs at least 32 characters.")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("VIGIE_FINGERPRINT_KEY must be set in production.")
    if TESTING:
        return secrets.token_urlsafe(32)
    key_file = DATA_DIR / "fingerprint_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


FINGERPRINT_KEY = _fingerprint_key()

# Connections that never leave the machine: loopback addresses and Unix sockets. Every
# other connection to a database, Redis or an SMTP server is refused in production unless
# it is encrypted (ASVS 12.3.1): the settings below fail at start-up instead.
_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1", "[::1]"}


def _is_local_host(host: str | None) -> bool:
    host = (host or "").strip().lower()
    return host in _LOCAL_HOSTS or host.startswith(("/", "127.", "localhost."))


if PRODUCTION:
    if not env.is_set("ALLOWED_HOSTS"):
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set in production (comma-separated host names)."
        )
    ALLOWED_HOSTS = env.string_list("ALLOWED_HOSTS", default=[])
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS cannot contain '*' in production.")
else:
    ALLOWED_HOSTS = env.string_list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )

# The public address of the site, used in links sent by e-mail, SMS and letters.
BASE_URL = env.url(
    "VIGIE_BASE_URL",
    default="https://localhost" if PRODUCTION else "http://127.0.0.1:8000",
    schemes=("https",) if PRODUCTION else ("http", "https"),
).rstrip("/")
CSRF_TRUSTED_ORIGINS = [
    f"{urlsplit(BASE_URL).scheme}://{urlsplit(BASE_URL).netloc}",
    *env.string_list("VIGIE_CSRF_TRUSTED_ORIGINS", default=[]),
]

INSTALLED_APPS = [
    "vigie.admin_apps.VigieAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "vigie",
    "vigie.audit",
    "vigie.accounts",
    "vigie.notifications",
    "vigie.addresses",
    "vigie.verification",
    "vigie.communities",
    "vigie.posts",
    "vigie.alerts",
    "vigie.moderation",
    "vigie.municipalities",
    "vigie.payments",
    "vigie.privacy",
    "vigie.operations",
    "vigie.api",
]

MIDDLEWARE = [
    "vigie.lib.middleware.CacheScopeMiddleware",
    # Every write request in one transaction: a 503 or a 500 then kept nothing of it.
    "vigie.lib.database.AtomicWritesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "vigie.lib.middleware.HttpsOnlyApiMiddleware",
    "vigie.lib.middleware.ApiErrorShapeMiddleware",
    "vigie.lib.methods.MethodAllowlistMiddleware",
    "vigie.lib.middleware.NullCharacterMiddleware",
    "vigie.lib.csp.PrebuiltCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vigie.accounts.middleware.SessionPolicyMiddleware",
    # Inside the session policy, so that it sees who is acting; outside everything that
    # answers, so that it sees every refusal as the person gets it.
    "vigie.lib.middleware.SecurityEventMiddleware",
    "vigie.moderation.middleware.TermsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vigie.lib.middleware.NoStoreMiddleware",
    "vigie.lib.middleware.VigieErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vigie.urls"
WSGI_APPLICATION = "vigie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "vigie.lib.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

_SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock when a transaction begins, so concurrent
    # writers queue up instead of failing half-way (and the audit chain cannot fork).
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
}

if env.is_set("DATABASE_URL"):
    _database = dj_database_url.parse(
        env.url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite")),
        conn_max_age=env.integer("VIGIE_DB_CONN_MAX_AGE", default=60, minimum=0),
        conn_health_checks=True,
    )
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        _database["OPTIONS"] = dict(_SQLITE_OPTIONS)
    elif PRODUCTION:
        _options = _database.get("OPTIONS") or {}
        if not _is_local_host(_database.get("HOST") or _options.get("host")) and _options.get(
            "sslmode"
        ) not in ("require", "verify-ca", "verify-full"):
            # The URL may carry a password: name the variable, never echo its value.
            raise ImproperlyConfigured(
                "DATABASE_URL points to another machine without TLS: add "
                "?sslmode=verify-full (or verify-ca, or require) to it."
            )
else:
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "vigie.sqlite3"),
        "OPTIONS": dict(_SQLITE_OPTIONS),
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and rate limits ------------------------------------------------------

REDIS_URL = env.optional_string("REDIS_URL")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    env.url("REDIS_URL", schemes=("redis", "rediss", "unix"))
    # Django's RedisCache takes several comma-separated servers (the first one writes).
    if PRODUCTION and any(
        urlsplit(server.strip()).scheme == "redis"
        and not _is_local_host(urlsplit(server.strip()).hostname)
        for server in REDIS_URL.split(",")
    ):
        raise ImproperlyConfigured(
            "REDIS_URL points to another machine without TLS: use rediss:// "
            "(or redis:// on this machine only, or unix://)."
        )
    CACHES = {
        "default": {
            "BACKEND": "vigie.lib.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.string("VIGIE_CACHE_PREFIX", default="vigie")
            # Parallel test processes share the Redis server: each keeps to its own keys.
            + (f"-test-{env.string('PYTEST_XDIST_WORKER', default='main')}" if TESTING else ""),
        }
    }
else:
    # The database cache, unlike local memory, is shared by every web worker,
    # so rate limits hold across processes even without Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "vigie_cache",
            # Django's default (300 entries, then a third culled) would drop live
            # rate-limit counters under load; expired entries go anyway.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000, "CULL_FREQUENCY": 10},
        }
    }

# Sessions, users, memberships and feeds are cached (see vigie/lib/cache.py)
# only where every process shares the cache cheaply: with Redis. The database
# cache would cost the query it saves; local memory is not shared between web
# workers, except in tests, which run in one process and must test the caching.
SHARED_CACHE_ENABLED = bool(REDIS_URL) or TESTING
if REDIS_URL:
    CACHES["shared"] = CACHES["default"]
elif TESTING:
    CACHES["shared"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
else:
    CACHES["shared"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
SESSION_CACHE_ALIAS = "shared"
# Each web process keeps the values it computed (their versions stay in Redis).
LOCAL_CACHE_MEGABYTES = env.integer(
    "VIGIE_LOCAL_CACHE_MEGABYTES", default=64, minimum=1, maximum=4096
)

RATE_SIGN_UP = env.rate("VIGIE_RATE_SIGN_UP", default="10/hour")
RATE_PASSWORD_RESET = env.rate("VIGIE_RATE_PASSWORD_RESET", default="5/hour")
RATE_PHONE_CODE = env.rate("VIGIE_RATE_PHONE_CODE", default="3/hour")
RATE_EMAIL_CHANGE = env.rate("VIGIE_RATE_EMAIL_CHANGE", default="5/hour")
RATE_SECOND_FACTOR = env.rate("VIGIE_RATE_SECOND_FACTOR", default="10/minute")
RATE_PASSWORD_CHECK = env.rate("VIGIE_RATE_PASSWORD_CHECK", default="10/hour")
# Log-in attempts from one IP address, whatever the account: stops credential stuffing,
# which the per-account lockout cannot see (one guess for each of many accounts).
RATE_LOGIN = env.rate("VIGIE_RATE_LOGIN", default="60/hour")
# Writing in a neighbourhood, per account: far above what a person writes, far below a script.
RATE_POST = env.rate("VIGIE_RATE_POST", default="20/hour")
RATE_COMMENT = env.rate("VIGIE_RATE_COMMENT", default="60/hour")
# Copies of one's data, per account: each one is a whole ZIP to build.
RATE_DATA_EXPORT = env.rate("VIGIE_RATE_DATA_EXPORT", default="5/day")

# --- Tasks ----------------------------------------------------------------------

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # vigie.lib.tasks says what goes where; `run_worker --queue-name` picks.
        "QUEUES": ["default", "messages", "letters"],
    }
}
TASK_MAX_ATTEMPTS = env.integer("VIGIE_TASK_MAX_ATTEMPTS", default=6, minimum=1)
# The worker beats every WORKER_HEARTBEAT_SECONDS; /healthz calls it stale after the max age.
WORKER_HEARTBEAT_SECONDS = env.integer("VIGIE_WORKER_HEARTBEAT_SECONDS", default=30, minimum=1)
WORKER_HEARTBEAT_MAX_AGE = env.integer("VIGIE_WORKER_HEARTBEAT_MAX_AGE", default=120, minimum=10)

# --- Accounts, passwords, sessions --------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "vigie.accounts.backends.CachedModelBackend",
]

PASSWORD_HASHERS = [
    # Argon2id at or above OWASP's floor (19 MiB, 2 passes); about 50 ms per check here.
    "vigie.accounts.hashers.VigieArgon2PasswordHasher",
    # Older hashes still verify and are upgraded to Argon2id at the next login.
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
ARGON2_MEMORY_KIB = env.integer("VIGIE_ARGON2_MEMORY_KIB", default=32768, minimum=19456)
ARGON2_TIME_COST = env.integer("VIGIE_ARGON2_TIME_COST", default=2, minimum=2)
ARGON2_PARALLELISM = env.integer("VIGIE_ARGON2_PARALLELISM", default=1, minimum=1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "vigie.accounts.password_policy.CnilPasswordValidator"},
    {"NAME": "vigie.accounts.password_policy.ContextWordsValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_MAX_LENGTH = 1024
PASSWORD_RESET_TIMEOUT = 3600  # one hour, as the reset link promises
EMAIL_CONFIRMATION_MAX_AGE = timedelta(days=3)

SESSION_ENGINE = "vigie.accounts.session_store"
SESSION_COOKIE_AGE = (
    60 * 60 * 24 * env.integer("VIGIE_SESSION_MAX_AGE_DAYS", default=30, minimum=1, maximum=30)
)
# A resident's session left unused this long ends too: a lost phone does not stay logged in
# for the whole 30 days.
SESSION_IDLE = timedelta(
    days=env.integer("VIGIE_SESSION_IDLE_DAYS", default=14, minimum=1, maximum=30)
)
STAFF_SESSION_IDLE = timedelta(
    minutes=env.integer("VIGIE_STAFF_SESSION_IDLE_MINUTES", default=30, minimum=1, maximum=30)
)
STAFF_SESSION_MAX_AGE = timedelta(
    hours=env.integer("VIGIE_STAFF_SESSION_MAX_HOURS", default=12, minimum=1, maximum=12)
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
if PRODUCTION:
    # __Host- cookies are only accepted over HTTPS, for this exact host, on path /.
    SESSION_COOKIE_NAME = "__Host-vigie-session"
    CSRF_COOKIE_NAME = "__Host-vigie-csrf"
else:
    SESSION_COOKIE_NAME = "vigie-session"
    CSRF_COOKIE_NAME = "vigie-csrf"

# Brute-force protection: failures counted per (account, IP) pair, so an attacker
# elsewhere cannot lock a resident out; the lock always lifts after the cool-off.
AXES_FAILURE_LIMIT = env.integer("VIGIE_LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(
    minutes=env.integer("VIGIE_LOGIN_COOL_OFF_MINUTES", default=15, minimum=1)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # our own security events record logins
AXES_USERNAME_FORM_FIELD = "email"
AXES_USERNAME_CALLABLE = "vigie.accounts.authentication.axes_username"
AXES_CLIENT_IP_CALLABLE = "vigie.lib.http.client_ip"
AXES_LOCKOUT_CALLABLE = "vigie.accounts.views.locked_out"
AXES_VERBOSE = False
# django-axes keeps the refused form: the address (and any code) must not be in it.
AXES_SENSITIVE_PARAMETERS = ["password", "email", "otp_code", "code", "next"]

OTP_TOTP_ISSUER = "Vigie"
# No learnt drift: a code is accepted in its own 30-second step or one step either side,
# never more, however late a phone's clock has been before (ASVS 6.5.5).
OTP_TOTP_SYNC = False
RECOVERY_CODE_COUNT = 10

# --- Addresses and their verification by letter ---------------------------------------------

# Where address suggestions come from: the imported BAN (local) or IGN Géoplateforme.
GEOCODER = env.choice("VIGIE_GEOCODER", default="local", choices=("local", "geoplateforme"))
GEOCODER_URL = env.url(
    "VIGIE_GEOCODER_URL", default="https://data.geopf.fr/geocodage", schemes=("https", "http")
)
GEOCODER_TIMEOUT_SECONDS = env.integer("VIGIE_GEOCODER_TIMEOUT_SECONDS", default=5, minimum=1)
RATE_ADDRESS_SEARCH = env.rate("VIGIE_RATE_ADDRESS_SEARCH", default="60/minute")

ACTIVATION_CODE_VALIDITY_DAYS = env.integer(
    "VIGIE_ACTIVATION_CODE_VALIDITY_DAYS", default=30, minimum=1, maximum=365
)
ACTIVATION_CODE_MAX_WRONG_ENTRIES = env.integer(
    "VIGIE_ACTIVATION_CODE_MAX_WRONG_ENTRIES", default=5, minimum=1, maximum=10
)
RATE_ACTIVATION = env.rate("VIGIE_RATE_ACTIVATION", default="20/hour")
LETTERS_PER_ACCOUNT = env.integer("VIGIE_LETTERS_PER_ACCOUNT", default=3, minimum=1)
LETTERS_PER_ADDRESS = env.integer("VIGIE_LETTERS_PER_ADDRESS", default=3, minimum=1)
# One building (one BAN address) holds many homes: a wider limit over all of them.
LETTERS_PER_BUILDING = env.integer("VIGIE_LETTERS_PER_BUILDING", default=12, minimum=1)
# The merged print files hold codes in clear: deleted after this many days.
LETTER_PRINT_RETENTION_DAYS = env.integer("VIGIE_LETTER_PRINT_RETENTION_DAYS", default=7, minimum=1)
LETTER_LIMIT_WINDOW_DAYS = env.integer("VIGIE_LETTER_LIMIT_WINDOW_DAYS", default=90, minimum=1)
# Days between a code's making and its letter's posting that the printed expiry allows for.
LETTER_POSTING_MARGIN_DAYS = env.integer("VIGIE_LETTER_POSTING_MARGIN_DAYS", default=5, minimum=0)
LETTER_SENDER = env.choice("VIGIE_LETTER_SENDER", default="spool", choices=("spool", "maileva"))
LETTERS_DIR = DATA_DIR / "letters"
LETTERS_OUTBOX = LETTERS_DIR / "outbox"
LETTER_RETURN_ADDRESS = [
    line.strip()
    for line in env.string(
        "VIGIE_LETTER_RETURN_ADDRESS",
        default="Service courrier|1 place de la Mairie|99100 BOURG LES VIGIES",
    ).split("|")
    if line.strip()
][:4]
CONTACT_EMAIL = env.string("VIGIE_CONTACT_EMAIL", default="contact@vigie.test")
MAILEVA_API_URL = env.url(
    "VIGIE_MAILEVA_API_URL", default="https://api.maileva.com/mail/v2", schemes=("https", "http")
)
MAILEVA_TOKEN_URL = env.url(
    "VIGIE_MAILEVA_TOKEN_URL",
    default="https://connexion.maileva.com/auth/realms/services/protocol/openid-connect/token",
    schemes=("https", "http"),
)
MAILEVA_CLIENT_ID = env.optional_string("VIGIE_MAILEVA_CLIENT_ID") or ""
MAILEVA_CLIENT_SECRET = env.optional_string("VIGIE_MAILEVA_CLIENT_SECRET") or ""
MAILEVA_TIMEOUT_SECONDS = env.integer("VIGIE_MAILEVA_TIMEOUT_SECONDS", default=30, minimum=1)
if LETTER_SENDER == "maileva" and not (MAILEVA_CLIENT_ID and MAILEVA_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "VIGIE_LETTER_SENDER=maileva needs VIGIE_MAILEVA_CLIENT_ID and VIGIE_MAILEVA_CLIENT_SECRET."
    )

# --- Neighbourhoods -----------------------------------------------------------------------------

NEIGHBOURHOOD_MIN_AREA_M2 = env.integer("VIGIE_NEIGHBOURHOOD_MIN_AREA_M2", default=2_000, minimum=1)
NEIGHBOURHOOD_MAX_AREA_M2 = env.integer(
    "VIGIE_NEIGHBOURHOOD_MAX_AREA_M2", default=25_000_000, minimum=10_000
)
# Map tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty: the map shows the
# boundary on a plain background and Vigie loads nothing from elsewhere.
MAP_TILE_URL = env.optional_string("VIGIE_MAP_TILE_URL") or ""
MAP_TILE_ATTRIBUTION = env.optional_string("VIGIE_MAP_TILE_ATTRIBUTION") or ""

# Images on posts: checked from their bytes, re-encoded without metadata.
POST_IMAGE_MAX_BYTES = env.integer("VIGIE_POST_IMAGE_MAX_BYTES", default=8_000_000, minimum=100_000)
POST_IMAGE_MAX_PIXELS = env.integer(
    "VIGIE_POST_IMAGE_MAX_PIXELS", default=40_000_000, minimum=1_000_000
)
POST_IMAGES_MAX = env.integer("VIGIE_POST_IMAGES_MAX", default=4, minimum=0, maximum=10)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Internationalisation --------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "vigie" / "locale"]
LANGUAGE_COOKIE_NAME = "vigie-language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"

# --- E-mail ---------------------------------------------------------------------------

_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = env.choice(
    "VIGIE_EMAIL_BACKEND",
    default="smtp" if PRODUCTION else ("memory" if TESTING else "file"),
    choices=("smtp", "file", "console", "memory"),
)
EMAIL_BACKEND = _EMAIL_BACKENDS[_email_backend]
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env.string("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", default=25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.optional_string("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env.optional_string("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.boolean("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = 20
if (
    PRODUCTION
    and _email_backend == "smtp"
    and not (EMAIL_USE_TLS or EMAIL_USE_SSL)
    and not _is_local_host(EMAIL_HOST)
):
    raise ImproperlyConfigured(
        "EMAIL_HOST is another machine: set EMAIL_USE_TLS=true (STARTTLS, port 587) or "
        "EMAIL_USE_SSL=true (port 465); only a server on this machine may be used without TLS."
    )
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", default="Vigie <ne-pas-repondre@vigie.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Alerts and their delivery ----------------------------------------------------------------

# A member sends at most this many alerts in 24 hours; the same category in the
# same street within the window suggests joining the alert already sent.
ALERT_MAX_PER_DAY = env.integer("VIGIE_ALERT_MAX_PER_DAY", default=3, minimum=1, maximum=50)
ALERT_SIMILAR_MINUTES = env.integer("VIGIE_ALERT_SIMILAR_MINUTES", default=30, minimum=0)
# The fast path (delivered at once, reviewed after): référents, and members with
# at least this many approved alerts and no sanction in the last days given.
ALERT_TRUSTED_APPROVED = env.integer("VIGIE_ALERT_TRUSTED_APPROVED", default=5, minimum=1)
ALERT_TRUSTED_CLEAN_DAYS = env.integer("VIGIE_ALERT_TRUSTED_CLEAN_DAYS", default=365, minimum=0)
# Deliveries are created and sent in batches of this size.
DELIVERY_BATCH_SIZE = env.integer("VIGIE_DELIVERY_BATCH_SIZE", default=500, minimum=1)
# Threads a delivery worker sends pushes and texts from, and kept-alive connections per
# service. A push mostly waits on its service, tens of ms away: with it 30 ms away, one
# worker sent 541 deliveries a second from 8 threads and 1,299 from 32 (bench/fanout.py
# --push-latency-ms 30; as many either way with no wait). Each service sees this many.
SENDING_THREADS = env.integer("VIGIE_SENDING_THREADS", default=32, minimum=1, maximum=256)
# A delivery claimed this long ago by a worker that died goes back in the queue; an
# approved alert whose fan-out stopped this long ago is fanned out again.
DELIVERY_STALL_SECONDS = env.integer("VIGIE_DELIVERY_STALL_SECONDS", default=600, minimum=1)
# The daily digest of non-urgent alerts leaves at this local hour.
DIGEST_HOUR = env.integer("VIGIE_DIGEST_HOUR", default=18, minimum=0, maximum=23)
# A fan-out plans and creates the deliveries of this many members per transaction
# (a worker killed mid-way loses at most one such batch, which the re-run makes):
# few round trips per alert, short enough transactions.
FAN_OUT_BATCH_SIZE = env.integer("VIGIE_FAN_OUT_BATCH_SIZE", default=2000, minimum=1)

# SMS: "file" writes each message into VIGIE_DATA_DIR/sms/outbox (demo, tests);
# "ovh" sends through OVHcloud's SMS API.
SMS_PROVIDER = env.choice("VIGIE_SMS_PROVIDER", default="file", choices=("file", "ovh"))
OVH_ENDPOINT = env.string("VIGIE_OVH_ENDPOINT", default="ovh-eu")
OVH_APPLICATION_KEY = env.optional_string("VIGIE_OVH_APPLICATION_KEY") or ""
OVH_APPLICATION_SECRET = env.optional_string("VIGIE_OVH_APPLICATION_SECRET") or ""
OVH_CONSUMER_KEY = env.optional_string("VIGIE_OVH_CONSUMER_KEY") or ""
OVH_SMS_SERVICE = env.optional_string("VIGIE_OVH_SMS_SERVICE") or ""
OVH_SMS_SENDER = env.string("VIGIE_OVH_SMS_SENDER", default="Vigie")
if SMS_PROVIDER == "ovh" and not all(
    (OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, OVH_SMS_SERVICE)
):
    raise ImproperlyConfigured(
        "VIGIE_SMS_PROVIDER=ovh needs VIGIE_OVH_APPLICATION_KEY, VIGIE_OVH_APPLICATION_SECRET, "
        "VIGIE_OVH_CONSUMER_KEY and VIGIE_OVH_SMS_SERVICE."
    )
# Texts received by the provider are posted to /api/v1/sms/inbound, signed with
# this secret (HMAC-SHA256); without it the webhook refuses everything.
SMS_WEBHOOK_SECRET = env.optional_string("VIGIE_SMS_WEBHOOK_SECRET") or ""

# Web Push (VAPID). Make a pair with `manage.py generate_vapid_keys`; outside
# production a pair is made once in VIGIE_DATA_DIR when none is set.
VAPID_PRIVATE_KEY = env.optional_string("VIGIE_VAPID_PRIVATE_KEY") or ""
VAPID_PUBLIC_KEY = env.optional_string("VIGIE_VAPID_PUBLIC_KEY") or ""
VAPID_SUBJECT = env.string("VIGIE_VAPID_SUBJECT", default="mailto:equipe@vigie.test")
# Browsers' push services (a host or its subdomains): the only places pushes go to.
PUSH_SERVICE_HOSTS = env.string_list(
    "VIGIE_PUSH_SERVICE_HOSTS",
    default=[
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)
if PRODUCTION and not (VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY):
    raise ImproperlyConfigured(
        "Set VIGIE_VAPID_PRIVATE_KEY and VIGIE_VAPID_PUBLIC_KEY (manage.py generate_vapid_keys)."
    )

# --- Moderation ------------------------------------------------------------------------------

# Content reported by this many distinct members (or by a référent) is hidden until the
# team decides.
REPORT_HIDE_THRESHOLD = env.integer("VIGIE_REPORT_HIDE_THRESHOLD", default=3, minimum=1)
RATE_REPORT = env.rate("VIGIE_RATE_REPORT", default="10/hour")
# A decision may be appealed once, within this many days.
APPEAL_DAYS = env.integer("VIGIE_APPEAL_DAYS", default=20, minimum=1)
# A banned member's home address cannot register again for this many days.
BAN_ADDRESS_DAYS = env.integer("VIGIE_BAN_ADDRESS_DAYS", default=365, minimum=1)
SUSPENSION_MAX_DAYS = env.integer("VIGIE_SUSPENSION_MAX_DAYS", default=365, minimum=1)

# --- Town halls and payments -------------------------------------------------------------------

# Monetico (Crédit Mutuel, CIC) terminal: its number, its 40-hex key, the company code.
# Outside production, the local test bank stands in for the hosted page, with a known key.
TEST_BANK = env.boolean("VIGIE_TEST_BANK", default=not PRODUCTION)
if PRODUCTION and TEST_BANK:
    raise ImproperlyConfigured("VIGIE_TEST_BANK is for the demo and the tests, never production.")
_DEMO_MONETICO_KEY = "1234567890ABCDEF1234567890ABCDEF12345678"
MONETICO_TPE = env.string("VIGIE_MONETICO_TPE", default="0000001")
MONETICO_KEY = env.optional_string("VIGIE_MONETICO_KEY") or (
    "" if PRODUCTION else _DEMO_MONETICO_KEY
)
MONETICO_COMPANY = env.string("VIGIE_MONETICO_COMPANY", default="vigie")
MONETICO_PAYMENT_URL = env.string(
    "VIGIE_MONETICO_PAYMENT_URL",
    default=(
        f"{BASE_URL}/banque-test/paiement.cgi"
        if TEST_BANK
        else "https://p.monetico-services.com/paiement.cgi"
        if PRODUCTION
        else "https://p.monetico-services.com/test/paiement.cgi"
    ),
)
if PRODUCTION and MONETICO_PAYMENT_URL != "https://p.monetico-services.com/paiement.cgi":
    raise ImproperlyConfigured(
        "In production, VIGIE_MONETICO_PAYMENT_URL is the bank's production page "
        "(https://p.monetico-services.com/paiement.cgi)."
    )
# Where the bank (or the test bank) posts its confirmations: set the same in its back office.
MONETICO_NOTIFY_URL = env.string(
    "VIGIE_MONETICO_NOTIFY_URL", default=f"{BASE_URL}/payments/monetico/notify"
)
if PRODUCTION and (len(MONETICO_KEY) != 40 or MONETICO_KEY == _DEMO_MONETICO_KEY):
    raise ImproperlyConfigured("Set VIGIE_MONETICO_KEY to the terminal's 40-character key.")

# The seller on invoices (French invoices state all of these).
SELLER_NAME = env.string("VIGIE_SELLER_NAME", default="Vigie SAS (démonstration)")
SELLER_LEGAL_FORM = env.string("VIGIE_SELLER_LEGAL_FORM", default="SAS au capital de 10 000 €")
SELLER_ADDRESS = env.string(
    "VIGIE_SELLER_ADDRESS", default="1 place de la Mairie, 99100 Bourg-lès-Vigies"
)
SELLER_SIRET = env.string("VIGIE_SELLER_SIRET", default="00000000000000")
SELLER_RCS = env.string("VIGIE_SELLER_RCS", default="RCS Bourg-lès-Vigies 000 000 000")
SELLER_VAT_NUMBER = env.string("VIGIE_SELLER_VAT_NUMBER", default="FR00000000000")
if PRODUCTION and (
    "démonstration" in SELLER_NAME
    or SELLER_SIRET == "00000000000000"
    or SELLER_VAT_NUMBER == "FR00000000000"
):
    raise ImproperlyConfigured(
        "Set VIGIE_SELLER_NAME, VIGIE_SELLER_SIRET and VIGIE_SELLER_VAT_NUMBER: "
        "invoices state the seller's real identity."
    )

# The legal notice (LCEN art. 6-III, /mentions-legales/): the publisher is the seller above,
# with a telephone number; who answers for what is published; and the company whose
# servers hold Vigie (the "host" in the law's sense, not a host name).
_DEMO_PHONE = "+33 1 00 00 00 00"
SELLER_PHONE = env.string("VIGIE_SELLER_PHONE", default=_DEMO_PHONE)
PUBLICATION_DIRECTOR = env.string(
    "VIGIE_PUBLICATION_DIRECTOR", default="Camille Durand (démonstration)"
)
HOST_NAME = env.string("VIGIE_HOST_NAME", default="Hébergeur de démonstration SAS")
_DEMO_HOST_ADDRESS = "2 rue des Serveurs, 99100 Bourg-lès-Vigies"
HOST_ADDRESS = env.string("VIGIE_HOST_ADDRESS", default=_DEMO_HOST_ADDRESS)
HOST_PHONE = env.string("VIGIE_HOST_PHONE", default=_DEMO_PHONE)
if PRODUCTION and (
    "démonstration" in PUBLICATION_DIRECTOR
    or "démonstration" in HOST_NAME
    or HOST_ADDRESS == _DEMO_HOST_ADDRESS
    or _DEMO_PHONE in (SELLER_PHONE, HOST_PHONE)
):
    raise ImproperlyConfigured(
        "Set VIGIE_SELLER_PHONE, VIGIE_PUBLICATION_DIRECTOR, VIGIE_HOST_NAME, "
        "VIGIE_HOST_ADDRESS and VIGIE_HOST_PHONE: the legal notice states who publishes "
        "and who hosts Vigie."
    )


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


_BANK_ORIGINS = [
    origin for origin in {_origin(MONETICO_PAYMENT_URL)} if origin != _origin(BASE_URL)
]

# --- HTTP security ------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.boolean("VIGIE_SSL_REDIRECT", default=PRODUCTION)
# The health check answers plain HTTP so a local proxy or monitor can probe it. The API is
# never redirected: over plain HTTP it answers 403 https_required instead (a client must
# notice that its token went in clear; vigie.lib.middleware.HttpsOnlyApiMiddleware).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^api/"]
SECURE_HSTS_SECONDS = 31_536_000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
# The preload directive only states consent; listing the domain is a separate, manual step.
SECURE_HSTS_PRELOAD = PRODUCTION and env.boolean("VIGIE_HSTS_PRELOAD", default=True)
TRUST_PROXY_HEADERS = env.boolean("VIGIE_TRUST_PROXY_HEADERS", default=False)
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

_MAP_TILE_ORIGINS = (
    [f"{urlsplit(MAP_TILE_URL).scheme}://{urlsplit(MAP_TILE_URL).netloc}"] if MAP_TILE_URL else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, *_MAP_TILE_ORIGINS],
        "connect-src": [SELF],
        "font-src": [SELF],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        # The payment form goes to the bank's hosted page, and only there besides Vigie.
        "form-action": [SELF, *_BANK_ORIGINS],
    }
}

PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Privacy: retention ----------------------------------------------------------------------

# Whom people write to about their personal data (the data protection officer, if any).
PRIVACY_CONTACT_EMAIL = env.string("VIGIE_PRIVACY_CONTACT_EMAIL", default=CONTACT_EMAIL)
# The legal notice and the privacy policy print these: a ".test" address (reserved, RFC 2606)
# would leave people no way to write to us or to use their rights.
if PRODUCTION and any(
    address.lower().endswith(".test") for address in (CONTACT_EMAIL, PRIVACY_CONTACT_EMAIL)
):
    raise ImproperlyConfigured(
        "Set VIGIE_CONTACT_EMAIL (and VIGIE_PRIVACY_CONTACT_EMAIL if rights go elsewhere): "
        "the legal notice and the privacy policy give people an address that works."
    )

# How long personal data lives (docs/privacy.md; vigie/privacy/retention.py applies it daily,
# and `manage.py purge_expired` on demand). The record of processing and the privacy policy
# print these values.
RETENTION: dict[str, int] = {
    # An account whose address was never verified, after sign-up.
    "unverified_days": env.integer("VIGIE_RETAIN_UNVERIFIED_DAYS", default=90, minimum=1),
    # Activation codes and e-mail changes, after use or expiry.
    "codes_days": env.integer("VIGIE_RETAIN_CODES_DAYS", default=30, minimum=1),
    # Unused accounts: warned by e-mail, then deleted (CNIL: two years).
    "inactive_warning_months": env.integer("VIGIE_INACTIVE_WARNING_MONTHS", default=23, minimum=1),
    "inactive_months": env.integer("VIGIE_INACTIVE_DELETION_MONTHS", default=24, minimum=2),
    # Posts, comments and alerts, after publication; a neighbourhood may choose less.
    "content_months": env.integer("VIGIE_RETAIN_CONTENT_MONTHS", default=12, minimum=1),
    # A holiday absence, after the return.
    "absence_days": env.integer("VIGIE_RETAIN_ABSENCE_DAYS", default=1, minimum=1),
    # Deliveries, in-app notifications, e-mails sent.
    "deliveries_days": env.integer("VIGIE_RETAIN_DELIVERIES_DAYS", default=90, minimum=1),
    # Security records: the audit log, the team's changes, ended memberships, tokens.
    "security_months": env.integer("VIGIE_RETAIN_SECURITY_MONTHS", default=12, minimum=1),
    # Moderation records about a sanction, after the sanction ends.
    "sanction_days": env.integer("VIGIE_RETAIN_SANCTION_DAYS", default=365, minimum=1),
    # A former home address, after the move.
    "former_address_months": env.integer(
        "VIGIE_RETAIN_FORMER_ADDRESS_MONTHS", default=12, minimum=1
    ),
    # A personal-data export, downloadable once, for this long.
    "export_hours": env.integer("VIGIE_EXPORT_HOURS", default=24, minimum=1),
    "task_results_days": env.integer("VIGIE_RETAIN_TASK_RESULTS_DAYS", default=7, minimum=1),
    # Orders and invoices: the commercial code's ten years (L. 123-22).
    "accounting_years": env.integer("VIGIE_RETAIN_ACCOUNTING_YEARS", default=10, minimum=10),
    # Not settings of their own, for the texts that print them.
    "letter_window_days": LETTER_LIMIT_WINDOW_DAYS,
    "lockout_minutes": int(AXES_COOLOFF_TIME.total_seconds() // 60),
}
if RETENTION["inactive_warning_months"] >= RETENTION["inactive_months"]:
    raise ImproperlyConfigured(
        "VIGIE_INACTIVE_WARNING_MONTHS must be less than VIGIE_INACTIVE_DELETION_MONTHS."
    )

# --- Logging -----------------------------------------------------------------------------

LOG_LEVEL = env.choice(
    "VIGIE_LOG_LEVEL", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "vigie.lib.security_log.JsonFormatter"},
    },
    "filters": {
        "routes_not_paths": {"()": "vigie.lib.security_log.RoutesNotPathsFilter"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # django-axes would log the e-mail addresses of failed logins; our own
        # security events record every attempt without personal data instead.
        "axes": {"level": "ERROR"},
        "vigie.security": {"level": "INFO"},
        "django.security.DisallowedHost": {"level": "ERROR"},
        # Its lines name the path of every 4xx and 5xx answer: the route's pattern instead.
        "django.request": {"filters": ["routes_not_paths"]},
    },
}

NINJA_PAGINATION_MAX_LIMIT = 100
