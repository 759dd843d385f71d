"""The demo builders, in the order they run: later ones use what earlier ones made (the order the
apps had in INSTALLED_APPS when each app seeded itself). Search runs last so that it indexes
everything. A new app with demo data adds its builder here."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from casework.demo import (
    accounts,
    api,
    assessments,
    billing,
    case_notes,
    cases,
    consultations,
    organisations,
    people,
    referrals,
    report_writing,
    reports,
    research,
    search,
    treatment_compliance,
    treatment_diary,
    treatment_enrolment,
    victim_therapy,
    victims,
)
from casework.demo.context import DemoContext

BUILDERS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("organisations", organisations.seed),
    ("accounts", accounts.seed),
    ("referrals", referrals.seed),
    ("people", people.seed),
    ("cases", cases.seed),
    ("case_notes", case_notes.seed),
    ("assessments", assessments.seed),
    ("reports", reports.seed),
    ("report_writing", report_writing.seed),
    ("treatment_enrolment", treatment_enrolment.seed),
    ("treatment_diary", treatment_diary.seed),
    ("treatment_compliance", treatment_compliance.seed),
    ("victims", victims.seed),
    ("victim_therapy", victim_therapy.seed),
    ("consultations", consultations.seed),
    ("billing", billing.seed),
    ("billing_invoices", billing.seed_invoices),
    ("research", research.seed),
    # Referrals a police force's case system sent through the API: just received, so after the
    # builders that work on the clinic's referrals and before search indexes everything.
    ("api", api.seed),
    ("search", search.seed),
]


def seed_all(context: DemoContext, *, only: set[str] | None = None) -> None:
    """Run the builders in order (``only``: just those named), each in its own transaction.
    Idempotent: running it twice adds nothing the second time."""
    for name, seed in BUILDERS:
        if only is not None and name not in only:
            continue
        with transaction.atomic():
            seed(context)
