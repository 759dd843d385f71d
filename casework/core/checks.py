"""System checks that refuse unsafe settings in production."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from casework.core import malware


@register(Tags.security, deploy=False)
def mfa_not_disabled_in_production(app_configs, **kwargs):
    if settings.CASEWORK_MFA_DISABLED and settings.CASEWORK_ENV == "production":
        return [
            Error(
                "CASEWORK_MFA_DISABLED is set in production.",
                hint="Switching off the second factor is only allowed for the local demo (CASEWORK_ENV=demo).",
                id="casework.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def production_secrets_distinct(app_configs, **kwargs):
    if settings.CASEWORK_ENV == "production" and settings.SECRET_KEY == settings.AUDIT_HMAC_KEY:
        return [Error("AUDIT_HMAC_KEY must differ from SECRET_KEY.", id="casework.E002")]
    return []


@register(Tags.security, deploy=True)
def production_settings_in_force(app_configs, **kwargs):
    if settings.CASEWORK_ENV != "production":
        return [
            Warning(
                f"CASEWORK_ENV is {settings.CASEWORK_ENV!r}, not production.",
                hint="Set CASEWORK_ENV=production and DATABASE_URL (with the other variables the README names).",
                id="casework.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def malware_scanner_configured(app_configs, **kwargs):
    """Without a scanner, uploads are stored unscanned (marked so): production must not forget it."""
    if settings.CASEWORK_ENV == "production" and not malware.configured():
        return [
            Warning(
                "No virus scanner is configured: uploaded documents are stored without a malware scan.",
                hint="Run clamd (Debian's clamav-daemon, with freshclam) and set CLAMAV_SOCKET, or CLAMAV_HOST "
                "and CLAMAV_PORT. See docs/adr/0009.",
                id="casework.W002",
            )
        ]
    return []


MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 16
GENERATE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"  # noqa: S105 - a command, not a secret
GENERATE_FERNET = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"


def _weak_secret(name: str, value: str) -> Error | None:
    """A secret that is short or plainly not random (never says what it is)."""
    if len(value) < MIN_SECRET_LENGTH:
        return Error(
            f"{name} is {len(value)} characters long; it must be at least {MIN_SECRET_LENGTH}.",
            hint=f"Generate one: {GENERATE_SECRET}",
            id="casework.E012",
        )
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return Error(
            f"{name} uses only {len(set(value))} different characters: it does not look random.",
            hint=f"Generate one: {GENERATE_SECRET}",
            id="casework.E012",
        )
    return None


def _bad_fernet_key(position: int, key: str) -> Error | None:
    import base64

    from cryptography.fernet import Fernet

    label = f"FIELD_ENCRYPTION_KEYS key {position}"
    try:
        Fernet(key.encode() if isinstance(key, str) else key)
        raw = base64.urlsafe_b64decode(key)
    except (ValueError, TypeError):
        return Error(
            f"{label} is not a valid Fernet key (32 bytes, URL-safe base64).",
            hint=f"Generate one: {GENERATE_FERNET}",
            id="casework.E011",
        )
    if len(set(raw)) < MIN_DISTINCT_CHARACTERS:
        return Error(
            f"{label} is a valid Fernet key but not a random one.",
            hint=f"Generate one: {GENERATE_FERNET}",
            id="casework.E012",
        )
    return None


@register(Tags.security, deploy=True)
def keys_well_formed_strong_and_distinct(app_configs, **kwargs):
    """Every key in the right format, long and random enough, and no two the same."""
    errors = []
    secrets: dict[str, str | None] = {
        "SECRET_KEY": settings.SECRET_KEY,
        "AUDIT_HMAC_KEY": settings.AUDIT_HMAC_KEY,
        "BLIND_INDEX_KEY": settings.CASEWORK_BLIND_INDEX_KEY,
    }
    if getattr(settings, "CASEWORK_BLIND_INDEX_PREVIOUS_KEY", None):
        secrets["BLIND_INDEX_PREVIOUS_KEY"] = settings.CASEWORK_BLIND_INDEX_PREVIOUS_KEY
    if getattr(settings, "CASEWORK_RESEARCH_KEY", ""):
        secrets["CASEWORK_RESEARCH_KEY"] = settings.CASEWORK_RESEARCH_KEY
    for name, value in secrets.items():
        problem = _weak_secret(name, value or "")
        if problem:
            errors.append(problem)
    field_keys = list(settings.CASEWORK_FIELD_ENCRYPTION_KEYS or [])
    if not field_keys:
        errors.append(
            Error("FIELD_ENCRYPTION_KEYS lists no key.", hint=f"Generate one: {GENERATE_FERNET}", id="casework.E011")
        )
    for position, key in enumerate(field_keys, start=1):
        problem = _bad_fernet_key(position, key)
        if problem:
            errors.append(problem)
    named = list(secrets.items()) + [(f"FIELD_ENCRYPTION_KEYS key {i}", k) for i, k in enumerate(field_keys, start=1)]
    for index, (name, value) in enumerate(named):
        for other_name, other in named[index + 1 :]:
            if value and value == other:
                errors.append(
                    Error(f"{name} and {other_name} are the same; every key must be different.", id="casework.E013")
                )
    return errors


@register(deploy=False)
def worker_lease_outlasts_heartbeats(app_configs, **kwargs):
    """A task's lease must survive a missed heartbeat or two, or live tasks would be taken as lost."""
    if settings.CASEWORK_TASK_HEARTBEAT_SECONDS * 3 > settings.CASEWORK_TASK_LEASE_SECONDS:
        return [
            Error(
                "TASK_LEASE_SECONDS must be at least three times TASK_HEARTBEAT_SECONDS.",
                hint="A running task renews its lease every heartbeat; a lease that lapses sooner makes the worker's "
                "tasks look abandoned and run twice.",
                id="casework.E014",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def research_key_set(app_configs, **kwargs):
    """Without the research key the service refuses to make research extracts (docs/adr/0022)."""
    if getattr(settings, "CASEWORK_RESEARCH_KEY", ""):
        return []
    return [
        Warning(
            "CASEWORK_RESEARCH_KEY is not set: research extracts will be refused.",
            hint="Set it (48 random bytes, base64) from a secret kept apart from the database and its backups.",
            id="casework.W003",
        )
    ]
