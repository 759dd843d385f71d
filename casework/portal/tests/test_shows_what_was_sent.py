"""The agency's status page shows what the agency sent, as received — never details the clinic's
staff added afterwards (a victim's new address, for instance)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from casework.referrals.services.intake import draft_save, draft_start, draft_submit, referral_log, referral_update


def _logged(cast):
    return referral_log(
        by=cast.coordinator,
        services=["stalker_assessment"],
        parties=[
            {"role": "victim", "name": "Robin Example", "relationship_to_subject": "Former partner", "details": ""}
        ],
        received_via="phone",
        received_at=timezone.now() - dt.timedelta(days=2),
        referring_organisation=cast.organisation,
        referrer_name="DC Pat Police",
        subject_role="perpetrator",
        subject_given_name="Sam",
        subject_family_name="Subject",
        subject_details="Known to Northshire Police",
        behaviour_summary="Repeated messages after separation",
    )


def test_staff_edits_after_receipt_do_not_reach_the_agency(cast, client_for):
    referral = _logged(cast)
    referral_update(
        referral=referral,
        by=cast.coordinator,
        subject_details="Victim now at 9 Secretcanary Lane",
        parties=[
            {
                "role": "victim",
                "name": "Robin Example",
                "relationship_to_subject": "Former partner",
                "details": "Moved to Secretcanary Lane",
            }
        ],
    )
    body = client_for(cast.agency).get(reverse("portal:detail", args=[referral.reference])).content.decode()
    assert "Known to Northshire Police" in body
    assert "Robin Example" in body
    assert "Secretcanary" not in body
    staff_view = client_for(cast.coordinator).get(reverse("referrals:detail", args=[referral.reference]))
    assert "Secretcanary" in staff_view.content.decode()


def test_a_portal_referral_keeps_the_answers_as_sent(cast, client_for):
    draft = draft_start(by=cast.agency)
    draft_save(
        referral=draft,
        by=cast.agency,
        services=["stalker_assessment"],
        subject_role="perpetrator",
        subject_given_name="Alex",
        subject_family_name="Sender",
        behaviour_summary="Followed her to work",
    )
    referral = draft_submit(referral=draft, by=cast.agency)
    assert referral.as_sent, "the copy is kept on submission"
    referral_update(referral=referral, by=cast.coordinator, behaviour_summary="Canaryedit by the clinic")
    body = client_for(cast.agency).get(reverse("portal:detail", args=[referral.reference])).content.decode()
    assert "Followed her to work" in body
    assert "Canaryedit" not in body
