"""The records the authorisation matrix (casework/core/tests) requests consultation pages about: a
consultation case led by ``cast.clinician`` with its request and a meeting."""

from __future__ import annotations


def consultation_overrides(cast) -> dict[str, dict]:
    from casework.consultations.tests.helpers import consultation_case, consultation_request, meeting

    case = consultation_case(cast)
    consultation_request(case, cast.clinician, agency=cast.organisation)
    held = meeting(case, cast.clinician)
    ref = {"reference": case.reference}
    return {
        "consultations:overview": ref,
        "consultations:request_edit": ref,
        "consultations:meeting_add": ref,
        "consultations:meeting": {**ref, "pk": held.pk},
        "consultations:advice": ref,
        "consultations:convert": ref,
    }
