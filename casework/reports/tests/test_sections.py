"""The sections of each kind of report: the usual sections in order for every type, and the
expert's declaration and statement of truth only where a court or the Parole Board will rely on it."""

from __future__ import annotations

import pytest

from casework.reports import sections
from casework.reports.choices import ReportType
from casework.reports.sections import COURT_TYPES, CRIMINAL_COURT_TYPES, section_for, sections_for

USUAL = (
    "instructions",
    "sources",
    "confidentiality",
    "history",
    "index_behaviour",
    "mental_state",
    "risk",
    "opinion",
)
TRUTH = "I confirm that the contents of this report are true to the best of my knowledge and belief"


# The expert's reports; the treatment compliance report is factual and has its own layout
# (casework/treatment/tests/test_compliance_report.py).
EXPERT_TYPES = [t for t in ReportType.values if t != ReportType.COMPLIANCE]


@pytest.mark.parametrize("report_type", EXPERT_TYPES)
def test_every_type_has_the_usual_sections_in_order_with_a_heading_and_guidance(report_type):
    specs = sections_for(report_type)
    keys = tuple(spec.key for spec in specs)
    assert keys[: len(USUAL)] == USUAL
    assert keys == (USUAL + ("declaration",) if report_type in COURT_TYPES else USUAL)
    for spec in specs:
        assert spec.title and spec.title[0].isupper() and not spec.title.endswith(".")
        assert spec.guidance.endswith(".")
        assert spec.prefilled == (spec.key in sections.PREFILLED_KEYS)
    assert len({spec.title for spec in specs}) == len(specs)


def test_the_criminal_courts_and_the_parole_board_get_the_declaration_and_no_one_else_does():
    assert set(CRIMINAL_COURT_TYPES) == {"sentencing", "bail"}
    assert set(COURT_TYPES) == {"sentencing", "bail", "parole"}
    for report_type in ("sentencing", "bail"):
        declaration = section_for(report_type, "declaration")
        assert declaration is not None and not declaration.prefilled
        assert "duty" in declaration.starter and "overrides any obligation" in declaration.starter
        assert "have complied with that duty" in declaration.starter
        assert TRUTH in declaration.starter and "liable to prosecution" in declaration.starter
    parole = section_for("parole", "declaration")
    assert parole is not None and "Parole Board" in parole.starter and "overrides any obligation" in parole.starter
    assert TRUTH in parole.starter
    # Section 9 of the Criminal Justice Act 1967 is for criminal proceedings, not the Board.
    assert "liable to prosecution" not in parole.starter
    for report_type in ("mappa", "police", "nhs_trust", "social_services", "consultation"):
        assert section_for(report_type, "declaration") is None
        assert not any(TRUTH in spec.starter for spec in sections_for(report_type))


@pytest.mark.parametrize("report_type", EXPERT_TYPES)
def test_every_report_starts_the_limits_of_confidentiality_for_its_own_readers(report_type):
    starter = section_for(report_type, "confidentiality").starter
    assert "not confidential" in starter and "serious harm" in starter and "stop the assessment" in starter
    readers = {
        "sentencing": "court",
        "bail": "court",
        "parole": "Parole Board",
        "mappa": "MAPPA",
        "police": "police",
        "nhs_trust": "NHS trust",
        "social_services": "social services",
        "consultation": "letter",
    }
    assert readers[report_type] in starter


def test_titles_fit_the_type():
    assert section_for("police", "index_behaviour").title == "The behaviour under investigation"
    assert section_for("bail", "index_behaviour").title == "The alleged offences"
    assert "allegations" in section_for("bail", "index_behaviour").guidance
    assert section_for("sentencing", "opinion").title == "Opinion and recommendations, including disposal"
    assert section_for("consultation", "opinion").title == "Advice and recommendations"
    with pytest.raises(KeyError):
        sections_for("not_a_type")
