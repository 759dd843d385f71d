"""What a research extract holds, and the files it is written as.

Row-level ("cases"): one row per case whose subject has not opted out under the National Data
Opt-out. Every value is a code from a fixed list, a month (YYYY-MM), an age band, a yes/no or a
keyed pseudonym; never free text, a name, an identifier, a contact detail, an address or a
reference. Summary ("summary"): the same fields counted, every count under 10 shown as "<10".

Pseudonyms are HMAC-SHA256 under ``settings.CASEWORK_RESEARCH_KEY`` (held apart from the data) of
the study's approval reference and the record's id: stable within one approved study (a person
seen in two cases, or in two extracts for the same study, keeps one pseudonym), unlinkable between
studies, and irreversible without the key. See docs/adr/0022-research-extracts.md.

The queries are fixed in number, whatever the size of the caseload.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from openpyxl import Workbook

from casework.assessments.choices import AssessmentStatus, Level
from casework.assessments.models import Assessment, Judgement
from casework.cases.choices import CaseKind, CaseStatus, ClosureReason, Relationship, StalkerType
from casework.cases.models import Case, CaseReferral, StalkingEpisode
from casework.organisations.models import OrganisationKind
from casework.people.models import Sex
from casework.referrals.choices import LegalStatus
from casework.treatment.choices import EnrolmentStatus, FollowUpPoint, LegalBasis
from casework.treatment.models import Enrolment, FollowUp

SUPPRESS_BELOW = 10
SUPPRESSED = "<10"
PSEUDONYM_HEX = 24  # 96 bits: no collision in any caseload this service will hold
SRP_CODE = "srp-structured"
SRP_OUTCOMES = ("violence", "persistence", "recurrence", "psychosocial_damage")
AGE_BANDS = ("under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
YES_NO = ("yes", "no")


class ResearchKeyMissing(ImproperlyConfigured):
    """No research key: no extract can be made (production never falls back to another key)."""


def research_key() -> bytes:
    key = getattr(settings, "CASEWORK_RESEARCH_KEY", "") or ""
    if not key:
        raise ResearchKeyMissing("CASEWORK_RESEARCH_KEY is not set: research extracts cannot be made")
    return key.encode("utf-8")


def key_fingerprint() -> str:
    """Which key made the pseudonyms, without showing it: 16 hex digits of an HMAC of a constant."""
    return hmac.new(research_key(), b"casework research key fingerprint", hashlib.sha256).hexdigest()[:16]


def study_of(approval_reference: str) -> str:
    """The approval reference as the pseudonyms' domain: case, spaces and punctuation ignored."""
    return "".join(c for c in approval_reference.upper() if c.isalnum())


def pseudonym(kind: str, pk: int, study: str) -> str:
    message = f"{study}|{kind}|{pk}".encode()
    return hmac.new(research_key(), message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def month(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year:04d}-{value.month:02d}"


def age_band(born: dt.date | None, on: dt.date | None) -> str:
    if born is None or on is None:
        return ""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 18:
        return "under_18"
    if age >= 65:
        return "65_plus"
    for band in AGE_BANDS[1:-1]:
        low, high = (int(n) for n in band.split("_"))
        if low <= age <= high:
            return band
    return ""


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


@dataclass(frozen=True)
class Column:
    name: str
    about: str
    values: tuple[str, ...] = ()  # the codes it may hold, for the summary (empty: not counted)


def _codes(choices: Any) -> tuple[str, ...]:
    return tuple(str(c.value) for c in choices)


FOLLOW_UP_COLUMNS = tuple(
    Column(f"followup_{point}m_{what}", f"At the {point}-month follow-up: {about} (yes, no; blank if not done)", YES_NO)
    for point in (p.value for p in FollowUpPoint)
    for what, about in (
        ("re_referred", "re-referred to the clinic"),
        ("further_stalking", "further stalking reported"),
        ("reconvicted", "reconvicted"),
    )
)

COLUMNS: tuple[Column, ...] = (
    Column("case_pseudonym", "Keyed pseudonym of the case (the same within this study)"),
    Column("person_pseudonym", "Keyed pseudonym of the person (links a person's cases within this study)"),
    Column("case_kind", "Kind of case", _codes(CaseKind)),
    Column("opened_month", "Month the case opened (YYYY-MM)"),
    Column("case_status", "Status of the case", _codes(CaseStatus)),
    Column("closed_month", "Month the case closed (YYYY-MM)"),
    Column("closure_reason", "Why the case closed", _codes(ClosureReason)),
    Column("sex", "Sex of the person", _codes(Sex)),
    Column("age_band", "Age when the case opened, in bands", AGE_BANDS),
    Column("referral_month", "Month the referral that opened the case was received (YYYY-MM)"),
    Column("referral_agency_type", "Kind of agency that referred", _codes(OrganisationKind)),
    Column("legal_status", "Legal status when referred", _codes(LegalStatus)),
    Column("stalker_type", "Stalker type (Mullen, Pathé and Purcell)", _codes(StalkerType)),
    Column("prior_relationship", "Prior relationship of the person stalked (first episode)", _codes(Relationship)),
    Column("srp_month", "Month the latest signed Stalking Risk Profile was signed (YYYY-MM)"),
    *(
        Column(f"srp_{outcome}", f"Latest signed SRP: {outcome.replace('_', ' ')} risk", _codes(Level))
        for outcome in SRP_OUTCOMES
    ),
    Column("treatment_legal_basis", "Legal basis of the latest treatment enrolment", _codes(LegalBasis)),
    Column("treatment_status", "Status of the latest treatment enrolment", _codes(EnrolmentStatus)),
    Column("treatment_completed", "Treatment completed (yes, no; blank if never enrolled)", YES_NO),
    Column("treatment_start_month", "Month treatment started (YYYY-MM)"),
    Column("treatment_end_month", "Month of discharge from treatment (YYYY-MM)"),
    *FOLLOW_UP_COLUMNS,
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)


@dataclass
class Built:
    columns: list[str]
    rows: list[list[Any]]
    opted_out_excluded: int  # cases left out for the opt-out: recorded in the log, never in the file
    about: list[tuple[str, str]]


def _included_cases():
    return Case.objects.filter(subject__national_data_opt_out=False)


def opted_out_case_count() -> int:
    return Case.objects.filter(subject__national_data_opt_out=True).count()


def _first_by_case(rows: Iterable[Any], key: str = "case_id") -> dict[int, dict[str, Any]]:
    """The first row of each case (the rows come ordered by case, then by preference)."""
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        found.setdefault(row[key], dict(row))
    return found


def case_rows(study: str) -> list[list[Any]]:
    """One row per included case, in COLUMNS order."""
    cases = list(
        _included_cases()
        .order_by("pk")
        .values(
            "pk",
            "subject_id",
            "kind",
            "opened_on",
            "status",
            "closed_on",
            "closure_reason",
            "stalker_type",
            "subject__sex",
            "subject__date_of_birth",
        )
    )
    included = _included_cases().values("pk")
    openings = _first_by_case(
        CaseReferral.objects.filter(case__in=included, opened_case=True)
        .order_by("case_id", "pk")
        .values("case_id", "referral__received_at", "referral__referring_organisation__kind", "referral__legal_status")
    )
    episodes = _first_by_case(
        StalkingEpisode.objects.filter(case__in=included)
        .order_by("case_id", "pk")
        .values("case_id", "prior_relationship")
    )
    srp = _first_by_case(
        Assessment.objects.filter(case__in=included, definition__code=SRP_CODE, status=AssessmentStatus.SIGNED)
        .order_by("case_id", "-signed_at", "-pk")
        .values("case_id", "pk", "signed_at")
    )
    levels: dict[int, dict[str, str]] = {}
    for judgement in Judgement.objects.filter(assessment_id__in=[a["pk"] for a in srp.values()]).values(
        "assessment_id", "outcome", "level"
    ):
        levels.setdefault(judgement["assessment_id"], {})[judgement["outcome"]] = judgement["level"]
    enrolments = _first_by_case(
        Enrolment.objects.filter(case__in=included)
        .order_by("case_id", "-starts_on", "-pk")
        .values("case_id", "pk", "legal_basis", "status", "starts_on", "discharged_on")
    )
    follow_ups: dict[int, dict[tuple[int, str], str]] = {}
    for follow in FollowUp.objects.filter(enrolment_id__in=[e["pk"] for e in enrolments.values()]).values(
        "enrolment_id", "point", "done_on", "re_referred", "further_stalking", "reconvicted"
    ):
        if follow["done_on"] is None:
            continue
        answers = follow_ups.setdefault(follow["enrolment_id"], {})
        for what in ("re_referred", "further_stalking", "reconvicted"):
            answers[(follow["point"], what)] = yes_no(follow[what])

    rows: list[list[Any]] = []
    for case in cases:
        opening = openings.get(case["pk"], {})
        episode = episodes.get(case["pk"], {})
        assessment = srp.get(case["pk"])
        judged = levels.get(assessment["pk"], {}) if assessment else {}
        enrolment = enrolments.get(case["pk"])
        answers = follow_ups.get(enrolment["pk"], {}) if enrolment else {}
        values: dict[str, Any] = {
            "case_pseudonym": pseudonym("case", case["pk"], study),
            "person_pseudonym": pseudonym("person", case["subject_id"], study),
            "case_kind": case["kind"],
            "opened_month": month(case["opened_on"]),
            "case_status": case["status"],
            "closed_month": month(case["closed_on"]),
            "closure_reason": case["closure_reason"],
            "sex": case["subject__sex"],
            "age_band": age_band(case["subject__date_of_birth"], case["opened_on"]),
            "referral_month": month(opening.get("referral__received_at")),
            "referral_agency_type": opening.get("referral__referring_organisation__kind") or "",
            "legal_status": opening.get("referral__legal_status") or "",
            "stalker_type": case["stalker_type"],
            "prior_relationship": episode.get("prior_relationship", ""),
            "srp_month": month(assessment["signed_at"]) if assessment else "",
            **{f"srp_{outcome}": judged.get(outcome, "") for outcome in SRP_OUTCOMES},
            "treatment_legal_basis": enrolment["legal_basis"] if enrolment else "",
            "treatment_status": enrolment["status"] if enrolment else "",
            "treatment_completed": yes_no(enrolment["status"] == EnrolmentStatus.COMPLETED) if enrolment else "",
            "treatment_start_month": month(enrolment["starts_on"]) if enrolment else "",
            "treatment_end_month": month(enrolment["discharged_on"]) if enrolment else "",
        }
        for column in FOLLOW_UP_COLUMNS:
            point, what = column.name.removeprefix("followup_").split("m_", 1)
            values[column.name] = answers.get((int(point), what), "")
        rows.append([values[name] or "" for name in COLUMN_NAMES])
    return rows


def suppress(count: int) -> int | str:
    return SUPPRESSED if count < SUPPRESS_BELOW else count


def summary_rows(case_table: list[list[Any]]) -> list[list[Any]]:
    """Counts of cases by each coded field, every count under 10 shown as "<10".

    Where a field has exactly one suppressed count, the next smallest is suppressed too, so the
    hidden one cannot be worked out from the total (complementary suppression)."""
    total = len(case_table)
    rows: list[list[Any]] = [["all_cases", "all", suppress(total)]]
    for position, column in enumerate(COLUMNS):
        if not column.values:
            continue
        counts = {value: 0 for value in (*column.values, "not_recorded")}
        for row in case_table:
            counts[row[position] or "not_recorded"] = counts.get(row[position] or "not_recorded", 0) + 1
        shown: dict[str, int | str] = {value: suppress(n) for value, n in counts.items()}
        hidden = [value for value, cell in shown.items() if cell == SUPPRESSED]
        if len(hidden) == 1:
            open_cells = sorted((n, value) for value, n in counts.items() if shown[value] != SUPPRESSED)
            if open_cells:
                shown[open_cells[0][1]] = SUPPRESSED
        rows.extend([column.name, value, cell] for value, cell in shown.items())
    return rows


def build(kind: str, approval_reference: str) -> Built:
    from casework.research.models import ExtractKind

    study = study_of(approval_reference)
    table = case_rows(study)
    excluded = opted_out_case_count()
    if kind == ExtractKind.SUMMARY:
        return Built(
            columns=["field", "value", "cases"],
            rows=summary_rows(table),
            opted_out_excluded=excluded,
            about=[
                ("Kind", "Summary counts of cases by field"),
                ("Suppression", f'Counts under {SUPPRESS_BELOW} are shown as "{SUPPRESSED}"'),
                *((c.name, c.about) for c in COLUMNS if c.values),
            ],
        )
    return Built(
        columns=list(COLUMN_NAMES),
        rows=table,
        opted_out_excluded=excluded,
        about=[("Kind", "One row per case, pseudonymised"), *((c.name, c.about) for c in COLUMNS)],
    )


def as_csv(built: Built) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(built.columns)
    writer.writerows(built.rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(built: Built, reference: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Extract"
    sheet.append(built.columns)
    for row in built.rows:
        sheet.append(row)
    about = book.create_sheet("About")
    about.append(["Extract", reference])
    for name, text in built.about:
        about.append([name, text])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
