"""The person index: one record per real person, whatever role they play in the clinic's work.

Names, date of birth and sex stay in clear (they are how staff find a person); identifiers and
every contact detail are encrypted at rest (``EncryptedTextField``), each searchable identifier
with a keyed blind index beside it (``*_bidx``). A person may be *sealed* (usually a victim):
their addresses, telephone numbers, email addresses, online identifiers and workplace are shown
only to their own care team (``queries.can_see_sealed_details``).

``__str__`` and audit labels are the person's reference (PER-2026-00042), never their name.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.db.models import Q

from casework.core import identifiers
from casework.people import crypto
from casework.people.fields import EncryptedTextField


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INDETERMINATE = "indeterminate", "Indeterminate (unable to be classified as male or female)"
    NOT_KNOWN = "not_known", "Not known"


class NameKind(models.TextChoices):
    PREVIOUS = "previous", "Previous name"
    ALIAS = "alias", "Alias or other name used"


class AddressKind(models.TextChoices):
    HOME = "home", "Home"
    CORRESPONDENCE = "correspondence", "Safe address for letters"
    TEMPORARY = "temporary", "Temporary or care address"
    OTHER = "other", "Other"


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X (Twitter)"
    TIKTOK = "tiktok", "TikTok"
    SNAPCHAT = "snapchat", "Snapchat"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    LINKEDIN = "linkedin", "LinkedIn"
    DISCORD = "discord", "Discord"
    REDDIT = "reddit", "Reddit"
    XBOX = "xbox", "Xbox gamertag"
    PLAYSTATION = "playstation", "PlayStation Network ID"
    STEAM = "steam", "Steam"
    DATING_APP = "dating_app", "Dating app"
    OTHER = "other", "Other website or app"


class CareTeamRole(models.TextChoices):
    LEAD_CLINICIAN = "lead_clinician", "Lead clinician"
    CLINICIAN = "clinician", "Clinician"
    COORDINATOR = "coordinator", "Referrals coordinator"


# Blind-index kinds: the domain separator inside the HMAC.
BIDX_NHS = "nhs"
BIDX_PNC = "pnc"
BIDX_PRISON = "prison"
BIDX_PHONE = "phone"
BIDX_EMAIL = "email"
BIDX_POSTCODE = "postcode"
BIDX_HANDLE = "handle"


def _bidx(kind: str, normalised: str) -> str:
    return crypto.blind_index(kind, normalised)


class Person(models.Model):
    reference = models.CharField(max_length=20, unique=True, help_text="PER-2026-00042")
    given_name = models.CharField("Given name", max_length=100)
    middle_names = models.CharField("Middle names", max_length=150, blank=True)
    family_name = models.CharField("Family name", max_length=100)
    preferred_name = models.CharField("Preferred name", max_length=100, blank=True)
    date_of_birth = models.DateField("Date of birth", null=True, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    gender = models.CharField("Gender identity", max_length=100, blank=True)

    nhs_number = EncryptedTextField("NHS number", blank=True, max_length=20)
    nhs_number_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    pnc_id = EncryptedTextField("PNC ID", blank=True, max_length=20)
    pnc_id_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    prison_number = EncryptedTextField("Prison number", blank=True, max_length=20)
    prison_number_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    workplace = EncryptedTextField("Workplace", blank=True, max_length=300)

    is_sealed = models.BooleanField(
        "Sealed",
        default=False,
        help_text="Contact details, addresses, online identifiers and workplace only for the care team",
    )
    sealed_at = models.DateTimeField(null=True, blank=True)

    # The National Data Opt-out: the person has told the NHS their confidential patient information
    # is not to be used for research or planning. Research extracts leave them out (casework.research).
    national_data_opt_out = models.BooleanField(
        "National Data Opt-out",
        default=False,
        help_text="Opted out of their data being used for research and planning; left out of research extracts",
    )
    national_data_opt_out_recorded_at = models.DateTimeField(null=True, blank=True)
    national_data_opt_out_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        help_text="Set while this record is merged into another; hidden from every list",
    )

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Audited in clear: names and demographics. Encrypted fields are audited as "[encrypted]".
    AUDITED_FIELDS = (
        "given_name",
        "middle_names",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "sex",
        "gender",
        "is_sealed",
    )
    # The trail records that a name or the date of birth changed, never the value (a new identity).
    AUDIT_VALUES_WITHHELD = ("date_of_birth",)
    ENCRYPTED_FIELDS = ("nhs_number", "pnc_id", "prison_number", "workplace")
    # Withheld from anyone outside the care team when the person is sealed.
    SEALED_FIELDS = ("workplace",)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="person_name_idx"),
            models.Index(fields=["date_of_birth"], name="person_dob_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or f"Person {self.pk}"

    @property
    def audit_label(self) -> str:
        return self.reference

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_names, self.family_name) if p)

    @property
    def display_name(self) -> str:
        """Family name first, as lists show it: ``SMITH, Jo``."""
        return f"{self.family_name.upper()}, {self.given_name}".strip(", ")

    @property
    def nhs_number_display(self) -> str:
        return identifiers.format_nhs_number(self.nhs_number)

    @property
    def pnc_id_warning(self) -> str:
        parsed = identifiers.parse_pnc_id(self.pnc_id)
        return parsed.warning if parsed else ""

    def refresh_blind_indexes(self) -> list[str]:
        """Recompute the blind indexes from the plaintext; returns the names of those that changed."""
        changed = []
        for name, kind, value in (
            ("nhs_number_bidx", BIDX_NHS, identifiers.normalise_nhs_number(self.nhs_number)),
            ("pnc_id_bidx", BIDX_PNC, identifiers.normalise_pnc_id(self.pnc_id)),
            ("prison_number_bidx", BIDX_PRISON, identifiers.normalise_prison_number(self.prison_number)),
        ):
            new = _bidx(kind, value)
            if getattr(self, name) != new:
                setattr(self, name, new)
                changed.append(name)
        return changed


class PersonName(models.Model):
    """A previous name or an alias, with the dates it was used when known."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=20, choices=NameKind.choices)
    given_name = models.CharField("Given name", max_length=100, blank=True)
    family_name = models.CharField("Family name", max_length=100, blank=True)
    used_from = models.DateField("Used from", null=True, blank=True)
    used_to = models.DateField("Used until", null=True, blank=True)

    AUDITED_FIELDS = ("kind", "given_name", "family_name", "used_from", "used_to")
    ENCRYPTED_FIELDS: tuple[str, ...] = ()

    class Meta:
        ordering = ["-used_to", "id"]

    def __str__(self) -> str:
        return f"Other name {self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


class PersonAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=20, choices=AddressKind.choices, default=AddressKind.HOME)
    address = EncryptedTextField("Address", max_length=1000)
    postcode = EncryptedTextField("Postcode", blank=True, max_length=10)
    postcode_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    lived_from = models.DateField("From", null=True, blank=True)
    lived_to = models.DateField("Until", null=True, blank=True)

    AUDITED_FIELDS = ("kind", "lived_from", "lived_to")
    ENCRYPTED_FIELDS = ("address", "postcode")

    class Meta:
        ordering = [models.F("lived_to").desc(nulls_first=True), "-lived_from", "id"]

    def __str__(self) -> str:
        return f"Address {self.pk}"

    @property
    def is_current(self) -> bool:
        return self.lived_to is None

    def refresh_blind_indexes(self) -> list[str]:
        new = _bidx(BIDX_POSTCODE, identifiers.normalise_postcode(self.postcode))
        if new != self.postcode_bidx:
            self.postcode_bidx = new
            return ["postcode_bidx"]
        return []


class PersonPhone(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    kind = models.CharField(max_length=20, choices=PhoneKind.choices, default=PhoneKind.MOBILE)
    number = EncryptedTextField("Telephone number", max_length=30, help_text="Stored in E.164 form")
    number_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    safe_to_contact = models.BooleanField("Safe to contact on this number", null=True, blank=True)
    notes = EncryptedTextField("Safe times and other notes", blank=True, max_length=500)

    AUDITED_FIELDS = ("kind", "safe_to_contact")
    ENCRYPTED_FIELDS = ("number", "notes")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Telephone number {self.pk}"

    @property
    def display(self) -> str:
        return identifiers.format_phone(self.number)

    def refresh_blind_indexes(self) -> list[str]:
        new = _bidx(BIDX_PHONE, identifiers.normalise_phone(self.number))
        if new != self.number_bidx:
            self.number_bidx = new
            return ["number_bidx"]
        return []


class PersonEmail(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    address = EncryptedTextField("Email address", max_length=254)
    address_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    safe_to_contact = models.BooleanField("Safe to contact at this address", null=True, blank=True)

    AUDITED_FIELDS = ("safe_to_contact",)
    ENCRYPTED_FIELDS = ("address",)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Email address {self.pk}"

    def refresh_blind_indexes(self) -> list[str]:
        new = _bidx(BIDX_EMAIL, identifiers.normalise_email(self.address))
        if new != self.address_bidx:
            self.address_bidx = new
            return ["address_bidx"]
        return []


class OnlineIdentifier(models.Model):
    """A social-media handle, username or gaming ID."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="online_identifiers")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    handle = EncryptedTextField("Username, handle or ID", max_length=200)
    handle_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    AUDITED_FIELDS = ("platform",)
    ENCRYPTED_FIELDS = ("handle",)

    class Meta:
        ordering = ["platform", "id"]

    def __str__(self) -> str:
        return f"Online identifier {self.pk}"

    def refresh_blind_indexes(self) -> list[str]:
        new = _bidx(BIDX_HANDLE, identifiers.normalise_handle(self.platform, self.handle))
        if new != self.handle_bidx:
            self.handle_bidx = new
            return ["handle_bidx"]
        return []


class PersonMatchKey(models.Model):
    """A blocking key of the matching engine (``matching.blocking``), stored as a keyed hash.

    The engine's keys hold identifiers in clear (``n:9434765919``, ``pc:SW1A1AA``), so only their
    HMAC is stored. ``from_contact_details`` marks keys made from a postcode, telephone number or
    email address: for a sealed person they are used only when the user may see those details.
    Rebuilt from the record by ``candidates.refresh_match_keys`` after every change.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="match_keys")
    key_hash = models.CharField(max_length=64, db_index=True)
    from_contact_details = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "key_hash"], name="match_key_unique")]

    def __str__(self) -> str:
        return f"Match key {self.pk}"


# Child tables that hold a person's details, in the order merge and unmerge walk them.
DETAIL_MODELS = (PersonName, PersonAddress, PersonPhone, PersonEmail, OnlineIdentifier)
CONTACT_MODELS = (PersonAddress, PersonPhone, PersonEmail, OnlineIdentifier)


class PersonCareTeam(models.Model):
    """Staff on a person's own care team: the only people who see a sealed person's details.

    Stands in for the case team until cases exist; ``queries.can_see_sealed_details`` is the one
    place that reads it.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_teams")
    role = models.CharField("Role on the team", max_length=20, choices=CareTeamRole.choices)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("user_id", "role")

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "user"], name="care_team_member_unique")]

    def __str__(self) -> str:
        return f"Care team member {self.pk}"


class ReferralPersonLink(models.Model):
    """A referral's subject (``named_party`` None) or one of its named parties is this person."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="person_links")
    named_party = models.ForeignKey(
        "referrals.NamedParty", on_delete=models.CASCADE, null=True, blank=True, related_name="person_links"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referral_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=Q(named_party__isnull=True), name="one_subject_link_per_referral"
            ),
            models.UniqueConstraint(
                fields=["referral", "named_party"],
                condition=Q(named_party__isnull=False),
                name="one_link_per_named_party",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral link {self.pk}"

    @property
    def is_subject(self) -> bool:
        return self.named_party_id is None


class PersonMerge(models.Model):
    """One merge of ``source`` into ``target``, with what moved, so that it can be undone.

    ``snapshot`` is JSON, encrypted (it holds the target's identifiers and workplace as they were
    before the merge): see ``services.person_merge``.
    """

    source = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_as_source")
    target = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_as_target")
    reason = models.TextField(max_length=2000)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField()
    snapshot = EncryptedTextField()
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerge_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="merge_source_is_not_target"),
        ]

    def __str__(self) -> str:
        return f"Merge {self.pk}"

    @property
    def audit_label(self) -> str:
        return f"{self.source.reference} into {self.target.reference}"

    @property
    def is_active(self) -> bool:
        return self.unmerged_at is None

    def snapshot_data(self) -> dict:
        return json.loads(self.snapshot or "{}")


class KeyCheck(models.Model):
    """A known value encrypted with the field keys, and its blind index: one row, written when the
    database is first migrated (``casework.people.keycheck``). At start-up and on every
    ``/healthz`` the service decrypts it; if the keys it was given cannot, it refuses to start
    rather than show pages it cannot read. ``rotate_keys`` re-encrypts it with everything else
    and moves its blind index at the end of a rebuild."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    encrypted = EncryptedTextField()
    blind_index = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="key_check_single_row")]

    def __str__(self) -> str:
        return "Key check"
