"""System checks that refuse unsafe settings in production."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


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


@register(Tags.security, deploy=False)
def keys_read_this_database(app_configs, **kwargs):
    """The service refuses to start when its keys cannot read its database (casework.people.keycheck)."""
    from casework.people.keycheck import key_problems

    return [
        Error(problem, hint="See README: Keys and backups.", id="casework.E010")
        for problem in key_problems()
    ]
