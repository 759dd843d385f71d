"""Settings for NSC Casework, read from environment variables.

Secure by default: wherever a database is configured (``DATABASE_URL``) this is production unless
``CASEWORK_ENV`` says otherwise, with ``DEBUG`` off, a ``SECRET_KEY`` that must be supplied,
HTTPS-only cookies and HSTS. A checkout with nothing configured (``python manage.py
makemigrations`` on a fresh clone) runs as the local demo: it keeps random secrets in ``var/``,
uses SQLite there, keeps ``DEBUG`` off and answers only to 127.0.0.1 and localhost, so it cannot
serve a real host name; ``check --deploy`` warns (casework.W001) whenever production settings are
not in force. ``CASEWORK_ENV=demo`` is what ``make run`` sets; ``CASEWORK_ENV=test`` the test suite.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CASEWORK_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


CASEWORK_ENV = env_str("CASEWORK_ENV", "production" if env_str("DATABASE_URL") else "demo")
if CASEWORK_ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured("CASEWORK_ENV must be production, demo or test")
PRODUCTION = CASEWORK_ENV == "production"


# Key files whose loss makes existing data unreadable (field key, blind index) or unverifiable
# (the audit chain). A new one is never generated beside a database that already holds data.
_DATA_KEY_FILES = {"field_key", "blind_index_key", "audit_hmac_key"}


def _local_database_holds_data() -> str:
    """What the demo's own SQLite database (var/casework.sqlite3) already holds, if anything.
    Read-only; "" when there is no such database or nothing in it that a key protects."""
    import sqlite3

    if env_str("DATABASE_URL"):
        return ""  # another database: the start-up key check (casework.people.keycheck) guards it
    path = VAR_DIR / "casework.sqlite3"
    if not path.exists():
        return ""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return ""
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table, what in (
            ("people_keycheck", "encrypted data"),
            ("people_person", "encrypted data"),
            ("audit_auditevent", "audit events"),
        ):
            if table in tables and connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():  # noqa: S608
                return what
    except sqlite3.Error:
        return ""
    finally:
        connection.close()
    return ""


def _local_secret(filename: str) -> str:
    """A random secret kept in var/ for the demo and tests; never used in production. Refuses to
    generate a missing key file beside a database that holds data written with the lost key."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / filename
    if not path.exists():
        held = _local_database_holds_data() if filename in _DATA_KEY_FILES else ""
        if held:
            raise ImproperlyConfigured(
                f"The key file {path} is missing, but the database {VAR_DIR / 'casework.sqlite3'} already holds "
                f"{held} made with that key. Put back the key files from where you keep them (README: Keys and "
                "backups), or move the database away to start afresh. A new key would make the data unreadable."
            )
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def required_secret(name: str, local_file: str) -> str:
    value = env_str(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return _local_secret(local_file)


SECRET_KEY = required_secret("SECRET_KEY", "secret_key")
# The audit chain is keyed with a secret that is not in the database.
AUDIT_HMAC_KEY = required_secret("AUDIT_HMAC_KEY", "audit_hmac_key")

DEBUG = env_bool("DEBUG", False) and not PRODUCTION
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "casework.core.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    # Before django_tasks_db: its db_worker (leases, retries, clean stop) replaces theirs.
    "casework.worker",
    "django_tasks_db",
    "casework.core",
    "casework.organisations",
    "casework.accounts",
    "casework.audit",
    "casework.access",
    "casework.referrals",
    "casework.portal",
    "casework.people",
    "casework.cases",
    "casework.assessments",
    "casework.reports",
    "casework.treatment",
    "casework.victims",
    "casework.consultations",
    "casework.billing",
    "casework.search",
    "casework.backups",
    "casework.insights",
    "casework.research",
    "rest_framework",
    "drf_spectacular",
    "casework.api",
]
# The demo builders and seed_demo (with Faker, a development dependency) exist only for the local
# demo and the tests: in production the app is not installed and its code is never imported.
if CASEWORK_ENV in {"demo", "test"}:
    INSTALLED_APPS.append("casework.demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost, so that every answer carries them, including an error page made when a middleware
    # further in failed (the database down, say).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "casework.core.middleware.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: NUL and other control characters answer 400.
    "casework.core.middleware.RefuseControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The access scope (the information barrier) worked out once per GET and reused (ADR 0025).
    "casework.access.memo.RequestScopeMiddleware",
    "casework.accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "casework.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casework.urls"
WSGI_APPLICATION = "casework.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "casework" / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "casework.core.jinja2.environment"},
    },
    {
        # Django's own admin-free machinery (form widgets, error pages) still needs this.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]
FORM_RENDERER = "django.forms.renderers.DjangoTemplates"

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES: dict[str, Any] = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A database host that accepts the connection but never answers cannot hang a request.
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5))
        # No JIT compilation: the planner's cost estimates over large tables fire it for short
        # interactive queries, where compiling takes longer than the query (238 ms of 334 ms on the
        # person page's duplicate check at national scale: issue 19). DATABASE_JIT=on restores it.
        session = [] if env_str("DATABASE_JIT", "off") == "on" else ["-c jit=off"]
        # No parallel workers for one request's query: with many users at once they take the cores
        # the other requests need, and the planner's cost of a parallel scan let it pass over the
        # name indexes (the person list searching "Smith" at national scale: a parallel scan of
        # 200,000 persons on three processes, 16× the floor at 20 users, where the trigram indexes
        # answer on one; docs/benchmarks/load.md). DATABASE_PARALLEL_WORKERS=N allows N a query.
        parallel = env_str("DATABASE_PARALLEL_WORKERS", "0") or "0"
        if parallel != "server":
            session.append(f"-c max_parallel_workers_per_gather={int(parallel)}")
        DATABASES["default"]["OPTIONS"].setdefault("options", " ".join(session))
elif PRODUCTION:
    raise ImproperlyConfigured("DATABASE_URL must be set in production")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "casework.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL with synchronous=FULL: a committed write survives a crash. IMMEDIATE
    # transactions take the write lock at BEGIN, so writers queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }
    if CASEWORK_ENV == "test":
        DATABASES["default"]["TEST"] = {"NAME": None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sign-in ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:sign_in"
LOGIN_URL_PATH = "/sign-in/"
LOGIN_REDIRECT_URL = "core:my_work"
LOGOUT_REDIRECT_URL = "accounts:sign_in"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# MFA is on for everyone. Only the local demo may switch it off; a system check
# (casework.E001) refuses the setting in production.
CASEWORK_MFA_DISABLED = env_bool("CASEWORK_MFA_DISABLED", False)
OTP_TOTP_ISSUER = "NSC Casework"
OTP_TOTP_THROTTLE_FACTOR = 1
CASEWORK_RECOVERY_CODE_COUNT = 10
# A second factor is enrolled only in the session that used a set-password link, or with a
# single-use enrolment code from a system administrator (docs/adr/0010): never with a password alone.
CASEWORK_ENROLMENT_CODE_HOURS = env_int("ENROLMENT_CODE_HOURS", 24)
CASEWORK_ENROLMENT_CODE_ATTEMPTS = 5
CASEWORK_ENROLMENT_WINDOW_MINUTES = 60
# Passkeys (WebAuthn): the relying party is the host name the site is served on.
CASEWORK_WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID", "localhost" if not PRODUCTION else None)
CASEWORK_WEBAUTHN_ORIGIN = env_str("WEBAUTHN_ORIGIN", "http://localhost:8000" if not PRODUCTION else None)

# django-axes: lock an account after repeated failures; throttle an address that
# tries many accounts.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SIGN_IN_LOCKOUT_MINUTES", 30) / 60  # hours
# Accounts lock by username, which rotating user agents or cookies cannot get round. An address is
# throttled by our own, higher limit (CASEWORK_IP_FAILURE_LIMIT) because NHS sites share one
# address between many staff, so axes' per-address lockout check is silenced. See docs/adr/0003.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "email"
AXES_RESET_ON_SUCCESS = True
# A locked account's cool-off is not restarted by further attempts, so nobody can keep someone
# else's account locked indefinitely by retrying.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "casework.accounts.views.auth.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# Behind TRUSTED_PROXY_COUNT reverse proxies the client is the N-th X-Forwarded-For entry from the
# right; with 0 the header is ignored. One function gives that address to axes, to the address
# throttle and to the audit trail (casework/core/client_address.py, docs/adr/0003).
CASEWORK_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "casework.core.client_address.client_ip"
CASEWORK_IP_FAILURE_LIMIT = env_int("SIGN_IN_IP_FAILURE_LIMIT", 30)

# Sessions: idle expiry (renewed on each request) and an absolute lifetime.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 15) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CASEWORK_SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_HOURS", 10) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "__Host-casework_session" if PRODUCTION else "casework_session"
CSRF_COOKIE_NAME = "__Host-csrftoken" if PRODUCTION else "csrftoken"
CSRF_COOKIE_HTTPONLY = True
# Flash messages live in the session (on the server), not in a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Referrals: an information request is overdue after this many working days; uploads are capped.
CASEWORK_INFORMATION_OVERDUE_WORKING_DAYS = env_int("INFORMATION_OVERDUE_WORKING_DAYS", 10)
CASEWORK_DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Zip-based uploads (DOCX and the like) are inflated and refused past these limits before they are
# accepted (casework/core/archives.py).
CASEWORK_ARCHIVE_MAX_INFLATED_BYTES = env_int("ARCHIVE_MAX_INFLATED_BYTES", 100 * 1024 * 1024)
CASEWORK_ARCHIVE_MAX_ENTRIES = env_int("ARCHIVE_MAX_ENTRIES", 1000)
CASEWORK_ARCHIVE_MAX_RATIO = env_int("ARCHIVE_MAX_RATIO", 100)
# Malware scanning with ClamAV's clamd (casework/core/malware.py, docs/adr/0009): a Unix socket, or
# a host and port. Unset means no scanner: documents are marked "not scanned", and check --deploy
# warns (casework.W002). Set but down or too slow: uploads are held, not yet scanned, until a
# background task scans them.
CLAMAV_SOCKET = env_str("CLAMAV_SOCKET")
CLAMAV_HOST = env_str("CLAMAV_HOST")
CLAMAV_PORT = env_int("CLAMAV_PORT", 3310)
CLAMAV_TIMEOUT = env_int("CLAMAV_TIMEOUT", 10)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Break-glass access lasts this long.
CASEWORK_BREAK_GLASS_HOURS = env_int("BREAK_GLASS_HOURS", 8)

# --- Security headers -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # Fonts come from the service itself: the build removes the stylesheet's third-party web font.
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "manifest-src": [SELF],
    }
}

# --- Static files, uploads ----------------------------------------------------------------
STATIC_URL = "/static/"
# Outside production WhiteNoise serves straight from the app folders (no collectstatic), with
# DEBUG still off; in production it serves the hashed, compressed files collectstatic wrote.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "casework" / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "documents")},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Cache (sign-in throttling): Redis when REDIS_URL is set, shared by every app server ------
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_CONNECT_TIMEOUT", 3),
                "socket_timeout": env_int("REDIS_TIMEOUT", 3),
            },
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Assessments ------------------------------------------------------------------------------
# Assessment instruments (casework.assessments, ADR 0017): the definition files ship with the code;
# licensed factor catalogues (the Stalking Risk Profile's) are supplied by the clinic under its licence,
# one path per catalogue. The demo and the tests use the clearly marked demonstration catalogue; in
# production an unset catalogue leaves its instrument unavailable, and the demonstration catalogue is
# refused by the deployment check (assessments.E001).
_DEMO_CATALOGUE = BASE_DIR / "casework" / "assessments" / "instruments" / "catalogues" / "demo-srp.json"
ASSESSMENT_CATALOGUES = {
    "srp": env_str("CASEWORK_CATALOGUE_SRP", None if PRODUCTION else str(_DEMO_CATALOGUE)),
}


# --- Letters ----------------------------------------------------------------------------------
# The letterhead of every letter to a referrer: where to reply. Demo values unless set; the
# address's lines are separated by newlines or semicolons.
CLINIC_NAME = env_str("CLINIC_NAME", "National Stalking Clinic")
CLINIC_ADDRESS = env_str(
    "CLINIC_ADDRESS",
    "North London Forensic Service\nBarnet, Enfield and Haringey Mental Health NHS Trust\n"
    "Chase Farm Hospital, The Ridgeway\nEnfield EN2 8JL",
)
CLINIC_PHONE = env_str("CLINIC_PHONE", "020 7946 0000")  # an Ofcom drama number until configured
CLINIC_SECURE_EMAIL = env_str("CLINIC_SECURE_EMAIL", "stalking.clinic@nhs.example")

# Letters are sent through GOV.UK Notify: by email where the referrer gave an email address (the
# letter as a file to download, through the email template NOTIFY_EMAIL_TEMPLATE_ID, whose body
# uses ((reference)) and ((link_to_file))), otherwise by post as a precompiled letter. Production
# needs NOTIFY_API_KEY; without it, outside production, an in-process stand-in for Notify
# (casework.referrals.notify_standin) answers instead, for tests and the demo.
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_EMAIL_TEMPLATE_ID = env_str("NOTIFY_EMAIL_TEMPLATE_ID", "4f9a6c1e-8d2b-4e57-9a31-2c6b7d0e5f18")
NOTIFY_TIMEOUT = env_int("NOTIFY_TIMEOUT", 10)

# --- Treatment: compliance ----------------------------------------------------------------------
# The compliance rule (casework.treatment.compliance): TREATMENT_COMPLIANCE_ABSENCES unacceptable
# absences (did not attend, or cancelled by the client without an acceptable reason) within the last
# TREATMENT_COMPLIANCE_PERIOD_DAYS days, none already in an earlier notice, raise a compliance notice
# to the supervising officer, sent through GOV.UK Notify (as the letters are: NOTIFY_API_KEY). By email
# through TREATMENT_NOTICE_EMAIL_TEMPLATE_ID, or by post through TREATMENT_NOTICE_LETTER_TEMPLATE_ID;
# both templates use ((reference)), ((reason)) and ((acknowledge_link)), the letter also the address
# lines. The officer's link to acknowledge works for TREATMENT_NOTICE_LINK_DAYS days.
TREATMENT_COMPLIANCE_ABSENCES = env_int("TREATMENT_COMPLIANCE_ABSENCES", 2)
TREATMENT_COMPLIANCE_PERIOD_DAYS = env_int("TREATMENT_COMPLIANCE_PERIOD_DAYS", 90)
TREATMENT_NOTICE_EMAIL_TEMPLATE_ID = env_str(
    "TREATMENT_NOTICE_EMAIL_TEMPLATE_ID", "9b2e4c71-3a5d-4f80-b6c2-7d1e0a9f3b54"
)
TREATMENT_NOTICE_LETTER_TEMPLATE_ID = env_str(
    "TREATMENT_NOTICE_LETTER_TEMPLATE_ID", "2c7f1a93-6e4b-4d25-8f0a-5b3c9e1d7a26"
)
TREATMENT_NOTICE_LINK_DAYS = env_int("TREATMENT_NOTICE_LINK_DAYS", 60)

# --- Treatment: reminders -----------------------------------------------------------------------
# Through GOV.UK Notify (NOTIFY_API_KEY), in the background (casework.treatment.tasks). At 09:00 UK
# time on the day a follow-up falls due, the case's lead clinician is emailed through
# TREATMENT_FOLLOW_UP_REMINDER_TEMPLATE_ID, which uses ((reference)) (the case's) and ((point))
# ("6-month"): "A ((point)) follow-up is due for case ((reference))." 24 hours before an
# appointment the client is sent a text message through TREATMENT_APPOINTMENT_REMINDER_SMS_TEMPLATE_ID
# (to their first mobile number not marked unsafe to contact), or else an email through
# TREATMENT_APPOINTMENT_REMINDER_EMAIL_TEMPLATE_ID; both use ((date)), ((time)) and ((place))
# ("at the clinic", "by video" …), never the clinician, the room or the case.
TREATMENT_FOLLOW_UP_REMINDER_TEMPLATE_ID = env_str(
    "TREATMENT_FOLLOW_UP_REMINDER_TEMPLATE_ID", "5d3a8e27-1c4f-4b96-a0e3-8f2b6c7d9e41"
)
TREATMENT_APPOINTMENT_REMINDER_SMS_TEMPLATE_ID = env_str(
    "TREATMENT_APPOINTMENT_REMINDER_SMS_TEMPLATE_ID", "7e1b4c92-5a3d-4e68-9b0f-2d6c8a1e3f57"
)
TREATMENT_APPOINTMENT_REMINDER_EMAIL_TEMPLATE_ID = env_str(
    "TREATMENT_APPOINTMENT_REMINDER_EMAIL_TEMPLATE_ID", "3a9c6f15-8b2e-4d71-a4c0-6e5f1b9d2c83"
)

# --- Victims: messages ------------------------------------------------------------------------
# Letters, emails and text messages to a person who is stalked go through GOV.UK Notify
# (NOTIFY_API_KEY), each checked against their safety plan (casework.victims.contact). Templates use
# ((body)) and ((sender)); the letter also the address lines. The sender is the clinic's name only
# where the plan agrees to it; otherwise VICTIM_NEUTRAL_SENDER.
VICTIM_EMAIL_TEMPLATE_ID = env_str("VICTIM_EMAIL_TEMPLATE_ID", "5d3a9e27-1c84-4b6f-a0d2-8e7f3c1b9a45")
VICTIM_SMS_TEMPLATE_ID = env_str("VICTIM_SMS_TEMPLATE_ID", "c81f4b2e-7a93-4d05-b6e1-3f2a9d8c5e70")
VICTIM_LETTER_TEMPLATE_ID = env_str("VICTIM_LETTER_TEMPLATE_ID", "7e2b5c90-4f1d-4a38-9c6e-1d0b8a3f2e64")
VICTIM_NEUTRAL_SENDER = env_str("VICTIM_NEUTRAL_SENDER", "NHS appointments")

# --- Reports ----------------------------------------------------------------------------------
# The key and certificate that sign every issued report (PAdES, casework.reports.rendering): PEM or DER
# files, the key optionally protected by a passphrase. Production must set both (reports.E001 refuses
# an unset or demonstration certificate); outside production, unset, a self-signed demonstration
# certificate is made once in var/report-signing/ and used.
REPORT_SIGNING_DEMO_DIR = VAR_DIR / "report-signing"
REPORT_SIGNING_KEY = env_str("CASEWORK_REPORT_SIGNING_KEY")
REPORT_SIGNING_CERT = env_str("CASEWORK_REPORT_SIGNING_CERT")
if not PRODUCTION and REPORT_SIGNING_KEY is None and REPORT_SIGNING_CERT is None:
    REPORT_SIGNING_KEY = str(REPORT_SIGNING_DEMO_DIR / "signing-key.pem")
    REPORT_SIGNING_CERT = str(REPORT_SIGNING_DEMO_DIR / "signing-cert.pem")
REPORT_SIGNING_PASSPHRASE = env_str("CASEWORK_REPORT_SIGNING_PASSPHRASE", "")

# --- Background tasks -------------------------------------------------------------------------
# CASEWORK_TASKS=database (the default): the queue is a table (django-tasks-db), worked by
# ``manage.py db_worker``. CASEWORK_TASKS=redis: the queue is on Redis (REDIS_URL, or RQ_REDIS_URL for
# a Redis of its own), worked by ``manage.py rq_worker`` (casework.worker.redis_queue, ADR 0019).
CASEWORK_TASKS = env_str("CASEWORK_TASKS", "database")
if CASEWORK_TASKS not in ("database", "redis"):
    raise ImproperlyConfigured("CASEWORK_TASKS must be 'database' or 'redis'")
TASKS = (
    {"default": {"BACKEND": "casework.worker.redis_queue.RedisQueueBackend", "QUEUES": ["default"]}}
    if CASEWORK_TASKS == "redis"
    else {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
)
RQ_QUEUES = {
    "default": {
        "URL": env_str("RQ_REDIS_URL", REDIS_URL or "redis://127.0.0.1:6379/0"),
        "QUEUE_CLASS": "casework.worker.redis_queue.RetryingQueue",
    }
}
# casework.worker.runner: a task that fails, or whose worker dies, runs again after
# TASK_RETRY_DELAY_SECONDS x 2^(attempt - 1) (at most TASK_RETRY_MAX_DELAY_SECONDS), at most
# TASK_MAX_ATTEMPTS times; then staff see it as failed. A worker renews the lease of its task every
# TASK_HEARTBEAT_SECONDS; a lease older than TASK_LEASE_SECONDS means the worker was lost.
CASEWORK_TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 5)
CASEWORK_TASK_RETRY_DELAY_SECONDS = env_int("TASK_RETRY_DELAY_SECONDS", 30)
CASEWORK_TASK_RETRY_MAX_DELAY_SECONDS = env_int("TASK_RETRY_MAX_DELAY_SECONDS", 3600)
CASEWORK_TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 120)
CASEWORK_TASK_HEARTBEAT_SECONDS = env_int("TASK_HEARTBEAT_SECONDS", 15)
CASEWORK_TASK_TIME_LIMIT_SECONDS = env_int("TASK_TIME_LIMIT_SECONDS", 300)
CASEWORK_WORKER_SHUTDOWN_GRACE_SECONDS = env_int("WORKER_SHUTDOWN_GRACE_SECONDS", 20)

# --- Case notes -------------------------------------------------------------------------------
# A case note's author may correct it for this many minutes after saving it; afterwards the note is
# fixed and corrections are addenda (casework.cases.models.CaseNote).
CASE_NOTE_GRACE_MINUTES = env_int("CASE_NOTE_GRACE_MINUTES", 15)

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "nsc-casework@localhost")
# Every outbound call has a timeout, so a hung relay or server cannot hold a worker or a request:
# SMTP here, Redis and PostgreSQL connections below and above.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# --- Encryption of contact details at rest (casework.people.crypto) -----------------------------
# A comma-separated list of Fernet keys, newest first: the first encrypts, all decrypt, so keys can
# be rotated (manage.py rotate_keys). A separate key makes the blind index for exact look-ups.
CASEWORK_FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
CASEWORK_BLIND_INDEX_KEY: str = env_str("BLIND_INDEX_KEY") or ""
if PRODUCTION and (not CASEWORK_FIELD_ENCRYPTION_KEYS or not CASEWORK_BLIND_INDEX_KEY):
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be set in production")
if not CASEWORK_FIELD_ENCRYPTION_KEYS:
    import base64 as _base64
    import hashlib as _hashlib

    # Demo and tests: a key derived from a random secret kept in var/ (never used in production).
    CASEWORK_FIELD_ENCRYPTION_KEYS = [
        _base64.urlsafe_b64encode(_hashlib.sha256(_local_secret("field_key").encode()).digest()).decode()
    ]
if not CASEWORK_BLIND_INDEX_KEY:
    CASEWORK_BLIND_INDEX_KEY = _local_secret("blind_index_key")
# --- Research extracts (casework.research, docs/adr/0022-research-extracts.md) ------------------
# The key of the keyed pseudonyms (HMAC-SHA256) in research extracts. Held apart from the data: in
# the environment, never in the database or its backups, and different from every other key. In
# production it has no default: without it the service refuses to make an extract (the rest of the
# service runs). The demo and tests keep a random one in var/.
CASEWORK_RESEARCH_KEY: str = env_str("CASEWORK_RESEARCH_KEY") or ""
if not CASEWORK_RESEARCH_KEY and not PRODUCTION:
    CASEWORK_RESEARCH_KEY = _local_secret("research_key")

# Only while the blind-index key is being changed: the old key, so look-ups keep finding rows not
# yet rebuilt by ``rotate_keys --reindex``. Remove it (and restart) when the rebuild reports done.
CASEWORK_BLIND_INDEX_PREVIOUS_KEY = env_str("BLIND_INDEX_PREVIOUS_KEY")

# --- Service dashboards (casework.insights) -----------------------------------------------------
# The dashboards' figures are kept in the cache (CACHES) for this many seconds, keyed by the period
# and by everything that decides what the viewer may count (access.policy.related_fingerprint), so a
# figure never crosses an information barrier; the page says how old they are. 0: computed on
# every view.
CASEWORK_INSIGHTS_CACHE_SECONDS = env_int("INSIGHTS_CACHE_SECONDS", 300)

# --- Locale -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Logging: no personal data --------------------------------------------------------------
# Only the request id, path and status are logged by the app; Django's request logger is
# kept at ERROR and its records pass a filter that strips request bodies and query strings.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_personal_data": {"()": "casework.core.logging.NoPersonalDataFilter"},
        "no_job_details": {"()": "casework.worker.redis_queue.NoJobDetailsFilter"},
        "no_traceback": {"()": "casework.core.logging.NoTracebackFilter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_personal_data"]},
        "rq_console": {"class": "logging.StreamHandler", "filters": ["no_job_details", "no_personal_data"]},
        "console_no_traceback": {"class": "logging.StreamHandler", "filters": ["no_traceback", "no_personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "weasyprint": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "fontTools": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "rq": {"handlers": ["rq_console"], "level": "INFO", "propagate": False},
        # django-tasks logs a failed task with its traceback (logger.exception): kept without it.
        "django_tasks": {"handlers": ["console_no_traceback"], "level": "INFO", "propagate": False},
    },
}

# --- Agency API (casework.api, docs/adr/0023) --------------------------------------------------
# Token authentication only (no session, so no CSRF surface); JSON in and out; errors as RFC 9457
# problem details; a rate per token counted in the default cache (the shared Redis in production).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["casework.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "casework.api.authentication.HasScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["casework.api.authentication.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_token": env_str("CASEWORK_API_RATE", "600/minute")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "casework.api.negotiation.JsonAlways",
    "EXCEPTION_HANDLER": "casework.api.problems.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NSC Casework agency API",
    "DESCRIPTION": (
        "Referrals, requests for information, issued reports and invoices for referring agencies, with FHIR R4 "
        "reads. Authenticate with `Authorization: Bearer <token>`; tokens are issued by the clinic."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Two choice sets answer as "status": a referral's and how far an invoice is settled.
    "ENUM_NAME_OVERRIDES": {
        "ReferralStatusEnum": "casework.referrals.choices.Status",
        "InvoiceStatusEnum": "casework.api.serializers.INVOICE_STATES",
    },
    # OpenAPI links from an answer to the operations its values address (casework/api/schema_links.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "casework.api.schema_links.add_links"],
}

# --- Test settings ----------------------------------------------------------------------------
if CASEWORK_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # The Redis queue's tests (casework/worker/tests/test_redis_queue.py) use a Redis database of
    # their own per test process, emptied by the tests.
    _XDIST = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    RQ_QUEUES["default"]["URL"] = env_str(
        "CASEWORK_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - int(_XDIST[2:] or 0) % 8}"
    )
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    STORAGES["default"]["OPTIONS"]["location"] = str(VAR_DIR / "test-documents")

# Billing (casework.billing, docs/adr/0020): health services are exempt from VAT. Set a standard rate
# in per cent (for example "20") only if some service the clinic charges for is standard-rated; until
# then a tariff cannot be set at the standard rate.
BILLING_STANDARD_VAT_RATE = env_str("CASEWORK_BILLING_VAT_RATE", "") or None
