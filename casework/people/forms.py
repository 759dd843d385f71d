"""Forms for the person index, in the NHS error-message style. Identifiers are checked with the
validators in ``identifiers.py``; the services check them again."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.core import identifiers
from casework.core.forms import NHSDateField, NHSForm, field_of
from casework.core.limits import limit
from casework.people.models import (
    AddressKind,
    CareTeamRole,
    NameKind,
    OnlineIdentifier,
    Person,
    PersonAddress,
    PersonEmail,
    PersonMerge,
    PersonPhone,
    PhoneKind,
    Platform,
    Sex,
)


def _too_long(label: str, limit: int) -> dict[str, str]:
    return {"max_length": f"{label} must be {limit} characters or fewer"}


def _text(label: str, limit: int, *, required: bool = False, required_message: str = "", **kwargs) -> forms.CharField:
    messages = _too_long(label, limit)
    if required:
        messages["required"] = required_message or f"Enter {label.lower()}"
    return forms.CharField(label=label, required=required, max_length=limit, error_messages=messages, **kwargs)


YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]


def _tristate(value: bool | None) -> str:
    answers: dict[bool | None, str] = {True: "yes", False: "no"}
    return answers.get(value, "unknown")


def _from_tristate(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ServiceFieldsMixin:
    """``service_fields()``: the cleaned values, keyed as the service takes them."""

    # The form's own, as the form the mixin is combined with has them.
    cleaned_data: dict[str, Any]
    fields: dict[str, forms.Field]

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class PersonForm(ServiceFieldsMixin, NHSForm):
    """Names, demographics and identifiers. ``include_workplace`` is False for someone who may
    not see a sealed person's details (the field is then left out, not shown empty);
    ``include_seal`` adds the "seal this record" box (when adding a person)."""

    given_name = _text("Given name", 100, required=True, required_message="Enter the given name")
    middle_names = _text("Middle names", 150)
    family_name = _text("Family name", 100, required=True, required_message="Enter the family name")
    preferred_name = _text("Preferred name", 100, help_text="The name they like to be called, if different")
    date_of_birth = NHSDateField(
        label="Date of birth", required=False, past_only=True, help_text="For example, 27 3 1985"
    )
    sex = forms.ChoiceField(
        label="Sex",
        required=False,
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select sex from the list"},
    )
    gender = _text("Gender identity", 100, help_text="In the person's own words, if they have told us")
    nhs_number = _text("NHS number", limit(Person, "nhs_number"), help_text="10 digits, for example 943 476 5919")
    pnc_id = _text("PNC ID", limit(Person, "pnc_id"), help_text="Police National Computer ID, for example 01/0171310W")
    prison_number = _text("Prison number", limit(Person, "prison_number"), help_text="For example, A1234BC")
    workplace = _text(
        "Workplace",
        limit(Person, "workplace"),
        widget=forms.Textarea,
        help_text="Employer and where they work. Withheld from anyone outside the care team if the record is sealed",
    )
    is_sealed = forms.BooleanField(
        label="Seal this record: only the care team will see the address, contact details, online identifiers and workplace",
        required=False,
        help_text="Seal the record of anyone who is stalked, or whose details the person who stalks must not learn",
    )

    def __init__(
        self, *args, include_workplace: bool = True, include_seal: bool = False, person=None, **kwargs
    ) -> None:
        if person is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "given_name": person.given_name,
                "middle_names": person.middle_names,
                "family_name": person.family_name,
                "preferred_name": person.preferred_name,
                "date_of_birth": person.date_of_birth,
                "sex": person.sex,
                "gender": person.gender,
                "nhs_number": identifiers.format_nhs_number(person.nhs_number),
                "pnc_id": person.pnc_id,
                "prison_number": person.prison_number,
            }
            if include_workplace:
                kwargs["initial"]["workplace"] = person.workplace
        super().__init__(*args, **kwargs)
        if not include_workplace:
            del self.fields["workplace"]
        if not include_seal:
            del self.fields["is_sealed"]
        self.warnings: list[str] = []

    def clean_given_name(self) -> str:
        return " ".join(self.cleaned_data["given_name"].split())

    def clean_family_name(self) -> str:
        return " ".join(self.cleaned_data["family_name"].split())

    def clean_nhs_number(self) -> str:
        return identifiers.clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean_pnc_id(self) -> str:
        parsed = identifiers.clean_pnc_id(self.cleaned_data["pnc_id"])
        if parsed is None:
            return ""
        if parsed.warning:
            self.warnings.append(parsed.warning)
        return parsed.canonical

    def clean_prison_number(self) -> str:
        parsed = identifiers.clean_prison_number(self.cleaned_data["prison_number"])
        if parsed is None:
            return ""
        if parsed.warning:
            self.warnings.append(parsed.warning)
        return parsed.value


class NameForm(ServiceFieldsMixin, NHSForm):
    kind = forms.ChoiceField(
        label="Kind of name",
        choices=NameKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether this is a previous name or an alias",
            "invalid_choice": "Select a kind of name from the list",
        },
    )
    given_name = _text("Given name", 100)
    family_name = _text("Family name", 100)
    used_from = NHSDateField(
        label="Used from", required=False, past_only=True, help_text="If known. For example, 1 6 2010"
    )
    used_to = NHSDateField(label="Used until", required=False, help_text="Leave blank if still in use")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("given_name") and not cleaned.get("family_name") and "given_name" not in self.errors:
            self.add_error("given_name", "Enter a given name or a family name")
        start, end = cleaned.get("used_from"), cleaned.get("used_to")
        if start and end and end < start:
            self.add_error("used_to", "Used until must be the same as or after used from")
        return cleaned


class AddressForm(ServiceFieldsMixin, NHSForm):
    kind = forms.ChoiceField(
        label="Kind of address",
        choices=AddressKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of address",
            "invalid_choice": "Select a kind of address from the list",
        },
    )
    address = _text(
        "Address",
        limit(PersonAddress, "address"),
        required=True,
        widget=forms.Textarea,
        required_message="Enter the address",
    )
    postcode = _text(
        "Postcode", limit(PersonAddress, "postcode"), help_text="Leave blank for an address outside the UK"
    )
    lived_from = NHSDateField(
        label="Lived there from", required=False, past_only=True, help_text="If known. For example, 1 6 2020"
    )
    lived_to = NHSDateField(label="Lived there until", required=False, help_text="Leave blank for a current address")

    def clean_postcode(self) -> str:
        return identifiers.clean_postcode(self.cleaned_data["postcode"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("lived_from"), cleaned.get("lived_to")
        if start and end and end < start:
            self.add_error("lived_to", "Lived there until must be the same as or after lived there from")
        return cleaned


class PhoneForm(ServiceFieldsMixin, NHSForm):
    kind = forms.ChoiceField(
        label="Kind of number",
        choices=PhoneKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of number",
            "invalid_choice": "Select a kind of number from the list",
        },
    )
    number = _text(
        "Telephone number", limit(PersonPhone, "number"), required=True, required_message="Enter a telephone number"
    )
    safe_to_contact = forms.ChoiceField(
        label="Is it safe to contact them on this number?",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes, no or not known", "invalid_choice": "Select yes, no or not known"},
    )
    notes = _text("Safe times to call and other notes", limit(PersonPhone, "notes"), widget=forms.Textarea)

    def __init__(self, *args, detail=None, **kwargs) -> None:
        if detail is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": detail.kind,
                "number": detail.display,
                "safe_to_contact": _tristate(detail.safe_to_contact),
                "notes": detail.notes,
            }
        super().__init__(*args, **kwargs)

    def clean_number(self) -> str:
        return identifiers.clean_phone(self.cleaned_data["number"])

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        fields["safe_to_contact"] = _from_tristate(fields["safe_to_contact"])
        return fields


class EmailForm(ServiceFieldsMixin, NHSForm):
    address = _text(
        "Email address", limit(PersonEmail, "address"), required=True, required_message="Enter an email address"
    )
    safe_to_contact = forms.ChoiceField(
        label="Is it safe to contact them at this address?",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes, no or not known", "invalid_choice": "Select yes, no or not known"},
    )

    def __init__(self, *args, detail=None, **kwargs) -> None:
        if detail is not None and "initial" not in kwargs:
            kwargs["initial"] = {"address": detail.address, "safe_to_contact": _tristate(detail.safe_to_contact)}
        super().__init__(*args, **kwargs)

    def clean_address(self) -> str:
        return identifiers.clean_email(self.cleaned_data["address"])

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        fields["safe_to_contact"] = _from_tristate(fields["safe_to_contact"])
        return fields


class OnlineIdentifierForm(ServiceFieldsMixin, NHSForm):
    platform = forms.ChoiceField(
        label="Website, app or game",
        choices=[("", "Select one"), *Platform.choices],
        error_messages={
            "required": "Select the website, app or game",
            "invalid_choice": "Select a website, app or game from the list",
        },
    )
    handle = _text(
        "Username, handle or ID",
        limit(OnlineIdentifier, "handle"),
        required=True,
        required_message="Enter the username, handle or ID",
        help_text="As it appears on the site, for example @jo.example",
    )

    def clean_handle(self) -> str:
        return identifiers.clean_handle(self.cleaned_data["handle"])


def detail_initial(detail, fields) -> dict[str, Any]:
    return {name: getattr(detail, name) for name in fields}


class CareTeamForm(NHSForm):
    user = forms.TypedChoiceField(
        label="Member of staff",
        coerce=int,
        error_messages={
            "required": "Select a member of staff",
            "invalid_choice": "Select a member of staff from the list",
        },
    )
    role = forms.ChoiceField(
        label="Role on the team",
        choices=CareTeamRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role on the team", "invalid_choice": "Select a role from the list"},
    )

    def __init__(self, *args, staff=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "user", forms.ChoiceField).choices = [("", "Select a member of staff")] + [
            (u.pk, f"{u.full_name} ({u.role_label})") for u in staff
        ]


class ReasonForm(NHSForm):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter a reason", **_too_long("Reason", 2000)},
    )

    def __init__(
        self, *args, label: str = "Reason", required_message: str = "Enter a reason", required: bool = True, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].required = required
        self.fields["reason"].error_messages["required"] = required_message


class MergeForm(NHSForm):
    other = forms.CharField(
        label="Reference of the record to merge into this one",
        max_length=20,
        help_text="For example, PER-2026-00042. That record's details move to this one and it is hidden",
        error_messages={"required": "Enter the reference of the other record", **_too_long("Reference", 20)},
    )
    reason = forms.CharField(
        label="Why are they the same person?",
        widget=forms.Textarea,
        max_length=limit(PersonMerge, "reason"),
        error_messages={
            "required": "Enter why these records are the same person",
            **_too_long("Reason", limit(PersonMerge, "reason")),
        },
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_other(self) -> str:
        return self.cleaned_data["other"].strip().upper()


class LinkForm(NHSForm):
    person = forms.CharField(max_length=20, error_messages={"required": "Select a person"})


class PersonSearchForm(NHSForm):
    q = forms.CharField(
        label="Name, NHS number, PNC ID, referral reference, phone or email",
        required=False,
        max_length=100,
        error_messages=_too_long("Search", 100),
    )


class ReferralPersonForm(PersonForm):
    """A new person from what a referral says, with the contact details the referrer gave."""

    address = _text(
        "Address",
        limit(PersonAddress, "address"),
        widget=forms.Textarea,
        help_text="As the referrer gave it. Leave blank if there is none",
    )
    postcode = _text("Postcode", 10)
    phone = _text("Telephone number", 30)
    email = _text("Email address", 254)

    def clean_postcode(self) -> str:
        return identifiers.clean_postcode(self.cleaned_data["postcode"])

    def clean_phone(self) -> str:
        return identifiers.clean_phone(self.cleaned_data["phone"])

    def clean_email(self) -> str:
        return identifiers.clean_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("postcode") and not cleaned.get("address") and "address" not in self.errors:
            self.add_error("address", "Enter the address for this postcode, or remove the postcode")
        return cleaned

    CONTACT_FIELDS = ("address", "postcode", "phone", "email")

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        fields["contact"] = {name: fields.pop(name) for name in self.CONTACT_FIELDS}
        return fields


class OptOutForm(NHSForm):
    """Record whether the person has opted out under the National Data Opt-out."""

    opted_out = forms.ChoiceField(
        label="Has this person opted out under the National Data Opt-out?",
        choices=[("yes", "Yes, they have opted out"), ("no", "No, they have not opted out")],
        widget=forms.RadioSelect,
        help_text="Record what the person or the national opt-out check told you. People who have opted out are "
        "left out of every research extract",
        error_messages={
            "required": "Select whether this person has opted out",
            "invalid_choice": "Select whether this person has opted out",
        },
    )

    def __init__(self, *args, person=None, **kwargs) -> None:
        if person is not None:
            kwargs.setdefault("initial", {"opted_out": "yes" if person.national_data_opt_out else "no"})
        super().__init__(*args, **kwargs)
