"""The clinic's eligibility rules, one small function each, explicit and unit-tested.

Each rule looks at a referral (and the services asked for) and answers with a ``RuleResult``:
pass, fail, warning or "does not apply" (the rule is about something this referral does not
ask for, such as a report or treatment, or a setting it is not in), and a reason in plain
English that staff read on the screening page.
A failing rule names the services it stops the clinic accepting (``blocks``); a warning never
blocks, it asks the coordinator to check.

The rules:

1. ``stalking_is_significant``: stalking, harassment or threat must be a significant part of
   the case — charged or convicted for a Protection from Harassment Act offence, or for another
   offence where it was significant, or a problem case not (yet) charged where the referrer
   says it is significant.
2. ``treatment_under_compulsion``: treatment for the person who stalks is offered only in the
   community and, at first, only under compulsion — a community order requirement, bail
   condition or licence condition. Without one, treatment cannot be accepted (assessment or
   consultation still can).
3. ``report_has_due_date``: a report request needs the date it is needed by.
4. ``custody_has_establishment``: an assessment in custody needs the establishment.
5. ``services_fit_subject``: services for the person who stalks when the subject is the person
   stalked (or the reverse) are probably a mistake: a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import timezone

from casework.referrals.choices import (
    COMPULSION_ORDERS,
    REPORT_SERVICES,
    STALKING_OFFENCES,
    LegalStatus,
    Offence,
    Order,
    Service,
    Setting,
    SubjectRole,
)

ALL_SERVICES = frozenset(Service)
# Work that happens where the subject is: an assessment, and the reports that rest on one.
ASSESSMENT_SERVICES = frozenset({Service.STALKER_ASSESSMENT, Service.VICTIM_ASSESSMENT} | REPORT_SERVICES)
PERPETRATOR_SERVICES = frozenset({Service.STALKER_ASSESSMENT, Service.STALKER_TREATMENT})
VICTIM_SERVICES = frozenset({Service.VICTIM_ASSESSMENT, Service.VICTIM_TREATMENT})


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    WARNING = "warning"
    NOT_APPLICABLE = "not_applicable"  # the rule is about something this referral does not involve

    @property
    def label(self) -> str:
        return {
            "pass": "Meets the rule",
            "fail": "Does not meet the rule",
            "warning": "Check",
            "not_applicable": "Does not apply",
        }[self.value]

    @property
    def tag_colour(self) -> str:
        return {"pass": "green", "fail": "red", "warning": "yellow", "not_applicable": "grey"}[self.value]


@dataclass(frozen=True)
class RuleResult:
    code: str
    title: str
    outcome: Outcome
    reason: str
    blocks: frozenset[str] = field(default_factory=frozenset)

    @property
    def passed(self) -> bool:
        return self.outcome == Outcome.PASS

    @property
    def failed(self) -> bool:
        return self.outcome == Outcome.FAIL

    @property
    def applies(self) -> bool:
        return self.outcome != Outcome.NOT_APPLICABLE


def _labels(values: Iterable[str], vocabulary) -> str:
    labels = [vocabulary(v).label for v in values if v in vocabulary.values]
    return "; ".join(labels)


def _services_of(referral, services: Iterable[str] | None) -> frozenset[str]:
    return frozenset(referral.services if services is None else services)


# --- 1. Stalking, harassment or threat is a significant part of the case -------------------


def stalking_is_significant(referral, services: Iterable[str] | None = None) -> RuleResult:
    title = "Stalking, harassment or threat is a significant part of the case"
    code = "stalking_significant"
    offences = set(referral.offences or [])
    significant = referral.stalking_significant
    legal = referral.legal_status

    def result(outcome: Outcome, reason: str) -> RuleResult:
        return RuleResult(code, title, outcome, reason, ALL_SERVICES if outcome == Outcome.FAIL else frozenset())

    if legal in (LegalStatus.CHARGED, LegalStatus.CONVICTED):
        verb = "charged with" if legal == LegalStatus.CHARGED else "convicted of"
        pha = sorted(offences & {o.value for o in STALKING_OFFENCES})
        if pha:
            return result(
                Outcome.PASS,
                f"The subject is {verb} an offence under the Protection from Harassment Act 1997: "
                f"{_labels(pha, Offence)}.",
            )
        if Offence.OTHER in offences:
            other = f" ({referral.other_offences})" if referral.other_offences else ""
            if significant is True:
                return result(
                    Outcome.PASS,
                    f"The subject is {verb} another offence{other}, and the referrer says stalking, "
                    "harassment or threat was a significant part of it.",
                )
            if significant is False:
                return result(
                    Outcome.FAIL,
                    f"The subject is {verb} another offence{other}, and the referrer says stalking, "
                    "harassment or threat was not a significant part of it. The clinic only takes "
                    "cases where it was.",
                )
            return result(
                Outcome.WARNING,
                f"The subject is {verb} another offence{other}. Ask the referrer whether stalking, "
                "harassment or threat was a significant part of it.",
            )
        return result(
            Outcome.WARNING,
            f"The subject is {verb} an offence, but no offence is recorded. Record the offences before deciding.",
        )
    if legal in (LegalStatus.NONE, LegalStatus.UNDER_INVESTIGATION):
        stage = "under investigation" if legal == LegalStatus.UNDER_INVESTIGATION else "not charged"
        if significant is True:
            return result(
                Outcome.PASS,
                f"A problem case {stage}: the referrer says stalking, harassment or threat is a "
                "significant part of it.",
            )
        if significant is False:
            return result(
                Outcome.FAIL,
                f"A problem case {stage}, and the referrer says stalking, harassment or threat is "
                "not a significant part of it. The clinic only takes cases where it is.",
            )
        return result(
            Outcome.WARNING,
            f"A problem case {stage}. Ask the referrer whether stalking, harassment or threat is "
            "a significant part of it.",
        )
    return result(
        Outcome.WARNING,
        "The legal position is not recorded. Record whether the subject is charged, convicted, "
        "under investigation or none of these.",
    )


# --- 2. Treatment for the person who stalks: community, under compulsion --------------------

# The rule's wording, shared with treatment enrolment (casework.treatment.services.enrolment).
ONLY_UNDER_COMPULSION = (
    "Treatment for the person who stalks is offered at first only under compulsion: a community order "
    "requirement, a bail condition or a licence condition."
)


def treatment_under_compulsion(referral, services: Iterable[str] | None = None) -> RuleResult:
    title = "Treatment for the person who stalks is under compulsion, in the community"
    code = "treatment_under_compulsion"
    if Service.STALKER_TREATMENT not in _services_of(referral, services):
        return RuleResult(code, title, Outcome.NOT_APPLICABLE, "Treatment for the person who stalks is not requested.")
    compulsion = sorted(set(referral.orders_in_force or []) & {o.value for o in COMPULSION_ORDERS})
    if not compulsion:
        return RuleResult(
            code,
            title,
            Outcome.FAIL,
            f"{ONLY_UNDER_COMPULSION} None is recorded, so treatment cannot be accepted. "
            "The referral can still be accepted for assessment or consultation.",
            frozenset({Service.STALKER_TREATMENT}),
        )
    if referral.assessment_setting and referral.assessment_setting != Setting.COMMUNITY:
        return RuleResult(
            code,
            title,
            Outcome.WARNING,
            f"Under compulsion ({_labels(compulsion, Order)}), but the subject is "
            f"{Setting(referral.assessment_setting).label.lower()}. Treatment is delivered only in the community: "
            "check when the subject will be there.",
        )
    return RuleResult(code, title, Outcome.PASS, f"Treatment would be under compulsion: {_labels(compulsion, Order)}.")


# --- 3. A report request needs a date it is needed by ---------------------------------------


def report_has_due_date(referral, services: Iterable[str] | None = None, today: dt.date | None = None) -> RuleResult:
    title = "A report request says when the report is needed"
    code = "report_due_date"
    reports = _services_of(referral, services) & REPORT_SERVICES
    if not reports:
        return RuleResult(code, title, Outcome.NOT_APPLICABLE, "No report is requested.")
    if referral.report_due_on is None:
        return RuleResult(
            code,
            title,
            Outcome.FAIL,
            "A report is requested but the date it is needed by is not recorded. Ask the referrer for it.",
            frozenset(reports),
        )
    today = today or timezone.localdate()
    due = f"{referral.report_due_on.day} {referral.report_due_on:%B %Y}"
    if referral.report_due_on < today:
        return RuleResult(
            code,
            title,
            Outcome.WARNING,
            f"The report was needed by {due}, which has passed. Agree a new date with the referrer.",
        )
    return RuleResult(code, title, Outcome.PASS, f"The report is needed by {due}.")


# --- 4. An assessment in custody names the establishment ------------------------------------


def custody_has_establishment(referral, services: Iterable[str] | None = None) -> RuleResult:
    title = "An assessment in custody names the establishment"
    code = "custody_establishment"
    if referral.assessment_setting != Setting.CUSTODY:
        return RuleResult(code, title, Outcome.NOT_APPLICABLE, "The assessment would not be in custody.")
    if not (referral.custody_establishment or "").strip():
        return RuleResult(
            code,
            title,
            Outcome.FAIL,
            "The subject is in custody but the prison or establishment is not recorded, so an assessment cannot be "
            "arranged. Ask the referrer for it.",
            frozenset(ASSESSMENT_SERVICES & _services_of(referral, services)),
        )
    if not (referral.prison_number or "").strip():
        return RuleResult(
            code,
            title,
            Outcome.WARNING,
            f"In custody at {referral.custody_establishment}. The prison number is not recorded: ask "
            "for it before booking a visit.",
        )
    return RuleResult(
        code,
        title,
        Outcome.PASS,
        f"In custody at {referral.custody_establishment}, prison number {referral.prison_number}.",
    )


# --- 5. The services fit the subject's role --------------------------------------------------


def services_fit_subject(referral, services: Iterable[str] | None = None) -> RuleResult:
    title = "The services fit the subject's role"
    code = "services_fit_subject"
    chosen = _services_of(referral, services)
    if referral.subject_role == SubjectRole.VICTIM and chosen & PERPETRATOR_SERVICES:
        return RuleResult(
            code,
            title,
            Outcome.WARNING,
            "The subject is the person stalked, but services for the person who stalks are requested. "
            "Check with the referrer: the two are kept on separate records.",
        )
    if referral.subject_role == SubjectRole.PERPETRATOR and chosen & VICTIM_SERVICES:
        return RuleResult(
            code,
            title,
            Outcome.WARNING,
            "The subject is the person who stalks, but services for the person stalked are requested. "
            "Check with the referrer: the two are kept on separate records.",
        )
    if not referral.subject_role:
        return RuleResult(
            code,
            title,
            Outcome.WARNING,
            "The subject's role (the person who stalks or the person stalked) is not recorded.",
        )
    return RuleResult(code, title, Outcome.PASS, "The services asked for fit the subject's role.")


RULES: tuple[Callable[..., RuleResult], ...] = (
    stalking_is_significant,
    treatment_under_compulsion,
    report_has_due_date,
    custody_has_establishment,
    services_fit_subject,
)


def evaluate(referral, services: Iterable[str] | None = None) -> list[RuleResult]:
    """Every rule's answer for ``referral`` (and the services asked for: by default, those requested)."""
    chosen = _services_of(referral, services)
    return [rule(referral, chosen) for rule in RULES]


def refused_services(referral, services: Iterable[str], results: list[RuleResult] | None = None) -> dict[str, str]:
    """For each of ``services`` a failing rule stops the clinic accepting, the reason why."""
    results = evaluate(referral) if results is None else results
    refused: dict[str, str] = {}
    for service in services:
        for result in results:
            if result.failed and service in result.blocks:
                refused.setdefault(service, result.reason)
    return refused


def acceptable_services(referral, results: list[RuleResult] | None = None) -> list[str]:
    """The requested services no failing rule blocks, in the vocabulary's order."""
    requested = referral.services
    refused = refused_services(referral, requested, results)
    return [s for s in requested if s not in refused]
