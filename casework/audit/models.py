from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_IN_LOCKED = "sign_in_locked", "Sign-in refused: account locked"
    SIGN_OUT = "sign_out", "Signed out"
    MFA_ENROLLED = "mfa_enrolled", "Second factor set up"
    MFA_VERIFIED = "mfa_verified", "Second factor verified"
    MFA_FAILED = "mfa_failed", "Second factor failed"
    BREAK_GLASS = "break_glass", "Break-glass access"
    TRANSITION = "transition", "Status changed"
    REFUSED = "refused", "Refused"


class AuditEvent(models.Model):
    """One append-only, hash-chained audit event.

    The log is several hash chains side by side (``partition``; ADR 0024), so that concurrent
    writers do not queue for one lock. ``sequence`` numbers a partition's events 1, 2, 3 … with no
    gaps; ``id`` is the log's one global order (taken while the partition is locked, and hashed);
    ``entry_hash`` is an HMAC (keyed with ``AUDIT_HMAC_KEY``, which is not in the database) over
    this event's fields and the previous event's hash in its partition (events written before the
    partitions hash a form without ``id`` and ``partition``: ``chain.hash_matches``). A database
    trigger refuses UPDATE and DELETE.
    """

    partition = models.PositiveSmallIntegerField(default=1)
    sequence = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=True,
    )
    actor_role = models.CharField(max_length=30, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["partition", "sequence"], name="audit_partition_sequence")]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="audit_object_id_idx"),
            models.Index(fields=["actor", "id"], name="audit_actor_id_idx"),
            # Access review searches by record reference.
            models.Index(fields=["object_label", "id"], name="audit_label_id_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} ({self.partition}) {self.action} {self.object_type}:{self.object_id}"


class ChainHead(models.Model):
    """One partition's head (``id`` is the partition): its newest sequence and hash, locked while
    an event is added to it.

    ``seal`` is an HMAC over the sequence and hash (``chain.head_seal``), so the head cannot be
    rewound to hide deleted events without the key.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)
    seal = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"chain head #{self.sequence}"


class AuditCheckpoint(models.Model):
    """A partition verified intact from its start up to ``sequence`` (whose hash was
    ``entry_hash``), sealed with the audit key (``chain.checkpoint_seal``). A routine
    ``verify_audit`` starts from the newest one and samples what is before it (ADR 0024)."""

    partition = models.PositiveSmallIntegerField()
    sequence = models.PositiveBigIntegerField()
    entry_hash = models.CharField(max_length=64)
    event_id = models.BigIntegerField(null=True, blank=True)
    made_at = models.DateTimeField(default=timezone.now)
    seal = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["partition", "sequence"], name="audit_checkpoint_idx")]

    def __str__(self) -> str:
        return f"checkpoint {self.partition}#{self.sequence}"


class BreakGlassGrant(models.Model):
    """Time-limited access to one record, given on a written reason."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants")
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=200)
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    crosses_barrier = models.BooleanField(default=False)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["object_type", "object_id", "expires_at"], name="breakglass_object_idx")]

    def __str__(self) -> str:
        return f"break-glass grant {self.pk}"

    def is_active(self, at=None) -> bool:
        return self.expires_at > (at or timezone.now())


class Alert(models.Model):
    """An alert raised to clinical leads (break-glass use, for now)."""

    raised_at = models.DateTimeField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=30)
    message = models.CharField(max_length=300)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    grant = models.ForeignKey(BreakGlassGrant, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["recipient", "acknowledged_at"], name="alert_recipient_idx")]

    def __str__(self) -> str:
        return f"alert {self.pk}"
