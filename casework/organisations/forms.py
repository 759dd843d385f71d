from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from casework.accounts.forms import phone_validator
from casework.core.forms import NHSForm
from casework.organisations.models import Organisation, OrganisationKind
from casework.organisations.queries import name_in_use, ods_code_in_use

ODS_CODE_MESSAGE = "Enter an ODS code of 1 to 9 letters and numbers, like RRP or Y9N01"
ods_code_validator = RegexValidator(r"^[A-Z0-9]{1,9}$", ODS_CODE_MESSAGE)
POSTCODE_MESSAGE = "Enter a full UK postcode, like LS1 4AP"
postcode_validator = RegexValidator(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", POSTCODE_MESSAGE)


def _too_long(label: str, limit: int) -> dict[str, str]:
    return {"max_length": f"{label} must be {limit} characters or fewer"}


class OrganisationForm(NHSForm):
    """A referring or commissioning agency. ``organisation`` is the one being edited (None when
    creating); ODS codes and the name within a kind must be unique."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={"required": "Enter the organisation's name", **_too_long("Name", 200)},
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of organisation",
            "invalid_choice": "Select a kind of organisation from the list",
        },
    )
    ods_code = forms.CharField(
        label="ODS code",
        required=False,
        max_length=20,
        help_text="The organisation's code in the NHS Organisation Data Service, if it has one",
        error_messages=_too_long("ODS code", 20),
    )
    address = forms.CharField(
        label="Address",
        required=False,
        max_length=1000,
        widget=forms.Textarea,
        error_messages=_too_long("Address", 1000),
    )
    postcode = forms.CharField(
        label="Postcode", required=False, max_length=10, error_messages=_too_long("Postcode", 10)
    )
    phone = forms.CharField(
        label="Telephone number",
        required=False,
        max_length=30,
        validators=[phone_validator],
        error_messages=_too_long("Telephone number", 30),
    )
    email = forms.EmailField(
        label="Email address for referrals",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like referrals@example.org",
            **_too_long("Email address for referrals", 254),
        },
    )

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs) -> None:
        self.organisation = organisation
        if organisation is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(organisation, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_ods_code(self) -> str:
        code = "".join(self.cleaned_data["ods_code"].split()).upper()
        if not code:
            return ""
        ods_code_validator(code)
        if ods_code_in_use(code, exclude=self.organisation):
            raise forms.ValidationError("Another organisation already has this ODS code")
        return code

    def clean_postcode(self) -> str:
        postcode = " ".join(self.cleaned_data["postcode"].upper().split())
        if not postcode:
            return ""
        compact = postcode.replace(" ", "")
        postcode_validator(compact)
        return f"{compact[:-3]} {compact[-3:]}"

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean_phone(self) -> str:
        return " ".join(self.cleaned_data["phone"].split())

    def clean(self):
        cleaned = super().clean()
        name, kind = cleaned.get("name"), cleaned.get("kind")
        if name and kind and name_in_use(name, kind, exclude=self.organisation):
            self.add_error("name", f"There is already a {OrganisationKind(kind).label.lower()} with this name")
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class OrganisationFilterForm(NHSForm):
    STATUS_CHOICES = [("", "Active and deactivated"), ("active", "Active"), ("inactive", "Deactivated")]

    q = forms.CharField(
        label="Name or ODS code", required=False, max_length=100, error_messages=_too_long("Name or ODS code", 100)
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All kinds"), *OrganisationKind.choices],
        error_messages={"invalid_choice": "Select a kind of organisation from the list"},
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=STATUS_CHOICES,
        error_messages={"invalid_choice": "Select a status from the list"},
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"kind": data.get("kind") or "", "status": data.get("status") or "", "search": data.get("q") or ""}
