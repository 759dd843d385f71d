"""My work for agency referrers: their own drafts and their organisation's referrals the clinic is
waiting on, each linking into the portal; nobody else gets these sections."""

from __future__ import annotations

import datetime as dt

from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from casework.accounts.tests.factories import UserFactory
from casework.core.roles import Role
from casework.portal.work import agency_sections
from casework.referrals.choices import Status
from casework.referrals.tests.factories import DraftReferralFactory, ReferralFactory


def sections(user) -> dict:
    request = RequestFactory().get("/")
    request.user = user
    return {s.title: s for s in agency_sections(request)}


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def test_only_agency_referrers_get_the_agency_sections(cast):
    assert set(sections(cast.agency)) == {"Your draft referrals", "Referrals awaiting information from you"}
    for name in ("coordinator", "clinical_lead", "clinician", "finance", "researcher", "sysadmin"):
        assert sections(cast.by_name(name)) == {}, name


def test_empty_agency_sections_say_what_will_appear_there(cast):
    for section in sections(cast.agency).values():
        assert section.count == 0 and section.items == []
        assert "appear" in section.empty_text, section.title


def test_agency_referrers_see_their_drafts_and_what_the_clinic_is_waiting_for(cast):
    draft = DraftReferralFactory(created_by=cast.agency, referring_organisation=cast.organisation, portal_step="legal")
    colleague = UserFactory(role=Role.AGENCY_REFERRER, organisation=cast.organisation)
    DraftReferralFactory(created_by=colleague, referring_organisation=cast.organisation)
    waiting = ReferralFactory(
        referring_organisation=cast.organisation,
        status=Status.AWAITING_INFORMATION,
        information_requested_at=days_ago(3),
    )
    ReferralFactory(referring_organisation=cast.other_organisation, status=Status.AWAITING_INFORMATION)
    ReferralFactory(referring_organisation=cast.organisation, status=Status.SCREENING)
    found = sections(cast.agency)
    drafts = found["Your draft referrals"]
    assert drafts.count == 1
    assert drafts.items[0].href == reverse("portal:step", kwargs={"draft_id": draft.pk, "step": "legal"})
    info = found["Referrals awaiting information from you"]
    assert [item.text for item in info.items] == [waiting.reference]
    assert info.items[0].href == reverse("portal:detail", kwargs={"reference": waiting.reference})


def test_the_my_work_page_shows_the_agency_sections(cast, client_for):
    DraftReferralFactory(created_by=cast.agency, referring_organisation=cast.organisation)
    html = client_for(cast.agency).get(reverse("core:my_work")).content.decode()
    assert "Your draft referrals (1)" in html
