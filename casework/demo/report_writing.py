"""Demo reports written, signed off and issued through the reports services, as the clinic would:
on open cases whose requests are in progress, a few drafts (one with a lead's comment waiting),
one signed by its author and waiting for a lead, several issued to their instructing party (the
police and probation through the portal, others by secure email), and one corrected after issue
and issued again. Issued reports are real signed PDFs and DOCX files, so the register and the
portal have something true to show.

The text is written for the demo from the case's own record (the statements drawn from it) and a
few stock clinical sentences; the subject is named only by first name in the opinion."""

from __future__ import annotations

from casework.accounts.models import User
from casework.cases.choices import ACTIVE_STATUSES, TeamRole
from casework.cases.models import CaseTeamMember
from casework.core.roles import Role
from casework.organisations.models import OrganisationKind
from casework.reports.choices import DisclosureMethod, RequestStatus
from casework.reports.models import IssuedReport, Report, ReportRequest, ReportSection
from casework.reports.services import disclosures, drafting, issuing

STOCK = {
    "history": (
        "{name} described an unsettled childhood and left school at sixteen. Relationships have been short and "
        "have ended with {name} feeling rejected. There is no history of inpatient psychiatric care."
    ),
    "mental_state": (
        "{name} was alert and cooperative throughout the interview. Speech was normal in rate and volume. "
        "Mood was described as low and was objectively flat. There was no evidence of psychotic symptoms. "
        "{name} ruminated about the end of the relationship and minimised the effect of the behaviour."
    ),
    "risk": (
        "The structured assessment identified persistent contact-seeking, rumination about the relationship and "
        "poor insight as the factors of most concern. The risk of the stalking persisting is judged moderate."
    ),
    "opinion": (
        "In my opinion {name} would benefit from a structured treatment programme for stalking behaviour, "
        "delivered in the community alongside supervision. I recommend that any order includes a condition "
        "not to contact the person stalked, directly or indirectly, including online."
    ),
    "index_behaviour": "The behaviour is set out below from the police record and the referral.",
}
COMMENT = "Please say which sources the opinion on risk rests on, and give the dates of the interviews."
CORRECTION = "The date of the first interview was given as the date of the second; corrected throughout."


def _write(report: Report, by) -> None:
    name = report.request.case.subject.given_name
    edits = {}
    for section in ReportSection.objects.filter(report=report):
        stock = STOCK.get(section.key, "").format(name=name)
        body = "\n\n".join(part for part in (section.body, stock) if part) or f"{section.title}: see above."
        edits[section.key] = {"body": body, "version": section.row_version}
    drafting.sections_save(report=report, edits=edits, by=by)


def _issue(report: Report, by) -> IssuedReport:
    recipient = report.request.instructing_party
    assert recipient is not None  # the demo picks requests with an instructing party
    # Agencies with portal users collect their reports there; the others are sent them by secure email.
    portal = recipient.kind in PORTAL_KINDS or _officer_of(recipient) is not None
    return issuing.report_issue(
        report=report,
        recipient=recipient,
        recipient_side=issuing.side_for(recipient),
        recipient_name=report.request.instructing_officer_name,
        method=DisclosureMethod.PORTAL if portal else DisclosureMethod.SECURE_EMAIL,
        legal_basis="letter_of_instruction",
        by=by,
    )


PORTAL_KINDS = (OrganisationKind.POLICE_FORCE.value, OrganisationKind.PROBATION.value)
# What the demo does with each request it takes, in turn (see issue_order).
PLAN = ("issue", "draft", "issue", "awaiting", "issue_correct", "draft_comment", "issue", "draft", "issue")


def _officer_of(organisation) -> User | None:
    return (
        User.objects.filter(role=Role.AGENCY_REFERRER, organisation=organisation, is_active=True).order_by("id").first()
    )


def _downloaded(issued: IssuedReport) -> bool:
    """An officer of the recipient downloads a report issued to the portal (as agencies do)."""
    officer = _officer_of(issued.recipient)
    if officer is None:
        return False
    disclosures.portal_download(issued=issued, kind="pdf", by=officer)
    return True


def issue_order(requests: list[ReportRequest], with_users: set[int]) -> list[ReportRequest]:
    """The order the demo writes reports in: one request of each kind of instructing agency in turn,
    and within a kind the agencies with a demo portal user first, so the portal has reports to
    download. The plan issues at its even steps; the police go first and probation third, so both
    are issued a report through the portal whatever the seeded dates made of the requests."""
    by_kind: dict[str, list[ReportRequest]] = {}
    for request_ in sorted(requests, key=lambda r: (r.instructing_party_id not in with_users, r.pk)):
        party = request_.instructing_party
        assert party is not None  # the demo takes requests with an instructing party
        by_kind.setdefault(party.kind, []).append(request_)
    kinds = [kind for kind in by_kind if kind not in PORTAL_KINDS]
    for position, kind in enumerate(PORTAL_KINDS):
        if kind in by_kind:
            kinds.insert(min(2 * position, len(kinds)), kind)
    ordered: list[ReportRequest] = []
    while any(by_kind.values()):
        ordered.extend(by_kind[kind].pop(0) for kind in kinds if by_kind[kind])
    return ordered


def seed(context) -> None:
    if Report.objects.exists():
        context.say(f"Reports written: already there ({Report.objects.count()})")
        return
    leads = list(User.objects.filter(role=Role.CLINICAL_LEAD, is_active=True).order_by("id"))
    pending = (
        ReportRequest.objects.filter(
            status=RequestStatus.IN_PROGRESS,
            case__status__in=ACTIVE_STATUSES,
            instructing_party__isnull=False,
        )
        .select_related("case__subject", "instructing_party")
        .order_by("id")
    )
    with_users = set(
        User.objects.filter(role=Role.AGENCY_REFERRER, is_active=True).values_list("organisation_id", flat=True)
    )
    requests = issue_order(list(pending), with_users)
    stats = dict.fromkeys(["drafts", "awaiting", "issued", "corrected", "downloads"], 0)
    for step, request_ in zip(PLAN, requests, strict=False):
        member = (
            CaseTeamMember.objects.filter(case=request_.case, role=TeamRole.LEAD_CLINICIAN)
            .select_related("user")
            .first()
        )
        if member is None:
            continue
        author = member.user
        lead = next((u for u in leads if u.pk != author.pk), None)
        report = drafting.report_start(request_=request_, by=author)
        _write(report, author)
        if step.startswith("draft"):
            stats["drafts"] += 1
            if step == "draft_comment" and lead is not None:
                drafting.comment_add(report=report, section_key="opinion", body=COMMENT, by=lead)
            continue
        drafting.author_sign(report=report, by=author)
        if step == "awaiting" or lead is None:
            stats["awaiting"] += 1
            continue
        drafting.lead_sign(report=report, by=lead)
        first = _issue(report, author)
        stats["issued"] += 1
        stats["downloads"] += _downloaded(first)
        if step == "issue_correct":
            drafting.correction_start(report=report, reason=CORRECTION, by=author)
            section = ReportSection.objects.get(report=report, key="history")
            drafting.sections_save(
                report=report,
                edits={
                    "history": {
                        "body": section.body + "\n\nInterviews: corrected dates.",
                        "version": section.row_version,
                    }
                },
                by=author,
            )
            drafting.author_sign(report=report, by=author)
            drafting.lead_sign(report=report, by=lead)
            stats["downloads"] += _downloaded(_issue(report, author))
            stats["corrected"] += 1
    context.say(
        f"Reports written: {stats['issued']} issued ({stats['corrected']} corrected and issued again), "
        f"{stats['awaiting']} waiting for sign-off, {stats['drafts']} being drafted; "
        f"{stats['downloads']} downloaded through the portal"
    )
