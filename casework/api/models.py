"""API tokens: one per integration of one organisation (a police force's case system, say).

The secret is shown once, when the token is made, and only its SHA-256 digest is kept. A token
reads ``nsc_<prefix>_<secret>``: the prefix (not secret) finds the row, the digest of the whole
token is compared in constant time. Each token acts through its own agency account (``user``: an
agency referrer of the organisation that cannot sign in), so every rule, query and audit event
that applies to the portal applies to the API unchanged, and the trail names the token.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    REFERRALS_WRITE = "referrals:write", "Send referrals, documents and answers to requests for information"
    REFERRALS_READ = "referrals:read", "Read the organisation's referrals and the clinic's requests"
    REPORTS_READ = "reports:read", "List and download reports issued to the organisation"
    INVOICES_READ = "invoices:read", "Read invoices addressed to the organisation"


class ApiToken(models.Model):
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What uses the token, for example Northshire Police case system")
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens_created"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="api_tokens_revoked"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    AUDITED_FIELDS = ("organisation_id", "name", "prefix", "scopes", "expires_at", "revoked_at")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API token {self.prefix}"

    @property
    def audit_label(self) -> str:
        return f"API token {self.prefix}"

    def is_usable(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.expires_at > at and self.user.is_active

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at <= timezone.now():
            return "Expired"
        return "Active"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])
