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
    written = _written_reports(cast, case)
    # An issue of the sentencing report to cast.organisation (the agency's own; never agency_other's),
    # with the disclosure entry issuing writes: the register and the portal's downloads.
    from casework.reports.tests.issued import make_issued, report_on

    issued = make_issued(report_on(case, by=cast.clinician), recipient=cast.organisation, by=cast.clinician)
    return {
        **written,
        "disclosures:register": {},
        "disclosures:export": {},
        "portal:reports": {},
        "portal:report_pdf": {"pk": issued.pk},
        "portal:report_docx": {"pk": issued.pk},
        # The agency API's downloads (401 to every session; its tokens download the portal's issue).
        "api:report_pdf": {"pk": issued.pk},
        "api:report_docx": {"pk": issued.pk},
        "reports:list": {"reference": case.reference},
        "reports:from_referral": {"reference": case.reference},
        "reports:add": {"reference": case.reference},
        "reports:detail": {"reference": case.reference, "pk": made[0].pk},
        "reports:edit": {"reference": case.reference, "pk": made[0].pk},
    }


def _written_reports(cast, case) -> dict[str, dict]:
    """Three more requests on the case: one being written, one signed off, one issued."""
    import datetime as dt

    from django.utils import timezone

    from casework.reports import services
    from casework.reports.models import ReportSection
    from casework.reports.services import drafting, issuing

    def request(kind: str):
        made = services.request_add(
            case=case, report_type=kind, due_on=timezone.localdate() + dt.timedelta(days=20), by=cast.clinician
        )
        return made, drafting.report_start(request_=made, by=cast.clinician)

    def approve(report):
        edits = {
            s.key: {"body": s.body or "Written.", "version": s.row_version}
            for s in ReportSection.objects.filter(report=report)
        }
        drafting.sections_save(report=report, edits=edits, by=cast.clinician)
        drafting.author_sign(report=report, by=cast.clinician)
        drafting.lead_sign(report=report, by=cast.clinical_lead)

    drafting_request, drafting_report = request("police")
    approved_request, approved_report = request("nhs_trust")
    approve(approved_report)
    issued_request, issued_report = request("bail")
    approve(issued_report)
    issued = issuing.report_issue(
        report=issued_report,
        recipient=cast.organisation,
        recipient_side="court",
        method="secure_email",
        legal_basis="letter_of_instruction",
        by=cast.clinician,
    )
    comment = drafting.comment_add(report=drafting_report, section_key="opinion", body="Matrix.", by=cast.clinical_lead)
    on_draft = {"reference": case.reference, "pk": drafting_request.pk}
    on_issued = {"reference": case.reference, "pk": issued_request.pk}
    return {
        "reports:start": on_draft,
        "reports:write": on_draft,
        "reports:autosave": on_draft,
        "reports:refresh": {**on_draft, "key": "index_behaviour"},
        "reports:versions": on_draft,
        "reports:comment_add": on_draft,
        "reports:comment_resolve": {**on_draft, "comment_pk": comment.pk},
        "reports:sign": on_draft,
        "reports:approve": on_draft,
        "reports:return": {"reference": case.reference, "pk": approved_request.pk},
        "reports:draft_pdf": on_draft,
        "reports:issue": {"reference": case.reference, "pk": approved_request.pk},
        "reports:correct": on_issued,
        "reports:issued_pdf": {**on_issued, "issue_pk": issued.pk},
        "reports:issued_docx": {**on_issued, "issue_pk": issued.pk},
        "reports:release": {**on_issued, "issue_pk": issued.pk},
    }
