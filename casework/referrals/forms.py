"""Forms for the staff side of referrals, in the NHS.UK error-message style: a message per field,
and nothing the user typed is lost when a form is refused."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.forms.formsets import TOTAL_FORM_COUNT
from django.forms.utils import ErrorDict, ErrorList
from django.utils import timezone

from casework.core import identifiers
from casework.core.formatting import date_gb
from casework.core.forms import NHSDateField, NHSForm, field_of
from casework.core.limits import limit
from casework.organisations.models import OrganisationKind
from casework.referrals.choices import (
    STAFF_CHANNELS,
    Decision,
    DocumentKind,
    LegalStatus,
    Offence,
    Order,
    PartyRole,
    Service,
    Setting,
    Status,
    SubjectRole,
)
from casework.referrals.models import NamedParty, Referral
from casework.referrals.queries import DEFAULT_SORT, SORTS
from casework.referrals.services import documents

SIGNIFICANT_CHOICES = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]
SIGNIFICANT_VALUES = {"yes": True, "no": False, "unknown": None}
FUTURE_DATE_FIELDS = ("next_hearing_on", "report_due_on", "parole_hearing_on")
MAX_PARTIES = 20


def parse_time(value: str) -> dt.time:
    """A time typed as 14:30, 14.30, 1430, 2:30pm or 2pm."""
    text = value.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d{1,2})(?:[:.]?(\d{2}))?(am|pm)?", text)
    if not match:
        raise ValueError(value)
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(value)
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None:
        raise ValueError(value)  # "14" alone is ambiguous
    return dt.time(hour, minute)


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class ReferralForm(NHSForm):
    """Logging a referral that arrived by telephone, post or email, and correcting one later."""

    # How and when it arrived
    received_via = forms.ChoiceField(
        label="How did the referral arrive?",
        choices=[(c.value, c.label) for c in STAFF_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the referral arrived"},
    )
    received_on = NHSDateField(label="Date received", past_only=True, required=True)
    received_time = forms.CharField(
        label="Time received",
        max_length=10,
        help_text="Use the 24-hour clock, for example, 14:30",
        error_messages={"required": "Enter the time the referral was received"},
    )

    # Who referred
    referring_organisation = OrganisationChoiceField(
        label="Referring organisation",
        queryset=None,
        empty_label="Select an organisation",
        error_messages={
            "required": "Select the referring organisation",
            "invalid_choice": "Select the referring organisation from the list",
        },
    )
    referrer_name = forms.CharField(
        label="Referring officer",
        max_length=150,
        error_messages={"required": "Enter the name of the referring officer"},
    )
    referrer_job_title = forms.CharField(label="Job title", max_length=150, required=False)
    referrer_email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.org"},
    )
    referrer_phone = forms.CharField(label="Telephone number", max_length=30, required=False)

    # What is asked for
    services = forms.MultipleChoiceField(
        label="Services requested",
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={"required": "Select at least one service"},
    )

    # The subject
    subject_role = forms.ChoiceField(
        label="Who is the subject of the referral?",
        choices=SubjectRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the subject is the person who stalks or the person stalked"},
    )
    subject_given_name = forms.CharField(label="Given name", max_length=100, required=False)
    subject_family_name = forms.CharField(label="Family name", max_length=100, required=False)
    subject_date_of_birth = NHSDateField(label="Date of birth", past_only=True, required=False)
    subject_details = forms.CharField(
        label="Other details about the subject",
        required=False,
        widget=forms.Textarea,
        max_length=limit(Referral, "subject_details"),
        help_text="Other names, address, NHS number or PNC ID, as the referrer gave them",
    )

    # The behaviour
    behaviour_summary = forms.CharField(
        label="Stalking, harassment or threat behaviour, in outline",
        widget=forms.Textarea,
        max_length=limit(Referral, "behaviour_summary"),
        error_messages={"required": "Enter an outline of the behaviour"},
    )
    behaviour_duration = forms.CharField(
        label="How long it has gone on", max_length=100, required=False, help_text="For example, 8 months"
    )
    stalking_significant = forms.ChoiceField(
        label="Does the referrer say stalking, harassment or threat is a significant part of the case?",
        choices=SIGNIFICANT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether stalking, harassment or threat is a significant part of the case"},
    )

    # Legal position
    legal_status = forms.ChoiceField(
        label="Legal status",
        choices=LegalStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the legal status"},
    )
    offences = forms.MultipleChoiceField(
        label="Offences",
        choices=Offence.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Charged or convicted; select all that apply",
    )
    other_offences = forms.CharField(label="Other offences", max_length=300, required=False)
    orders_in_force = forms.MultipleChoiceField(
        label="Orders in force",
        choices=Order.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply",
    )

    # Where an assessment would happen
    assessment_setting = forms.ChoiceField(
        label="Where would an assessment happen?",
        choices=Setting.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where an assessment would happen"},
    )
    custody_establishment = forms.CharField(label="Prison or establishment", max_length=150, required=False)
    prison_number = forms.CharField(label="Prison number", max_length=20, required=False)
    facility_name = forms.CharField(label="Mental health facility", max_length=150, required=False)

    # Key dates
    next_hearing_on = NHSDateField(label="Next court hearing", required=False)
    report_due_on = NHSDateField(label="Report needed by", required=False)
    parole_hearing_on = NHSDateField(label="Parole hearing", required=False)

    # Funding
    commissioner = OrganisationChoiceField(
        label="Commissioning organisation",
        queryset=None,
        required=False,
        empty_label="Not known yet",
        error_messages={"invalid_choice": "Select the commissioning organisation from the list"},
    )
    purchase_order = forms.CharField(label="Purchase order number", max_length=50, required=False)
    contract_reference = forms.CharField(label="Contract reference", max_length=50, required=False)

    def __init__(self, *args: Any, organisations, channel_editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "referring_organisation", forms.ModelChoiceField).queryset = organisations
        field_of(self, "commissioner", forms.ModelChoiceField).queryset = organisations
        self.channel_editable = channel_editable
        if not channel_editable:
            # Portal and API referrals keep how and when they arrived.
            for name in ("received_via", "received_on", "received_time"):
                del self.fields[name]

    @classmethod
    def initial_from(cls, referral) -> dict[str, Any]:
        received = timezone.localtime(referral.received_at) if referral.received_at else None
        initial = {
            name: getattr(referral, name)
            for name in (
                "received_via",
                "referrer_name",
                "referrer_job_title",
                "referrer_email",
                "referrer_phone",
                "subject_role",
                "subject_given_name",
                "subject_family_name",
                "subject_date_of_birth",
                "subject_details",
                "behaviour_summary",
                "behaviour_duration",
                "legal_status",
                "offences",
                "other_offences",
                "orders_in_force",
                "assessment_setting",
                "custody_establishment",
                "prison_number",
                "facility_name",
                "purchase_order",
                "contract_reference",
                *FUTURE_DATE_FIELDS,
            )
        }
        initial.update(
            received_on=received.date() if received else None,
            received_time=received.strftime("%H:%M") if received else "",
            referring_organisation=referral.referring_organisation_id,
            commissioner=referral.commissioner_id,
            services=referral.services,
            stalking_significant={True: "yes", False: "no"}.get(referral.stalking_significant, "unknown"),
        )
        return initial

    def clean_received_time(self) -> dt.time:
        value = self.cleaned_data["received_time"]
        try:
            return parse_time(value)
        except ValueError:
            raise ValidationError("Enter a real time, like 14:30") from None

    def _clean_future_date(self, name: str) -> dt.date | None:
        value = self.cleaned_data.get(name)
        # A date already recorded may stay as it is once it has passed; a new or changed one may not be past.
        if value is not None and value < timezone.localdate() and value != self.initial.get(name):
            raise ValidationError(f"{self.fields[name].label} must be today or in the future")
        return value

    def clean_prison_number(self) -> str:
        # As on the person record: the NOMIS form, or an older form shown as typed (upper case).
        parsed = identifiers.clean_prison_number(self.cleaned_data.get("prison_number"))
        return parsed.value if parsed else ""

    def clean_next_hearing_on(self):
        return self._clean_future_date("next_hearing_on")

    def clean_report_due_on(self):
        return self._clean_future_date("report_due_on")

    def clean_parole_hearing_on(self):
        return self._clean_future_date("parole_hearing_on")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        on, at = data.get("received_on"), data.get("received_time")
        if on and at:
            received = timezone.make_aware(dt.datetime.combine(on, at))
            if received > timezone.now():
                self.add_error("received_time", "Time received must be now or in the past")
            else:
                data["received_at"] = received
        if not (data.get("subject_given_name") or data.get("subject_family_name")):
            self.add_error("subject_given_name", "Enter the subject's given name or family name")
        if Offence.OTHER in (data.get("offences") or []) and not data.get("other_offences"):
            self.add_error("other_offences", "Enter the other offences")
        if data.get("assessment_setting") == Setting.MENTAL_HEALTH_FACILITY and not data.get("facility_name"):
            self.add_error("facility_name", "Enter the name of the mental health facility")
        legal = data.get("legal_status")
        if legal in (LegalStatus.CHARGED, LegalStatus.CONVICTED) and "offences" in data and not data["offences"]:
            self.add_error("offences", "Select the offences the subject is charged with or convicted of")
        if data.get("subject_date_of_birth") and data["subject_date_of_birth"] < dt.date(1900, 1, 1):
            self.add_error("subject_date_of_birth", "Date of birth must be a real date of birth")
        return data

    def referral_fields(self) -> dict[str, Any]:
        """The cleaned values, as the intake services take them."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "referring_organisation",
                "referrer_name",
                "referrer_job_title",
                "referrer_email",
                "referrer_phone",
                "subject_role",
                "subject_given_name",
                "subject_family_name",
                "subject_date_of_birth",
                "subject_details",
                "behaviour_summary",
                "behaviour_duration",
                "legal_status",
                "offences",
                "other_offences",
                "orders_in_force",
                "assessment_setting",
                "custody_establishment",
                "prison_number",
                "facility_name",
                "commissioner",
                "purchase_order",
                "contract_reference",
                *FUTURE_DATE_FIELDS,
            )
        }
        fields["stalking_significant"] = SIGNIFICANT_VALUES[data["stalking_significant"]]
        if self.channel_editable:
            fields["received_via"] = data["received_via"]
            fields["received_at"] = data["received_at"]
        if fields["assessment_setting"] != Setting.CUSTODY:
            fields["custody_establishment"] = fields["prison_number"] = ""
        if fields["assessment_setting"] != Setting.MENTAL_HEALTH_FACILITY:
            fields["facility_name"] = ""
        if Offence.OTHER not in fields["offences"]:
            fields["other_offences"] = ""
        return fields


class NamedPartyForm(NHSForm):
    """Another person the referral names. A row left blank is ignored; a row with anything in it
    needs a name and a role."""

    role = forms.ChoiceField(label="Role", choices=[("", "Select a role"), *PartyRole.choices], required=False)
    name = forms.CharField(label="Name", max_length=200, required=False)
    relationship_to_subject = forms.CharField(label="Relationship to the subject", max_length=200, required=False)
    details = forms.CharField(
        label="Other details",
        required=False,
        widget=forms.Textarea,
        max_length=limit(NamedParty, "details"),
        help_text="Age, address or contact details, as the referrer gave them",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any((data.get(name) or "").strip() for name in ("role", "name", "relationship_to_subject", "details")):
            data["blank"] = True
            return data
        data["blank"] = False
        if not (data.get("name") or "").strip():
            self.add_error("name", "Enter the person's name")
        if not data.get("role"):
            self.add_error("role", "Select the person's role")
        return data


BasePartyFormSet = formset_factory(
    NamedPartyForm, extra=0, max_num=MAX_PARTIES, absolute_max=MAX_PARTIES, validate_max=True
)


# formset_factory builds the base class at run time, which the stubs cannot take as a base.
class PartyFormSet(BasePartyFormSet):  # type: ignore[valid-type, misc]
    def parties(self) -> list[dict[str, str]]:
        return [
            {k: form.cleaned_data[k].strip() for k in ("role", "name", "relationship_to_subject", "details")}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("blank", True)
        ]

    @property
    def readable(self) -> bool:
        """False when the rows' bookkeeping fields did not arrive (never from a real form)."""
        return not self.is_bound or self.management_form.is_valid()

    def error_summary(self) -> list[dict[str, str]]:
        if not self.readable:
            return [{"text": "The other people named could not be read: enter them again", "href": "#parties"}]
        items = [{"text": str(e), "href": "#parties"} for e in self.non_form_errors()]
        for index, form in enumerate(self.forms, start=1):
            for item in form.error_summary():
                items.append({"text": f"Person {index}: {item['text']}", "href": item["href"]})
        return items


ADD_PARTY = "add_party"


def party_formset(data=None, parties=None) -> PartyFormSet:
    """The named-parties rows: those already recorded, then one blank row. "Add another person"
    (``ADD_PARTY`` in the POST) gives back the same rows and one more (``with_another_row``)."""
    if data is not None:
        return PartyFormSet(data, prefix="parties")
    initial = list(parties or [])
    formset = PartyFormSet(prefix="parties", initial=initial)
    formset.extra = 1
    return formset


def with_another_row(form, data) -> tuple[Any, PartyFormSet]:
    """The page again, as typed, with one more blank person row (up to ``MAX_PARTIES``) and no
    error messages: asking for a row is not sending the form. The forms stay bound (so every
    answer is kept, dates and ticked boxes included); their errors are set empty rather than
    worked out, which is what Django's forms read when they render."""
    data = data.copy()
    total = f"parties-{TOTAL_FORM_COUNT}"
    try:
        rows = int(data.get(total, 0))
    except ValueError:
        rows = 0
    data[total] = str(min(rows + 1, MAX_PARTIES))
    parties = PartyFormSet(data, prefix="parties")
    for each in (form, *parties.forms):
        each._errors = ErrorDict()
    parties._errors, parties._non_form_errors = [], ErrorList()
    return form, parties


class ScreeningDecisionForm(NHSForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision"},
    )
    accepted_services = forms.MultipleChoiceField(
        label="Services accepted",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select the services the clinic will provide",
        error_messages={"invalid_choice": "Select only services the referrer asked for"},
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea,
        max_length=limit(Referral, "decision_reason"),
        help_text="A decline or a request for more information goes to the referrer in a letter with this text "
        "(you can change the letter's wording before it is issued). Do not name victims or other people.",
        error_messages={"required": "Enter the reason for the decision"},
    )
    # The preview's step: the letter's paragraph as the coordinator edits it (absent on the decision
    # page itself, where the letter is not yet shown).
    letter_text = forms.CharField(
        label="The letter's wording",
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=limit(Referral, "decision_reason"),
        help_text="This paragraph goes into the letter as it is. Do not name victims or other people.",
    )

    def __init__(self, *args: Any, requested: list[str], refused: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused = refused
        field_of(self, "accepted_services", forms.ChoiceField).choices = [(s, Service(s).label) for s in requested]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") in (Decision.DECLINE, Decision.REQUEST_INFORMATION):
            # The services are asked only under "Accept" (conditional radios): without JavaScript
            # the boxes are in the page whatever is chosen, and what was ticked before choosing
            # another decision is ignored, never refused.
            self.errors.pop("accepted_services", None)
            data["accepted_services"] = []
        elif data.get("decision") == Decision.ACCEPT:
            chosen = data.get("accepted_services") or []
            if not chosen and "accepted_services" not in self.errors:
                self.add_error("accepted_services", "Select the services the clinic accepts")
            for service in chosen:
                if service in self.refused:
                    self.add_error(
                        "accepted_services", f"{Service(service).label} cannot be accepted. {self.refused[service]}"
                    )
                    break
        return data


class TransitionForm(NHSForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea, max_length=4000, required=False)

    def __init__(self, *args: Any, target: Status, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        if target in (Status.WITHDRAWN, Status.CLOSED):
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = f"Enter why the referral is {target.label.lower()}"
        else:
            self.fields["reason"].label = "Note (optional)"


class ClinicianChoiceField(forms.ChoiceField):
    """A choice of the clinicians offered. A clinician deliberately not offered (``not_offered``:
    id to why, such as Stalking Risk Profile training that has expired) is refused with that
    reason rather than "from the list", should their id be sent anyway."""

    not_offered: dict[str, str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.not_offered = {}

    def validate(self, value: Any) -> None:
        if value in self.not_offered:
            raise forms.ValidationError(self.not_offered[value], code="not_offered")
        super().validate(value)


class AllocationForm(NHSForm):
    lead_clinician = ClinicianChoiceField(
        label="Lead clinician",
        error_messages={
            "required": "Select the lead clinician",
            "invalid_choice": "Select the lead clinician from the list",
        },
    )
    second_assessor = ClinicianChoiceField(
        label="Second assessor (optional)",
        required=False,
        error_messages={"invalid_choice": "Select the second assessor from the list"},
    )
    reason = forms.CharField(label="Note (optional)", widget=forms.Textarea, max_length=2000, required=False)

    def __init__(self, *args: Any, clinicians: list, not_offered: dict[int, str] | None = None, **kwargs: Any) -> None:
        """``clinicians``: those who may take this work, offered as choices. ``not_offered``: the
        ids of others, each with why they may not (the page lists them, but not as choices)."""
        super().__init__(*args, **kwargs)
        self.clinicians = {str(c.pk): c for c in clinicians}
        choices = [(str(c.pk), clinician_choice_label(c)) for c in clinicians]
        field_of(self, "lead_clinician", forms.ChoiceField).choices = [("", "Select a clinician"), *choices]
        field_of(self, "second_assessor", forms.ChoiceField).choices = [("", "No second assessor"), *choices]
        refused = {str(pk): why for pk, why in (not_offered or {}).items()}
        field_of(self, "lead_clinician", ClinicianChoiceField).not_offered = refused
        field_of(self, "second_assessor", ClinicianChoiceField).not_offered = refused

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lead, second = data.get("lead_clinician"), data.get("second_assessor")
        if lead and second and lead == second:
            self.add_error("second_assessor", "The second assessor must be a different person from the lead clinician")
        data["lead"] = self.clinicians.get(lead) if lead else None
        data["second"] = self.clinicians.get(second) if second else None
        return data


def clinician_choice_label(clinician) -> str:
    cases = "1 current case" if clinician.caseload == 1 else f"{clinician.caseload} current cases"
    return f"{clinician.full_name} – {cases} – {srp_status_text(clinician)}"


def srp_status_text(clinician) -> str:
    if clinician.srp_current:
        return "SRP trained"
    if clinician.srp_latest_expiry and clinician.srp_latest_expiry < timezone.localdate():
        return f"SRP training expired {date_gb(clinician.srp_latest_expiry)}"
    if clinician.srp_trained:
        return "SRP training not current"
    return "no SRP training"


class DocumentUploadForm(NHSForm):
    kind = forms.ChoiceField(
        label="What is the document?",
        choices=DocumentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the document is"},
    )
    file = forms.FileField(
        label="Upload a file",
        allow_empty_file=True,
        error_messages={"required": "Select a file", "empty": "The selected file is empty", "invalid": "Select a file"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"{documents.ALLOWED_DESCRIPTION[0].upper()}{documents.ALLOWED_DESCRIPTION[1:]}, "
            f"smaller than {documents.human_size(documents.max_bytes())}"
        )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > documents.max_bytes():
            raise ValidationError(
                f"The selected file must be smaller than {documents.human_size(documents.max_bytes())}"
            )
        uploaded.seek(0)
        content = uploaded.read(documents.max_bytes() + 1)
        uploaded.seek(0)
        try:
            documents.check_file(uploaded.name or "", uploaded.size, content)
        except documents.DocumentRefused as refused:
            raise ValidationError(str(refused)) from None
        return uploaded


class ReferralFilterForm(NHSForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *[c for c in Status.choices if c[0] != Status.DRAFT]],
    )
    service = forms.ChoiceField(
        label="Service requested", required=False, choices=[("", "Any service"), *Service.choices]
    )
    organisation_kind = forms.ChoiceField(
        label="Referring organisation type", required=False, choices=[("", "Any type"), *OrganisationKind.choices]
    )
    overdue = forms.BooleanField(label="Only overdue referrals", required=False)
    sort = forms.ChoiceField(
        label="Sort by", required=False, choices=[(key, label) for key, (label, _) in SORTS.items()]
    )

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {"sort": DEFAULT_SORT}
        data = self.cleaned_data
        return {
            "status": data["status"],
            "service": data["service"],
            "organisation_kind": data["organisation_kind"],
            "overdue": data["overdue"],
            "sort": data["sort"] or DEFAULT_SORT,
        }
