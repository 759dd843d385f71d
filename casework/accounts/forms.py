from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.validators import RegexValidator

from casework.accounts.models import User
from casework.accounts.queries import email_in_use, organisation_choices
from casework.core.forms import NHSDateField, NHSForm, field_of
from casework.core.roles import Instrument, Profession, Role


class SignInForm(NHSForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
    )
    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput,
        strip=False,
        max_length=200,
        error_messages={"required": "Enter your password"},
    )


class CodeForm(NHSForm):
    code = forms.CharField(
        label="Security code",
        max_length=20,
        error_messages={"required": "Enter the security code"},
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes",
    )


class EnrolmentCodeForm(NHSForm):
    code = forms.CharField(
        label="Enrolment code",
        max_length=30,
        error_messages={
            "required": "Enter your enrolment code",
            "max_length": "Enrolment code must be 30 characters or fewer",
        },
        help_text="12 letters and numbers, like ABCD-EFGH-JKMN",
    )


PHONE_PATTERN = r"^\+?[0-9 ()-]{6,30}$"
phone_validator = RegexValidator(
    PHONE_PATTERN, "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
)
CLINICAL_ROLES = {Role.CLINICIAN.value, Role.CLINICAL_LEAD.value}


def _too_long(label: str, limit: int) -> dict[str, str]:
    return {"max_length": f"{label} must be {limit} characters or fewer"}


class UserForm(NHSForm):
    """An account, as a system administrator creates or edits it.

    ``subject`` is the account being edited (None when creating). ``lock_role`` removes the role
    and organisation from the form: nobody edits their own role."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter the person's full name", **_too_long("Full name", 150)},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="They sign in with this address",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
            **_too_long("Email address", 254),
        },
    )
    role = forms.ChoiceField(
        choices=Role.choices(),
        widget=forms.RadioSelect,
        label="Role",
        error_messages={"required": "Select a role", "invalid_choice": "Select a role from the list"},
    )
    profession = forms.ChoiceField(
        choices=[("", "Not applicable"), *Profession.choices()],
        required=False,
        label="Profession",
        help_text="Clinicians and clinical leads only",
        error_messages={"invalid_choice": "Select a profession from the list"},
    )
    job_title = forms.CharField(
        label="Job title", max_length=150, required=False, error_messages=_too_long("Job title", 150)
    )
    phone = forms.CharField(
        label="Telephone number",
        max_length=30,
        required=False,
        validators=[phone_validator],
        error_messages=_too_long("Telephone number", 30),
    )
    # (Of organisations, an app above this one.)
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Organisation",
        help_text="Agency referrers only: the one organisation they refer for",
        empty_label="None",
        error_messages={"invalid_choice": "Select an organisation from the list"},
    )
    is_caldicott_guardian = forms.BooleanField(
        label="Caldicott guardian",
        required=False,
        help_text="Told of break-glass access when there is no other clinical lead to tell. Clinic staff only.",
    )

    def __init__(
        self, *args, organisations=None, subject: User | None = None, lock_role: bool = False, **kwargs
    ) -> None:
        self.subject = subject
        if subject is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "full_name": subject.full_name,
                "email": subject.email,
                "role": subject.role,
                "profession": subject.profession,
                "job_title": subject.job_title,
                "phone": subject.phone,
                "organisation": subject.organisation_id,
                "is_caldicott_guardian": subject.is_caldicott_guardian,
            }
        super().__init__(*args, **kwargs)
        field_of(self, "organisation", forms.ModelChoiceField).queryset = (
            organisations if organisations is not None else organisation_choices(None)
        )
        self.role_locked = lock_role
        if lock_role:
            # Nobody changes their own role, nor names themselves the Caldicott guardian.
            del self.fields["role"]
            del self.fields["organisation"]
            del self.fields["is_caldicott_guardian"]

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email and email_in_use(email, exclude=self.subject):
            raise forms.ValidationError("A user with this email address already exists")
        return email

    def clean_phone(self) -> str:
        return " ".join(self.cleaned_data["phone"].split())

    def clean(self):
        cleaned = super().clean()
        role: str | None
        if self.role_locked:
            assert self.subject is not None  # the role is locked only on an existing account
            role = self.subject.role
        else:
            role = cleaned.get("role")
        organisation = cleaned.get("organisation")
        profession = cleaned.get("profession")
        if not self.role_locked and role:
            if role == Role.AGENCY_REFERRER and not organisation and "organisation" not in self.errors:
                self.add_error("organisation", "Select the organisation this agency referrer works for")
            if role != Role.AGENCY_REFERRER and organisation:
                self.add_error("organisation", "Only agency referrers belong to an organisation; choose None")
        if role in CLINICAL_ROLES and not profession and "profession" not in self.errors:
            self.add_error("profession", "Select the profession of this clinician")
        if role and role not in CLINICAL_ROLES and profession:
            self.add_error("profession", "Only clinicians and clinical leads have a profession; choose Not applicable")
        if role == Role.AGENCY_REFERRER and cleaned.get("is_caldicott_guardian"):
            self.add_error("is_caldicott_guardian", "The Caldicott guardian must be a member of clinic staff")
        return cleaned

    def service_fields(self) -> dict:
        """The cleaned values, named as the accounts services take them."""
        names = ["full_name", "email", "profession", "job_title", "phone"]
        if not self.role_locked:
            names += ["role", "organisation", "is_caldicott_guardian"]
        return {name: self.cleaned_data[name] for name in names}


class UserFilterForm(NHSForm):
    """The filters above a list of users. Every field is optional.

    ``staff_only`` is the staff list: clinic roles only, no organisation, active staff unless
    asked otherwise."""

    STATUS_CHOICES = [("", "Active and disabled"), ("active", "Active"), ("disabled", "Disabled")]
    STAFF_STATUS_CHOICES = [("active", "Active"), ("disabled", "Disabled"), ("all", "Active and disabled")]

    q = forms.CharField(
        label="Name or email address",
        required=False,
        max_length=100,
        error_messages=_too_long("Name or email address", 100),
    )
    role = forms.ChoiceField(
        choices=[("", "All roles"), *Role.choices()],
        required=False,
        label="Role",
        error_messages={"invalid_choice": "Select a role from the list"},
    )
    # (Of organisations, an app above this one.)
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Organisation",
        empty_label="All organisations",
        error_messages={"invalid_choice": "Select an organisation from the list"},
    )
    status = forms.ChoiceField(
        choices=STATUS_CHOICES,
        required=False,
        label="Status",
        error_messages={"invalid_choice": "Select a status from the list"},
    )

    def __init__(self, *args, organisations=None, staff_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.staff_only = staff_only
        if staff_only:
            field_of(self, "role", forms.ChoiceField).choices = [
                ("", "All roles"),
                *[(r.value, r.label) for r in Role if r.is_staff_role],
            ]
            field_of(self, "status", forms.ChoiceField).choices = self.STAFF_STATUS_CHOICES
            del self.fields["organisation"]
        else:
            field_of(self, "organisation", forms.ModelChoiceField).queryset = (
                organisations if organisations is not None else organisation_choices(None)
            )

    def filters(self) -> dict:
        """Filter values for accounts.queries.users_filtered. A refused form filters nothing
        beyond the list's default."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        status = data.get("status") or ""
        if self.staff_only:
            status = {"": "active", "all": ""}.get(status, status)
        return {
            "role": data.get("role") or "",
            "organisation": data.get("organisation"),
            "status": status,
            "search": data.get("q") or "",
        }


class ConfirmForm(NHSForm):
    """A POST with nothing to fill in: the confirmation pages' button."""


class TrainingRecordForm(NHSForm):
    instrument = forms.ChoiceField(
        choices=Instrument.choices(),
        widget=forms.RadioSelect,
        label="Instrument",
        error_messages={"required": "Select the instrument", "invalid_choice": "Select an instrument from the list"},
    )
    trained_on = NHSDateField(label="Date trained", past_only=True, help_text="For example, 27 3 2025")
    expires_on = NHSDateField(
        label="Training expires",
        required=False,
        help_text="Leave blank if the training does not expire. For example, 31 3 2028",
    )
    provider = forms.CharField(
        label="Training provider", required=False, max_length=200, error_messages=_too_long("Training provider", 200)
    )

    def clean(self):
        cleaned = super().clean()
        trained, expires = cleaned.get("trained_on"), cleaned.get("expires_on")
        if trained and expires and expires <= trained:
            self.add_error("expires_on", "Training expires must be after the date trained")
        return cleaned


class SetPasswordForm(NHSForm):
    password = forms.CharField(
        label="New password",
        widget=forms.PasswordInput,
        strip=False,
        max_length=200,
        help_text="At least 12 characters. Avoid common words and your name.",
        error_messages={"required": "Enter a new password", **_too_long("New password", 200)},
    )
    password_again = forms.CharField(
        label="Confirm new password",
        widget=forms.PasswordInput,
        strip=False,
        max_length=200,
        error_messages={"required": "Enter the new password again", **_too_long("Confirm new password", 200)},
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password, self.user)
        return password

    def clean(self):
        cleaned = super().clean()
        password, again = cleaned.get("password"), cleaned.get("password_again")
        if password and again is not None and password != again:
            self.add_error("password_again", "The passwords do not match. Enter the same new password twice")
        return cleaned
