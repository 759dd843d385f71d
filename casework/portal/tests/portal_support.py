"""Shared helpers for the agency portal tests: valid answers for every question page, and drafts
at a given point of the journey."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from casework.portal.forms import CHECK
from casework.referrals.choices import Channel, LegalStatus, Offence, Setting, SubjectRole
from casework.referrals.tests.factories import DraftReferralFactory, NamedPartyFactory


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def date_data(name: str, value: dt.date | None) -> dict[str, str]:
    if value is None:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    return {f"{name}_day": str(value.day), f"{name}_month": str(value.month), f"{name}_year": str(value.year)}


def answers(commissioner_id: int) -> dict[str, dict[str, Any]]:
    """Valid answers for each question page, as a browser would post them."""
    return {
        "services": {"services": ["stalker_assessment", "report_sentencing"]},
        "subject": {
            "subject_role": "perpetrator",
            "subject_given_name": "Adam",
            "subject_family_name": "Testperson",
            **date_data("subject_date_of_birth", dt.date(1981, 6, 2)),
            "subject_details": "Also known as AJ",
        },
        "behaviour": {
            "behaviour_summary": "Repeated messages and loitering outside the former partner's home.",
            "behaviour_duration": "14 months",
            "stalking_significant": "yes",
        },
        "legal": {
            "legal_status": "convicted",
            "offences": ["pha_s4a"],
            "other_offences": "",
            "orders_in_force": ["restraining"],
        },
        "setting": {
            "assessment_setting": "custody",
            "custody_establishment": "HMP Testshire",
            "prison_number": "a1234bc",
        },
        "dates": {
            **date_data("next_hearing_on", in_days(40)),
            **date_data("report_due_on", in_days(30)),
            **date_data("parole_hearing_on", None),
        },
        "funding": {"commissioner": str(commissioner_id), "purchase_order": "PO-123", "contract_reference": ""},
        "contact": {
            "referrer_name": "Pat Police",
            "referrer_job_title": "Detective Constable",
            "referrer_email": "officer@northshire.police.example",
            "referrer_phone": "020 7946 0001",
        },
    }


def step_url(draft, slug: str, returning: bool = False) -> str:
    from casework.portal.forms import step_url as portal_step_url

    return portal_step_url(draft, slug, returning=returning)


def complete_draft(user, *, parties: int = 1, **overrides: Any):
    """A draft by ``user`` with every page answered and valid, ready to send."""
    fields = dict(
        created_by=user,
        referrer_user=user,
        referring_organisation=user.organisation,
        received_via=Channel.PORTAL,
        subject_role=SubjectRole.PERPETRATOR,
        subject_given_name="Adam",
        subject_family_name="Testperson",
        subject_date_of_birth=dt.date(1981, 6, 2),
        legal_status=LegalStatus.CONVICTED,
        offences=[Offence.PHA_S4A.value],
        assessment_setting=Setting.COMMUNITY,
        report_due_on=in_days(30),
        next_hearing_on=in_days(40),
        commissioner=user.organisation,
        referrer_name=user.full_name,
        referrer_job_title="Detective Constable",
        referrer_email=user.email,
        referrer_phone="020 7946 0001",
        portal_step=CHECK,
        services=["stalker_assessment", "report_sentencing"],
    )
    fields.update(overrides)
    draft = DraftReferralFactory(**fields)
    for n in range(parties):
        NamedPartyFactory(referral=draft, name=f"Victim Person{n}")
    return draft


def check_url(draft) -> str:
    return reverse("portal:check", kwargs={"draft_id": draft.pk})
