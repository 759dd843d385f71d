"""Research demo: two clients who have opted out under the National Data Opt-out, and the research
extract log: one extract approved and issued, one approved and ready for the researcher to
download, one waiting for a clinical lead's decision. Through the services, as the people who
would do each step (a keeper of each person's record, the researcher, a clinical lead)."""

from __future__ import annotations

from casework.accounts.models import User
from casework.cases.models import Case
from casework.core.roles import Role
from casework.demo.context import DemoContext
from casework.people.services import person_set_opt_out
from casework.research import services
from casework.research.models import ResearchExtract

OPT_OUTS = 2
REQUESTS = (
    (
        "cases",
        "Treatment completion and reconviction at follow-up by stalker type and prior relationship, "
        "for a service evaluation of the clinic's first years.",
        "IRAS 312456",
        "issue",
    ),
    (
        "summary",
        "Referral patterns by referring agency and legal status, to plan a multi-site study.",
        "24/NW/0123",
        "approve",
    ),
    (
        "cases",
        "Stalking Risk Profile levels and re-referral to the clinic, for a doctoral study.",
        "CG-2026-007",
        "",
    ),
)


def _keeper(person) -> User | None:
    for user in User.objects.filter(role__in=[Role.REFERRALS_COORDINATOR, Role.CLINICAL_LEAD], is_active=True).order_by(
        "role", "id"
    ):
        if user.has_perm("people.edit", person):
            return user
    return None


def seed(context: DemoContext) -> None:
    if ResearchExtract.objects.exists():
        context.say("Research: already there")
        return
    opted_out = 0
    for case in Case.objects.select_related("subject").order_by("id"):
        if opted_out >= OPT_OUTS:
            break
        keeper = _keeper(case.subject)
        if keeper is None or case.subject.national_data_opt_out:
            continue
        person_set_opt_out(person=case.subject, opted_out=True, by=keeper)
        opted_out += 1
    researcher = User.objects.filter(role=Role.RESEARCHER, is_active=True).order_by("id").first()
    lead = User.objects.filter(role=Role.CLINICAL_LEAD, is_active=True).order_by("id").first()
    if researcher is None or lead is None:
        context.say(f"Research: {opted_out} opted out; no researcher or clinical lead, no extracts")
        return
    for kind, purpose, reference, step in REQUESTS:
        found = services.extract_request(by=researcher, kind=kind, purpose=purpose, approval_reference=reference)
        if step:
            found = services.extract_decide(research_extract=found, by=lead, approve=True)
        if step == "issue":
            services.extract_issue(research_extract=found, by=researcher, file_format="csv")
    context.say(f"Research: {opted_out} people opted out; {len(REQUESTS)} extracts in the log")
