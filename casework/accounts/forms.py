from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password

from casework.accounts.models import TrainingRecord, User
from casework.accounts.roles import Instrument, Profession, Role
from casework.core.forms import NHSDateField, NHSForm, NHSModelForm
from casework.organisations.models import Organisation


class SignInForm(NHSForm):
    email = forms.EmailField(label="Email address", max_length=254,
                             error_messages={"required": "Enter your email address",
                                             "invalid": "Enter an email address in the correct format, like name@example.nhs.uk"})
    password = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False, max_length=200,
                               error_messages={"required": "Enter your password"})


class CodeForm(NHSForm):
    code = forms.CharField(
        label="Security code", max_length=20,
        error_messages={"required": "Enter the security code"},
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes",
    )


class UserForm(NHSModelForm):
    role = forms.ChoiceField(choices=Role.choices(), widget=forms.RadioSelect, label="Role",
                             error_messages={"required": "Select a role"})
    profession = forms.ChoiceField(choices=[("", "Not applicable"), *Profession.choices()], required=False,
                                   label="Profession")
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, label="Organisation",
        help_text="Agency referrers only: the organisation they refer for",
        empty_label="None",
    )

    class Meta:
        model = User
        fields = ["full_name", "email", "role", "profession", "job_title", "phone", "organisation"]
        labels = {"full_name": "Full name", "email": "Email address", "job_title": "Job title",
                  "phone": "Telephone number"}
        error_messages = {
            "full_name": {"required": "Enter the person's full name"},
            "email": {"required": "Enter an email address",
                      "unique": "A user with this email address already exists",
                      "invalid": "Enter an email address in the correct format, like name@example.nhs.uk"},
        }

    def __init__(self, *args, organisations=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations if organisations is not None else Organisation.objects.none()

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        organisation = cleaned.get("organisation")
        if role == Role.AGENCY_REFERRER and not organisation:
            self.add_error("organisation", "Select the organisation this agency referrer works for")
        if role and role != Role.AGENCY_REFERRER and organisation:
            self.add_error("organisation", "Only agency referrers belong to an organisation; choose None")
        return cleaned

    def _post_clean(self) -> None:
        # The model's own clean repeats the organisation rule; keep one message per field.
        try:
            super()._post_clean()
        finally:
            if "organisation" in self.errors and len(self.errors["organisation"]) > 1:
                self.errors["organisation"] = self.errors["organisation"][:1]


class TrainingRecordForm(NHSForm):
    instrument = forms.ChoiceField(choices=Instrument.choices(), widget=forms.RadioSelect, label="Instrument",
                                   error_messages={"required": "Select the instrument"})
    trained_on = NHSDateField(label="Date trained", past_only=True)
    expires_on = NHSDateField(label="Training expires", required=False,
                              help_text="Leave blank if the training does not expire. For example, 31 3 2028")
    provider = forms.CharField(label="Training provider", required=False, max_length=200)

    def clean(self):
        cleaned = super().clean()
        trained, expires = cleaned.get("trained_on"), cleaned.get("expires_on")
        if trained and expires and expires <= trained:
            self.add_error("expires_on", "Training expires must be after the date trained")
        return cleaned


class SetPasswordForm(NHSForm):
    password = forms.CharField(label="New password", widget=forms.PasswordInput, strip=False,
                               help_text="At least 12 characters. Avoid common words and your name.",
                               error_messages={"required": "Enter a new password"})

    def __init__(self, *args, user: User, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password, self.user)
        return password
