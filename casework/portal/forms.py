"""The agency portal's question pages: one form per page, in the order the referrer meets them.

Each page form reads its answers from the draft (``initial_from``), says what to save
(``to_save``), and can be rebuilt from the draft as if it had just been submitted
(``from_draft``) so that "check your answers" can tell whether every page is complete and
still valid (a date that was in the future when it was typed may have passed since).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.db.models import Model
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from casework.core import identifiers
from casework.core.forms import NHSDateField, NHSForm
from casework.core.limits import limit
from casework.organisations.models import Organisation
from casework.portal import queries as portal_queries
from casework.referrals.choices import (
    REPORT_SERVICES,
    LegalStatus,
    Offence,
    Order,
    PartyRole,
    Service,
    Setting,
    Status,
    SubjectRole,
)
from casework.referrals.forms import DocumentUploadForm
from casework.referrals.models import NamedParty, Referral
from casework.referrals.services.triage import ANSWER_MAX_LENGTH

YES_NO = [("yes", "Yes"), ("no", "No")]
STALKER_WORK = frozenset({Service.STALKER_ASSESSMENT, Service.STALKER_TREATMENT})
VICTIM_WORK = frozenset({Service.VICTIM_ASSESSMENT, Service.VICTIM_TREATMENT})
MAX_PARTIES = 20


def _text(label: str, *, required_message: str = "", max_length: int, textarea: bool = False, **kwargs: Any):
    errors = {"max_length": f"{label} must be {max_length} characters or fewer"}
    if required_message:
        errors["required"] = required_message
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=bool(required_message),
        error_messages=errors,
        widget=forms.Textarea if textarea else None,
        **kwargs,
    )


class PartyForm(NHSForm):
    """One other person the referral names."""

    role = forms.ChoiceField(
        label="Their part in the case",
        choices=PartyRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their part in the case", "invalid_choice": "Select their part in the case"},
    )
    name = _text("Full name", required_message="Enter their full name", max_length=200)
    relationship_to_subject = _text(
        "Relationship to the person referred",
        max_length=200,
        help_text="For example, former partner, neighbour, colleague, or none (a stranger)",
    )
    details = _text(
        "Other details",
        max_length=limit(NamedParty, "details"),
        textarea=True,
        help_text="Their age, and address or contact details if you know them and it is safe to share them.",
    )

    @staticmethod
    def initial_from_party(party: dict[str, Any]) -> dict[str, Any]:
        return {k: party.get(k, "") for k in ("role", "name", "relationship_to_subject", "details")}


class PortalStepForm(NHSForm):
    """A question page of a draft referral."""

    slug: ClassVar[str] = ""

    def __init__(self, *args: Any, referral: Referral, user, **kwargs: Any) -> None:
        self.referral = referral
        self.user = user
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_from(cls, referral: Referral) -> dict[str, Any]:
        return {name: getattr(referral, name) for name in cls.base_fields}

    def to_save(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}

    @classmethod
    def from_draft(cls, referral: Referral, user) -> PortalStepForm:
        """The page as if the draft's saved answers had just been sent again."""
        unbound = cls(referral=referral, user=user)
        return cls(data=_as_data(unbound.fields, cls.initial_from(referral)), referral=referral, user=user)

    @property
    def requested_services(self) -> set[str]:
        return set(self.referral.services)


def _as_data(fields: dict[str, forms.Field], initial: dict[str, Any]) -> MultiValueDict:
    data: MultiValueDict[str, str] = MultiValueDict()
    for name, field in fields.items():
        value = initial.get(name)
        if isinstance(field, NHSDateField):
            for part, attr in (("day", "day"), ("month", "month"), ("year", "year")):
                data[f"{name}_{part}"] = str(getattr(value, attr)) if value else ""
        elif isinstance(field, forms.MultipleChoiceField):
            data.setlist(name, [str(v) for v in value or []])
        elif isinstance(value, Model):
            data[name] = str(value.pk)
        else:
            data[name] = "" if value is None else str(value)
    return data


# --- The pages -------------------------------------------------------------------------------


class ServicesForm(PortalStepForm):
    slug = "services"
    services = forms.MultipleChoiceField(
        label="What are you asking the clinic to do?",
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={
            "required": "Select at least one service you are asking for",
            "invalid_choice": "Select services from the list",
        },
    )

    @classmethod
    def initial_from(cls, referral: Referral) -> dict[str, Any]:
        return {"services": referral.services}

    def to_save(self) -> dict[str, Any]:
        return {"services": list(self.cleaned_data["services"])}


class SubjectForm(PortalStepForm):
    slug = "subject"
    subject_role = forms.ChoiceField(
        label="Is the person you are referring the person who stalks or the person stalked?",
        choices=SubjectRole.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you are referring the person who stalks or the person stalked",
            "invalid_choice": "Select whether you are referring the person who stalks or the person stalked",
        },
    )
    subject_given_name = _text("Given name", required_message="Enter their given name", max_length=100)
    subject_family_name = _text("Family name", required_message="Enter their family name", max_length=100)
    subject_date_of_birth = NHSDateField(
        label="Date of birth",
        past_only=True,
        required=False,
        help_text="For example, 15 3 1984. Leave this blank if you do not know it.",
    )
    subject_details = _text(
        "Other details about them",
        max_length=limit(Referral, "subject_details"),
        textarea=True,
        help_text="Other names they use, their address, NHS number or Police National Computer (PNC) ID, if you know them.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        role = cleaned.get("subject_role")
        services = self.requested_services
        if role == SubjectRole.VICTIM and services & STALKER_WORK:
            self.add_error(
                "subject_role",
                "You asked for assessment or treatment of the person who stalks, so select the person who stalks "
                "(or change the services you asked for)",
            )
        elif role == SubjectRole.PERPETRATOR and services & VICTIM_WORK:
            self.add_error(
                "subject_role",
                "You asked for assessment or treatment of the person stalked, so select the person stalked. "
                "Refer the person who stalks separately, so that each has their own record",
            )
        return cleaned


class BehaviourForm(PortalStepForm):
    slug = "behaviour"
    behaviour_summary = _text(
        "Describe the behaviour in outline",
        max_length=limit(Referral, "behaviour_summary"),
        textarea=True,
        required_message="Describe the stalking, harassment or threat behaviour",
        help_text="What has happened, who it is aimed at, how it started, and any threats or violence.",
    )
    behaviour_duration = _text(
        "How long has it been going on?",
        max_length=100,
        required_message="Enter how long the behaviour has been going on",
        help_text="For example, 8 months, or since March 2024",
    )
    stalking_significant = forms.ChoiceField(
        label="Is stalking, harassment or threat a significant part of the case?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if stalking, harassment or threat is a significant part of the case",
            "invalid_choice": "Select yes if stalking, harassment or threat is a significant part of the case",
        },
    )

    @classmethod
    def initial_from(cls, referral: Referral) -> dict[str, Any]:
        answers: dict[bool | None, str] = {True: "yes", False: "no"}
        significant = answers.get(referral.stalking_significant, "")
        return {
            "behaviour_summary": referral.behaviour_summary,
            "behaviour_duration": referral.behaviour_duration,
            "stalking_significant": significant,
        }

    def to_save(self) -> dict[str, Any]:
        saved = super().to_save()
        saved["stalking_significant"] = saved["stalking_significant"] == "yes"
        return saved


class LegalForm(PortalStepForm):
    slug = "legal"
    legal_status = forms.ChoiceField(
        label="What is their legal position?",
        choices=LegalStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their legal position", "invalid_choice": "Select their legal position"},
    )
    offences = forms.MultipleChoiceField(
        label="Offences",
        choices=Offence.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Offences they are charged with, convicted of or being investigated for. Select all that apply.",
        error_messages={"invalid_choice": "Select offences from the list"},
    )
    other_offences = _text(
        "Other offences", max_length=300, help_text="For example, criminal damage, malicious communications"
    )
    orders_in_force = forms.MultipleChoiceField(
        label="Orders in force",
        choices=Order.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply. Leave blank if there are none.",
        error_messages={"invalid_choice": "Select orders from the list"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        offences = cleaned.get("offences") or []
        if (
            cleaned.get("legal_status") in (LegalStatus.CHARGED, LegalStatus.CONVICTED)
            and not offences
            and "offences" not in self.errors
        ):
            self.add_error("offences", "Select the offences they are charged with or convicted of")
        if Offence.OTHER in offences and not cleaned.get("other_offences") and "other_offences" not in self.errors:
            self.add_error("other_offences", "Enter the other offences")
        return cleaned

    def to_save(self) -> dict[str, Any]:
        saved = super().to_save()
        saved["offences"] = list(saved["offences"])
        saved["orders_in_force"] = list(saved["orders_in_force"])
        if Offence.OTHER not in saved["offences"]:
            saved["other_offences"] = ""
        return saved


class SettingForm(PortalStepForm):
    slug = "setting"
    assessment_setting = forms.ChoiceField(
        label="Where would an assessment happen?",
        choices=Setting.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select where an assessment would happen",
            "invalid_choice": "Select where an assessment would happen",
        },
    )
    custody_establishment = _text("Prison or establishment", max_length=150)
    prison_number = _text("Prison number", max_length=20, help_text="For example, A1234BC")
    facility_name = _text("Name of the mental health facility", max_length=150)

    def clean_prison_number(self) -> str:
        return identifiers.normalise_prison_number(self.cleaned_data.get("prison_number"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        setting = cleaned.get("assessment_setting")
        if setting == Setting.CUSTODY:
            if not cleaned.get("custody_establishment") and "custody_establishment" not in self.errors:
                self.add_error("custody_establishment", "Enter the name of the prison or establishment")
            number = cleaned.get("prison_number")
            if "prison_number" not in self.errors:
                if not number:
                    self.add_error("prison_number", "Enter their prison number")
                elif not identifiers.is_nomis_prison_number(number):
                    self.add_error("prison_number", identifiers.PRISON_NUMBER_FORMAT_MESSAGE)
        elif setting == Setting.MENTAL_HEALTH_FACILITY:
            if not cleaned.get("facility_name") and "facility_name" not in self.errors:
                self.add_error("facility_name", "Enter the name of the mental health facility")
        return cleaned

    def to_save(self) -> dict[str, Any]:
        saved = super().to_save()
        # Keep only the details that go with the answer given.
        if saved["assessment_setting"] != Setting.CUSTODY:
            saved["custody_establishment"] = saved["prison_number"] = ""
        if saved["assessment_setting"] != Setting.MENTAL_HEALTH_FACILITY:
            saved["facility_name"] = ""
        return saved


class DatesForm(PortalStepForm):
    slug = "dates"
    next_hearing_on = NHSDateField(
        label="Next court hearing",
        future_only=True,
        required=False,
        help_text="If there is one. For example, 27 11 2026",
    )
    report_due_on = NHSDateField(label="Report needed by", future_only=True, required=False)
    parole_hearing_on = NHSDateField(
        label="Parole hearing",
        future_only=True,
        required=False,
        help_text="If there is one.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.reports_requested:
            self.fields["report_due_on"].help_text = "You asked for a report. For example, 27 11 2026"
        else:
            self.fields["report_due_on"].help_text = "Only if you asked for a report."

    @property
    def reports_requested(self) -> bool:
        return bool(self.requested_services & REPORT_SERVICES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        due = cleaned.get("report_due_on")
        hearing = cleaned.get("next_hearing_on")
        if "report_due_on" not in self.errors:
            if self.reports_requested and not due:
                self.add_error("report_due_on", "Enter the date the report is needed by")
            elif (
                due
                and hearing
                and due > hearing
                and self.requested_services & {Service.REPORT_SENTENCING, Service.REPORT_BAIL}
            ):
                self.add_error(
                    "report_due_on", "The date the report is needed by must be on or before the next court hearing"
                )
        return cleaned


class FundingForm(PortalStepForm):
    slug = "funding"
    commissioner: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label="Commissioning organisation",
        queryset=None,
        empty_label="Select an organisation",
        help_text="The organisation that will pay for the work.",
        error_messages={
            "required": "Select the organisation that will pay for the work",
            "invalid_choice": "Select an organisation from the list",
        },
    )
    purchase_order = _text("Purchase order number", max_length=50, help_text="If you have one.")
    contract_reference = _text(
        "Contract reference",
        max_length=50,
        help_text="If your organisation has a contract with the clinic.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        commissioner = self.fields["commissioner"]
        assert isinstance(commissioner, forms.ModelChoiceField)
        commissioner.queryset = portal_queries.commissioning_organisations(
            self.user, current=self.referral.commissioner
        )


class ContactForm(PortalStepForm):
    slug = "contact"
    referrer_name = _text("Full name", required_message="Enter your full name", max_length=150)
    referrer_job_title = _text("Job title", required_message="Enter your job title", max_length=150)
    referrer_email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    referrer_phone = _text(
        "Telephone number",
        required_message="Enter a telephone number",
        max_length=30,
        help_text="For international numbers include the country code.",
    )

    def clean_referrer_phone(self) -> str:
        # Checked by libphonenumber; kept in the form people read (UK numbers in national form).
        return identifiers.format_phone(identifiers.clean_phone(self.cleaned_data.get("referrer_phone")))


class ReferralFilterForm(NHSForm):
    """The status filter on "Your referrals"."""

    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *[(s.value, s.label) for s in Status if s != Status.DRAFT]],
        error_messages={"invalid_choice": "Select a status from the list"},
    )


# --- The order of the pages ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type[PortalStepForm] | None  # None: the page of other people named
    unanswered: str  # what check answers says while the page has not been answered

    @property
    def template(self) -> str:
        return f"portal/step_{self.slug}.jinja"


PARTIES = "parties"
CHECK = "check"
STEPS: list[Step] = [
    Step("services", "Services asked for", ServicesForm, "Say which services you are asking for"),
    Step("subject", "The person referred", SubjectForm, "Tell us about the person you are referring"),
    Step(PARTIES, "Other people involved", None, "Tell us who else is involved, or continue without adding anyone"),
    Step("behaviour", "The behaviour", BehaviourForm, "Describe the behaviour"),
    Step("legal", "Legal position", LegalForm, "Tell us their legal position"),
    Step("setting", "Where an assessment would happen", SettingForm, "Say where an assessment would happen"),
    Step("dates", "Key dates", DatesForm, "Give the key dates, or say there are none"),
    Step("funding", "Funding", FundingForm, "Say who will pay for the work"),
    Step("contact", "Your contact details", ContactForm, "Check your contact details"),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}
FIRST = STEPS[0].slug


def position(slug: str) -> int:
    """Where a page comes in the journey; check answers comes after every question page."""
    if slug == CHECK:
        return len(STEPS)
    return next((i for i, step in enumerate(STEPS) if step.slug == slug), 0)


def next_slug(slug: str) -> str:
    index = position(slug)
    return STEPS[index + 1].slug if index + 1 < len(STEPS) else CHECK


def previous_slug(slug: str) -> str | None:
    index = position(slug)
    return STEPS[index - 1].slug if index > 0 else None


def furthest(*slugs: str) -> str:
    return max((s for s in slugs if s), key=position, default=FIRST)


def resume_at(referral: Referral) -> str:
    """The page a draft reopens at: the first one not yet answered (or check answers)."""
    return referral.portal_step if referral.portal_step in STEP_BY_SLUG or referral.portal_step == CHECK else FIRST


def reached(referral: Referral, slug: str) -> bool:
    return position(resume_at(referral)) > position(slug)


@dataclass
class StepProblem:
    step: Step
    messages: list[str]


def problems_with(referral: Referral, user) -> list[StepProblem]:
    """What stops the draft being sent, page by page: pages not answered yet, and answers that
    are no longer valid."""
    problems = []
    for step in STEPS:
        if not reached(referral, step.slug):
            problems.append(StepProblem(step, [step.unanswered]))
            continue
        if step.form_class is None:
            continue
        form = step.form_class.from_draft(referral, user)
        if not form.is_valid():
            problems.append(StepProblem(step, [item["text"] for item in form.error_summary()]))
    return problems


def step_url(referral: Referral, slug: str, *, returning: bool = False) -> str:
    if slug == CHECK:
        return reverse("portal:check", kwargs={"draft_id": referral.pk})
    if slug == PARTIES:
        url = reverse("portal:parties", kwargs={"draft_id": referral.pk})
    else:
        url = reverse("portal:step", kwargs={"draft_id": referral.pk, "step": slug})
    return f"{url}?return=check" if returning else url


class AnswerRequestForm(DocumentUploadForm):
    """The agency's answer to the clinic's request for more information, with a document if it
    has one (checked as any upload is: ``referrals.forms.DocumentUploadForm``)."""

    answer = _text(
        "Your answer",
        required_message="Enter your answer to the clinic's request",
        max_length=ANSWER_MAX_LENGTH,
        textarea=True,
        help_text="Give the information the clinic asked for. Do not include anything the clinic has not asked for.",
    )

    field_order = ("answer", "kind", "file")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False
        self.fields["kind"].label = "If you are sending a document, what is it?"
        self.fields["file"].required = False
        self.fields["file"].label = "Upload a document (optional)"

    def clean_file(self):
        if not self.cleaned_data.get("file"):
            return None
        return super().clean_file()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("file") and not cleaned.get("kind") and "kind" not in self.errors:
            self.add_error("kind", "Select what the document is")
        return cleaned
