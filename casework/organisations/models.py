from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models


class OrganisationKind(models.TextChoices):
    POLICE_FORCE = "police", "Police force"
    PROBATION = "probation", "Probation service"
    COURT = "court", "Court"
    MAPPA_AREA = "mappa", "MAPPA area"
    NHS_TRUST = "nhs_trust", "NHS trust"
    SOCIAL_SERVICES = "social_services", "Local authority social services"
    OTHER = "other", "Other"


ods_code_validator = RegexValidator(
    r"^[A-Z0-9]{1,9}$", "Enter an ODS code of 1 to 9 capital letters and digits, like RRP"
)


class Organisation(models.Model):
    """A referring or commissioning agency."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    ods_code = models.CharField("ODS code", max_length=9, blank=True, validators=[ods_code_validator])
    address = models.TextField(blank=True, max_length=1000)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ods_code"],
                condition=~models.Q(ods_code=""),
                name="organisation_ods_code_unique",
            ),
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_name_kind_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    # Fields compared and recorded in the audit trail when an organisation changes.
    AUDITED_FIELDS = ("name", "kind", "ods_code", "address", "postcode", "phone", "email", "is_active")
    # An agency's own details are kept in the trail as they are (not a client's data).
    AUDIT_VALUES_RECORDED = AUDITED_FIELDS
