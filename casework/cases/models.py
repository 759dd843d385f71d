"""The case: the clinic's work with one person, opened from an accepted referral.

A case has a subject (a person in the index), a kind (perpetrator, victim, consultation), a team
(the legitimate relationship that grants access), parties, a stalking episode per victim, an
incident timeline, legal orders and hearings, MAPPA and the agencies involved.

``__str__`` and audit labels are references (CASE-2026-00017), never a person's name.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from casework.cases.choices import (
    SEVERITY_CHOICES,
    ZONE_PLACES,
    Behaviour,
    CaseKind,
    CaseStatus,
    Channel,
    ClosureReason,
    DatePrecision,
    HearingKind,
    MappaCategory,
    MappaLevel,
    NoteKind,
    OfficerRole,
    OrderKind,
    PartyRole,
    Place,
    Relationship,
    Source,
    StalkerType,
    TeamRole,
)
from casework.cases.errors import NoteFixed
from casework.referrals.choices import Service


def _source_referral() -> models.ForeignKey:
    """Where a record was carried from: the referral it came from (blank: recorded in the case)."""
    return models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Carried from referral",
    )


class Case(models.Model):
    reference = models.CharField(max_length=20, unique=True, help_text="CASE-2026-00017")
    kind = models.CharField(max_length=20, choices=CaseKind.choices)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True)
    subject = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    opened_on = models.DateField("Date opened")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField("Date closed", null=True, blank=True)
    closure_reason = models.CharField(max_length=30, choices=ClosureReason.choices, blank=True)
    closure_note = models.TextField(blank=True, max_length=2000)
    # Filled in by a signed-off assessment (a later issue); blank means "not yet assessed".
    stalker_type = models.CharField(max_length=30, choices=StalkerType.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised, in the same transaction, whenever an incident or an order of the case changes, so a
    # kept risk assessed before the change is no longer current (``KeptRisk``; ADR 0027).
    risk_version = models.PositiveIntegerField(default=0, editable=False)

    AUDITED_FIELDS = ("kind", "status", "subject_id", "opened_on", "closed_on", "closure_reason", "stalker_type")
    # {user id: team role}, read once per case object by cases.rules.team_of (None: not read yet).
    _team_roles: dict[int, str] | None = None

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=False) & ~Q(closure_reason=""))
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=True)),
                name="case_closed_has_date_and_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["subject", "status"], name="case_subject_status_idx"),
            # The case list's order (``queries.case_list``), so a page is read from the index rather
            # than every case joined to its subject and sorted (17 ms to under 2 ms at 10,000 cases).
            models.Index(fields=["-opened_on", "-id"], name="case_opened_desc_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_label(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    @property
    def is_victim_case(self) -> bool:
        return self.kind == CaseKind.VICTIM


class CaseReferral(models.Model):
    """A referral whose work this case holds: the one it was opened from, and any added later."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_referrals")
    referral = models.OneToOneField("referrals.Referral", on_delete=models.PROTECT, related_name="case_link")
    opened_case = models.BooleanField(default=False)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"Case referral {self.pk}"


class CaseTeamMember(models.Model):
    """A member of the case team. Being on the team is what lets a clinician open the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_teams")
    role = models.CharField(max_length=20, choices=TeamRole.choices)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["role", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_team_member_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(role=TeamRole.LEAD_CLINICIAN), name="case_one_lead_clinician"
            ),
        ]
        indexes = [models.Index(fields=["user", "case"], name="case_team_user_idx")]

    def __str__(self) -> str:
        return f"Case team member {self.pk}"


class CaseStatusChange(models.Model):
    """One change of a case's status (opening included): who, when, why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    closure_reason = models.CharField(max_length=30, choices=ClosureReason.choices, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Case status change {self.pk}"


class CaseParty(models.Model):
    """A person in the case, with their role. ``name_as_given`` is the name as the referral (or the
    person adding them) gave it: the perpetrator side of an information barrier shows only this,
    never the person record's current name."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="case_parties")
    role = models.CharField(max_length=30, choices=PartyRole.choices)
    name_as_given = models.CharField("Name as given", max_length=200)
    relationship_to_subject = models.CharField("Relationship to the subject", max_length=200, blank=True)
    named_party = models.ForeignKey(
        "referrals.NamedParty", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("person_id", "role", "name_as_given", "relationship_to_subject")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="case_party_person_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(role=PartyRole.SUBJECT), name="case_one_subject_party"
            ),
        ]
        indexes = [models.Index(fields=["person", "role"], name="case_party_person_role_idx")]

    def __str__(self) -> str:
        return f"Case party {self.pk}"


class StalkingEpisode(models.Model):
    """The stalking of one victim: how they knew each other, when it began, what was done, and why
    in the stalker's own words."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="episodes")
    victim = models.OneToOneField(CaseParty, on_delete=models.PROTECT, related_name="episode")
    prior_relationship = models.CharField(max_length=30, choices=Relationship.choices)
    started_on = models.DateField("When it started", null=True, blank=True)
    started_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.MONTH)
    behaviours = models.JSONField(default=list, blank=True)
    motivation_in_own_words = models.TextField(
        "Apparent motivation, in the stalker's own words", blank=True, max_length=10_000
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("prior_relationship", "started_on", "started_precision", "behaviours", "motivation_in_own_words")
    AUDIT_VALUES_RECORDED = ("behaviours",)
    AUDIT_VALUE_LABELS = {"behaviours": Behaviour.choices}

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Stalking episode {self.pk}"

    @property
    def behaviour_labels(self) -> list[str]:
        chosen = set(self.behaviours or [])
        return [b.label for b in Behaviour if b.value in chosen]


class Incident(models.Model):
    """One incident on the timeline. ``occurred_on`` is the first of the month when only the
    month is known (``precision``), and ``occurred_time`` is set only for exact incidents."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    occurred_on = models.DateField("Date")
    occurred_time = models.TimeField("Time", null=True, blank=True)
    precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    behaviour = models.CharField("Type", max_length=30, choices=Behaviour.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    victim = models.ForeignKey(CaseParty, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents")
    source = models.CharField(max_length=20, choices=Source.choices)
    severity = models.PositiveSmallIntegerField(
        choices=SEVERITY_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    description = models.TextField(max_length=10_000)
    place = models.CharField("Where it happened", max_length=10, choices=Place.choices, blank=True)
    documents = models.ManyToManyField("referrals.ReferralDocument", blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    AUDITED_FIELDS = (
        "occurred_on",
        "occurred_time",
        "precision",
        "behaviour",
        "channel",
        "victim_id",
        "source",
        "severity",
        "description",
        "place",
    )

    class Meta:
        ordering = ["-occurred_on", F("occurred_time").desc(nulls_last=True), "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(severity__gte=1) & Q(severity__lte=5), name="incident_severity_1_to_5"),
            models.CheckConstraint(
                condition=Q(precision=DatePrecision.EXACT) | Q(occurred_time__isnull=True),
                name="incident_time_only_when_exact",
            ),
        ]
        indexes = [models.Index(fields=["case", "occurred_on"], name="incident_case_date_idx")]

    def __str__(self) -> str:
        return f"Incident {self.pk}"


class LegalOrder(models.Model):
    """An order or set of conditions, with the conditions in force and whom it protects."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="orders")
    kind = models.CharField(max_length=30, choices=OrderKind.choices)
    # A referral names the orders in force, not who issued them or when: an order carried from one
    # has neither until someone records them (blank, and null).
    issued_by = models.CharField("Issuing court or authority", max_length=200, blank=True)
    starts_on = models.DateField("Start date", null=True, blank=True)
    ends_on = models.DateField("End date", null=True, blank=True)
    no_contact = models.BooleanField("No contact", default=False)
    exclusion_zone = models.BooleanField("Exclusion zone", default=False)
    exclusion_zone_details = models.TextField("Where the exclusion zone is", blank=True, max_length=2000)
    # The places the zone is drawn around (cases.choices.ZONE_PLACES), for the breach test.
    zone_places = models.JSONField("Places the exclusion zone covers", default=list, blank=True)
    attend_treatment = models.BooleanField("Attend treatment or an assessment", default=False)
    other_conditions = models.TextField("Other conditions", blank=True, max_length=2000)
    protects = models.ManyToManyField(CaseParty, blank=True, related_name="protecting_orders")
    source_referral = _source_referral()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    AUDITED_FIELDS = (
        "kind",
        "issued_by",
        "starts_on",
        "ends_on",
        "no_contact",
        "exclusion_zone",
        "exclusion_zone_details",
        "zone_places",
        "attend_treatment",
        "other_conditions",
        "source_referral_id",
    )
    # A list of choices the trail keeps (a kind of place, never an address), shown by its labels.
    AUDIT_VALUES_RECORDED = ("zone_places",)
    AUDIT_VALUE_LABELS = {"zone_places": ZONE_PLACES}

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="order_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["ends_on"], name="order_ends_on_idx")]

    def __str__(self) -> str:
        return f"Order {self.pk}"

    @property
    def known_from(self):
        """The first day the order is known to be in force: its start date, or, for an order carried
        from a referral without one, the day the referral was received (it was in force then; needs
        ``source_referral`` selected), else the day it was recorded."""
        if self.starts_on is not None:
            return self.starts_on
        received = self.source_referral.received_at if self.source_referral_id and self.source_referral else None
        return timezone.localdate(received or self.recorded_at)

    def in_force_on(self, day) -> bool:
        return self.known_from <= day and (self.ends_on is None or day <= self.ends_on)

    @property
    def condition_labels(self) -> list[str]:
        labels = []
        if self.no_contact:
            labels.append("No contact")
        if self.exclusion_zone:
            labels.append(
                "Exclusion zone" + (f": {self.exclusion_zone_details}" if self.exclusion_zone_details else "")
            )
        if self.attend_treatment:
            labels.append("Attend treatment or an assessment")
        if self.other_conditions:
            labels.append(self.other_conditions)
        return labels


class Hearing(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hearings")
    kind = models.CharField(max_length=20, choices=HearingKind.choices)
    hearing_on = models.DateField("Date of the hearing")
    venue = models.CharField("Court or venue", max_length=200, blank=True)
    notes = models.TextField(blank=True, max_length=2000)
    source_referral = _source_referral()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    AUDITED_FIELDS = ("kind", "hearing_on", "venue", "notes", "source_referral_id")

    class Meta:
        ordering = ["hearing_on", "id"]
        indexes = [models.Index(fields=["hearing_on"], name="hearing_on_idx")]

    def __str__(self) -> str:
        return f"Hearing {self.pk}"


class MappaRegistration(models.Model):
    """The case's MAPPA category and level, and the MAPPA coordinator."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="mappa")
    category = models.PositiveSmallIntegerField(choices=MappaCategory.choices)
    level = models.PositiveSmallIntegerField(choices=MappaLevel.choices)
    coordinator_name = models.CharField("MAPPA coordinator", max_length=150, blank=True)
    coordinator_email = models.EmailField("Coordinator's email address", blank=True)
    coordinator_phone = models.CharField("Coordinator's telephone number", max_length=30, blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("category", "level", "coordinator_name", "coordinator_email", "coordinator_phone")

    def __str__(self) -> str:
        return f"MAPPA registration {self.pk}"


class MappaMeeting(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mappa_meetings")
    meets_on = models.DateField("Date of the meeting")
    notes = models.TextField(blank=True, max_length=2000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    AUDITED_FIELDS = ("meets_on", "notes")

    class Meta:
        ordering = ["meets_on", "id"]

    def __str__(self) -> str:
        return f"MAPPA meeting {self.pk}"


class InvolvedAgency(models.Model):
    """An agency involved in the case: an organisation the clinic knows, or one named here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agencies")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("organisation_id", "name")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"Involved agency {self.pk}"


class AgencyOfficer(models.Model):
    agency = models.ForeignKey(InvolvedAgency, on_delete=models.CASCADE, related_name="officers")
    role = models.CharField(max_length=30, choices=OfficerRole.choices)
    name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    email = models.EmailField("Email address", blank=True)
    phone = models.CharField("Telephone number", max_length=30, blank=True)
    source_referral = _source_referral()
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("role", "name", "job_title", "email", "phone", "source_referral_id")

    class Meta:
        ordering = ["role", "name", "id"]

    def __str__(self) -> str:
        return f"Agency officer {self.pk}"


class CaseService(models.Model):
    """A piece of work the case owes: a service accepted on one of its referrals, and the date it is
    due by (a report's due date; blank when the referral set none)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(max_length=30, choices=Service.choices)
    due_on = models.DateField("Due by", null=True, blank=True)
    source_referral = _source_referral()
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("service", "due_on", "source_referral_id")

    class Meta:
        ordering = [F("due_on").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "service", "source_referral"], name="case_service_once_per_referral"
            ),
        ]

    def __str__(self) -> str:
        return f"Case service {self.pk}"


# --- Case notes ---------------------------------------------------------------------------------


class _FixedQuerySet(models.QuerySet):
    """Rows that change only one at a time through ``save()`` (which keeps their invariants): a
    bulk ``update()`` would go round them, so it is refused."""

    def update(self, **kwargs):
        raise NoteFixed(f"{self.model._meta.verbose_name_plural} are not changed in bulk")

    def bulk_update(self, objs, fields, batch_size=None):
        raise NoteFixed(f"{self.model._meta.verbose_name_plural} are not changed in bulk")


class CaseNote(models.Model):
    """A dated, authored entry in the clinical record of a case.

    A note is fixed once saved: only its author may correct it, and only until ``editable_until``
    (``created_at`` plus ``settings.CASE_NOTE_GRACE_MINUTES``, set when it is written); after that
    a correction is an addendum (``CaseNoteAddendum``), shown under it. The service refuses a late
    edit (``services.notes``); so does ``save()`` here, which also writes only the note's content
    and ``edited_at`` on an update; and the database refuses a row whose ``edited_at`` is after its
    ``editable_until`` (a check constraint), so no writer that records when it edited can go round
    either."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField("Kind of note", max_length=30, choices=NoteKind.choices)
    contact_on = models.DateField("Date of the contact")
    contact_time = models.TimeField("Time of the contact", null=True, blank=True)
    present = models.CharField("Who was present", max_length=500, blank=True)
    text = models.TextField("Note", max_length=20_000)
    significant = models.BooleanField("Significant event", default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    editable_until = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)

    AUDITED_FIELDS = ("kind", "contact_on", "contact_time", "present", "text", "significant")
    # What an edit within the grace period may change (and ``save()`` writes on an update).
    EDITABLE_FIELDS = AUDITED_FIELDS

    objects = _FixedQuerySet.as_manager()

    class Meta:
        ordering = ["-contact_on", F("contact_time").desc(nulls_last=True), "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(editable_until__gte=F("created_at")), name="case_note_grace_after_creation"
            ),
            models.CheckConstraint(
                condition=Q(edited_at__isnull=True) | Q(edited_at__lte=F("editable_until")),
                name="case_note_edited_only_within_grace",
            ),
        ]
        indexes = [models.Index(fields=["case", "contact_on"], name="case_note_case_date_idx")]

    def __str__(self) -> str:
        return f"Note {self.pk}"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        now = timezone.now()
        if not self.is_editable(now):
            raise NoteFixed("This note can no longer be changed: add an addendum to correct it")
        self.edited_at = now
        kwargs["update_fields"] = [*self.EDITABLE_FIELDS, "edited_at"]
        super().save(*args, **kwargs)

    def is_editable(self, now=None) -> bool:
        return self.pk is not None and (now or timezone.now()) <= self.editable_until


class CaseNoteAddendum(models.Model):
    """A correction or addition to a note, with its own author and time. Fixed once written."""

    note = models.ForeignKey(CaseNote, on_delete=models.CASCADE, related_name="addenda")
    text = models.TextField("Addendum", max_length=10_000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    AUDITED_FIELDS = ("text",)

    objects = _FixedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "case note addenda"

    def __str__(self) -> str:
        return f"Addendum {self.pk}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise NoteFixed("An addendum cannot be changed: add another addendum")
        super().save(*args, **kwargs)


class KeptRisk(models.Model):
    """A case's risk as ``queries.case_risks`` assessed it (the escalation rule and the breach test,
    docs/escalation-rule.md), kept so My work and the case list's risk filter read a row per case
    instead of assessing every open case on each request (docs/adr/0027-kept-case-risk.md).

    Derived, never entered, and current only while ``assessed_on`` is today, ``version`` is the
    case's ``risk_version`` and ``rule`` is the rule's fingerprint (``risk.RULE``): anything else is
    assessed again when next read (``queries.kept_case_risks``) and each night
    (``manage.py assess_case_risks``). Holds no names: the rule's reasons and a date."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="kept_risk")
    assessed_on = models.DateField()
    version = models.PositiveIntegerField()
    rule = models.CharField(max_length=16)
    reasons = models.JSONField(default=list)
    last_breach_on = models.DateField(null=True)
    flagged = models.BooleanField()
    assessed_at = models.DateTimeField()

    class Meta:
        verbose_name = "kept risk"

    def __str__(self) -> str:
        return f"Kept risk of case {self.pk}"
