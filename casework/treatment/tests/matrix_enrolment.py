"""The records the authorisation matrix requests enrolment pages about: a perpetrator case led by
``cast.clinician`` (``cast.other_clinician`` is on no team) with a discharged enrolment (and its
follow-ups) and an active one."""

from __future__ import annotations


def overrides(cast) -> dict[str, dict]:
    from casework.treatment.tests.enrolment_helpers import treated_case

    treated = treated_case(cast)
    reference = treated.case.reference
    return {
        "treatment:overview": {"reference": reference},
        "treatment:enrol": {"reference": reference},
        "treatment:enrolment": {"reference": reference, "pk": treated.active.pk},
        "treatment:discharge": {"reference": reference, "pk": treated.active.pk},
        "treatment:outcome_add": {"reference": reference, "pk": treated.active.pk},
        "treatment:follow_up": {
            "reference": reference,
            "pk": treated.discharged.pk,
            "follow_up_pk": treated.follow_up.pk,
        },
    }
