from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from casework.core.roles import Instrument, Profession, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("role", Role.SYSTEM_ADMINISTRATOR)
        fields["is_superuser"] = False  # no one bypasses the rules
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: clinic staff or an officer of a referring agency."""

    # Not fields: set on the signed-in user each request by django-otp's OTPMiddleware (and by
    # ``passkeys.apply_session_verification``): the device that verified this session, if any.
    otp_device: Any
    is_verified: Callable[[], bool]

    email = models.EmailField("Email address", unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=30, choices=Role.choices())
    profession = models.CharField(
        max_length=20,
        choices=Profession.choices(),
        blank=True,
        help_text="For clinicians and clinical leads",
    )
    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="Agency referrers belong to exactly one organisation",
    )
    is_active = models.BooleanField(default=True)
    # The Caldicott guardian is told of break-glass access when no other clinical lead can be
    # (casework.access.breakglass): someone independent must always be alerted.
    is_caldicott_guardian = models.BooleanField("Caldicott guardian", default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name", "role"]

    AUDITED_FIELDS = (
        "email",
        "full_name",
        "role",
        "profession",
        "job_title",
        "phone",
        "organisation_id",
        "is_active",
        "is_caldicott_guardian",
    )
    # Staff and agency officers' own account details are kept in the trail (not clients' data).
    AUDIT_VALUES_RECORDED = ("email", "full_name", "job_title", "phone")

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=Role.AGENCY_REFERRER) | models.Q(organisation__isnull=False),
                name="agency_referrer_has_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(role=Role.AGENCY_REFERRER) | models.Q(organisation__isnull=True),
                name="only_agency_referrers_have_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = (self.email or "").lower()
        if self.role == Role.AGENCY_REFERRER and not self.organisation_id:
            raise ValidationError({"organisation": "Select the organisation this referrer works for"})
        if self.role != Role.AGENCY_REFERRER and self.organisation_id:
            raise ValidationError({"organisation": "Only agency referrers belong to an organisation"})
        if self.role == Role.AGENCY_REFERRER and self.is_caldicott_guardian:
            raise ValidationError({"is_caldicott_guardian": "The Caldicott guardian must be a member of clinic staff"})

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    @property
    def is_staff(self) -> bool:
        """Django admin is not used; no account is 'staff' in Django's sense."""
        return False

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class TrainingRecord(models.Model):
    """Which instrument a member of staff is trained in, when, and until when."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training_records")
    instrument = models.CharField(max_length=20, choices=Instrument.choices())
    trained_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Leave blank if it does not expire")
    provider = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    AUDITED_FIELDS = ("instrument", "trained_on", "expires_on", "provider")
    AUDIT_VALUES_RECORDED = ("provider",)

    class Meta:
        ordering = ["instrument", "-trained_on", "id"]

    def __str__(self) -> str:
        return f"{Instrument(self.instrument).label}, trained {self.trained_on:%d %B %Y}"

    def clean(self) -> None:
        super().clean()
        today = timezone.localdate()
        errors = {}
        if self.trained_on and self.trained_on > today:
            errors["trained_on"] = "Date trained must be today or in the past"
        if self.trained_on and self.expires_on and self.expires_on <= self.trained_on:
            errors["expires_on"] = "Expiry date must be after the date trained"
        if errors:
            raise ValidationError(errors)

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.trained_on <= on and (self.expires_on is None or self.expires_on >= on)

    @property
    def instrument_label(self) -> str:
        return Instrument(self.instrument).label


class UserSession(models.Model):
    """The sessions a user holds, so signing out or disabling an account can end them all."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Session of user {self.user_id}"


class Passkey(models.Model):
    """A WebAuthn credential (passkey) registered as a second factor."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=100)
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    # The label the user gave their own device is kept in the trail.
    AUDIT_VALUES_RECORDED = ("name",)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class EnrolmentCode(models.Model):
    """A single-use, time-limited code a system administrator gives someone so that they can set
    up a second factor when they have none (a new account, a lost phone). Only a keyed hash of the
    code is kept (``casework.accounts.enrolment``); the code itself is shown once, when issued."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when issued from the command line",
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    throttled_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["user", "used_at", "revoked_at"], name="enrolment_code_user_idx")]

    def __str__(self) -> str:
        return f"Enrolment code {self.pk} for user {self.user_id}"

    def is_usable(self, at: dt.datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.used_at is None and self.revoked_at is None and self.expires_at > at
