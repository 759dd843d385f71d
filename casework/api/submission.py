"""Sending a referral through the API, by the portal's own route: the same question-page forms
validate the answers (``casework.portal.forms``), the same services save the draft page by page and
send it (``casework.portal.services``), with the same audit events. The only difference is the
channel: the referral is received via the API.

The request body is flat: every question page's fields at the top level (``services``,
``subject_given_name``, ``next_hearing_on`` …) and ``parties``, a list of the other people named.
Dates are ISO 8601 (``2026-12-31``). Anything refused is answered field by field, nothing saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django import forms as django_forms
from django.db import transaction
from django.db.models import Model
from django.utils.datastructures import MultiValueDict
from rest_framework import serializers

from casework.api.problems import InvalidInput
from casework.core.forms import NHSDateField
from casework.portal import forms as portal_forms
from casework.portal import services as portal_services
from casework.portal.forms import PARTIES, STEPS, PartyForm
from casework.referrals.choices import Channel
from casework.referrals.models import Referral
from casework.referrals.services.intake import draft_start

# --- The request body's schema, made from the portal's own forms --------------------------------


def _serializer_field(field: django_forms.Field) -> serializers.Field:
    help_text = str(field.help_text or field.label or "")
    if isinstance(field, NHSDateField):
        return serializers.DateField(required=False, allow_null=True, help_text=help_text)
    if isinstance(field, django_forms.ModelChoiceField):
        return serializers.IntegerField(required=False, allow_null=True, min_value=1, help_text=help_text)
    if isinstance(field, django_forms.MultipleChoiceField):
        choices = _values(field)
        return serializers.ListField(
            child=serializers.ChoiceField(choices=choices), required=False, max_length=50, help_text=help_text
        )
    if isinstance(field, django_forms.ChoiceField):
        choices = _values(field)
        return serializers.ChoiceField(choices=choices, required=False, allow_blank=True, help_text=help_text)
    if isinstance(field, django_forms.EmailField):
        return serializers.EmailField(required=False, allow_blank=True, max_length=254, help_text=help_text)
    max_length = getattr(field, "max_length", None)
    return serializers.CharField(
        required=False, allow_blank=True, max_length=max_length, trim_whitespace=False, help_text=help_text
    )


def _values(field: django_forms.ChoiceField) -> list[Any]:
    pairs = cast(Iterable[tuple[Any, Any]], field.choices)
    return [value for value, _ in pairs if value != ""]


def _fields_of(form_class: type[django_forms.Form]) -> dict[str, serializers.Field]:
    return {name: _serializer_field(field) for name, field in form_class.base_fields.items()}


PartySerializer = type("PartySerializer", (serializers.Serializer,), _fields_of(PartyForm))


def _submission_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for step in STEPS:
        if step.form_class is not None:
            fields.update(_fields_of(step.form_class))
    fields["parties"] = PartySerializer(
        many=True, required=False, max_length=portal_forms.MAX_PARTIES, help_text="Other people the referral names"
    )
    return fields


ReferralSubmissionSerializer = type(
    "ReferralSubmissionSerializer",
    (serializers.Serializer,),
    {
        **_submission_fields(),
        "__doc__": "A referral: the answers to every question page of the portal, in one body.",
    },
)


# --- Sending ---------------------------------------------------------------------------------


def _as_form_data(form_class: type[django_forms.Form], body: dict[str, Any]) -> MultiValueDict:
    data: MultiValueDict[str, str] = MultiValueDict()
    for name, field in form_class.base_fields.items():
        value = body.get(name)
        if isinstance(field, NHSDateField):
            parts = (value.day, value.month, value.year) if isinstance(value, dt.date) else ("", "", "")
            for suffix, part in zip(("day", "month", "year"), parts, strict=True):
                data[f"{name}_{suffix}"] = str(part)
        elif isinstance(field, django_forms.MultipleChoiceField):
            data.setlist(name, [str(v) for v in value or []])
        elif isinstance(value, Model):
            data[name] = str(value.pk)
        else:
            data[name] = "" if value is None else str(value)
    return data


def _errors_of(form: django_forms.BaseForm, prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        key = "non_field_errors" if name == "__all__" else name
        errors.setdefault(f"{prefix}{key}", []).extend(str(m) for m in messages)
    return errors


class _Refused(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors


def submit(*, by, body: dict[str, Any], request=None) -> Referral:
    """Validate ``body`` page by page as the portal does, save it as a draft, send it. One
    transaction: a refusal leaves nothing behind. Raises ``InvalidInput`` naming the fields."""
    try:
        with transaction.atomic():
            return _submit(by=by, body=body, request=request)
    except _Refused as refused:
        raise InvalidInput(refused.errors) from None


def _submit(*, by, body: dict[str, Any], request) -> Referral:
    draft = draft_start(by=by, request=request, channel=Channel.API)
    errors: dict[str, list[str]] = {}
    for step in STEPS:
        following = portal_forms.next_slug(step.slug)
        if step.slug == PARTIES:
            parties = []
            for index, party in enumerate(body.get("parties") or []):
                party_form = PartyForm(data=_as_form_data(PartyForm, party))
                if party_form.is_valid():
                    parties.append({k: party_form.cleaned_data[k] for k in party_form.fields})
                else:
                    errors.update({f"parties.{index}.{k}": v for k, v in _errors_of(party_form).items()})
            portal_services.portal_save_step(referral=draft, by=by, request=request, step=following, parties=parties)
            continue
        assert step.form_class is not None
        form = step.form_class(_as_form_data(step.form_class, body), referral=draft, user=by)
        if form.is_valid():
            portal_services.portal_save_step(referral=draft, by=by, request=request, step=following, **form.to_save())
        else:
            errors.update(_errors_of(form))
    if errors:
        raise _Refused(errors)
    problems = portal_forms.problems_with(draft, by)
    if problems:
        raise _Refused({p.step.slug: p.messages for p in problems})
    return portal_services.portal_submit(referral=draft, by=by, request=request)
