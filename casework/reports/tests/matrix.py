"""The records the authorisation matrix (casework/core/tests) requests report pages about: on a
perpetrator case led by ``cast.clinician`` (``cast.other_clinician`` is on no team), opened from a
referral that asked for a report for sentencing and a report for MAPPA, one request made from the
referral (the MAPPA report is still to be made), and a report issued to ``cast.organisation``."""

from __future__ import annotations


def report_overrides(cast) -> dict[str, dict]:
    import datetime as dt

    from django.utils import timezone

    from casework.cases.tests.factories import make_case
    from casework.reports import services

    case = make_case(
        lead=cast.clinician,
        by=cast.clinical_lead,
        accepted_services=["report_sentencing"],
        report_due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    made = services.requests_from_case(case=case, by=cast.clinician)
    services.request_add(
        case=case,
        report_type="mappa",
        due_on=timezone.localdate() + dt.timedelta(days=40),
        by=cast.clinician,
    )
    # An issue of the sentencing report to cast.organisation (the agency's own; never agency_other's),
    # with the disclosure entry issuing writes: the register and the portal's downloads.
    from casework.reports.tests.issued import make_issued, report_on

    issued = make_issued(report_on(case, by=cast.clinician), recipient=cast.organisation, by=cast.clinician)
    return {
        "disclosures:register": {},
        "disclosures:export": {},
        "portal:reports": {},
        "portal:report_pdf": {"pk": issued.pk},
        "portal:report_docx": {"pk": issued.pk},
        "reports:list": {"reference": case.reference},
        "reports:from_referral": {"reference": case.reference},
        "reports:add": {"reference": case.reference},
        "reports:detail": {"reference": case.reference, "pk": made[0].pk},
        "reports:edit": {"reference": case.reference, "pk": made[0].pk},
    }
