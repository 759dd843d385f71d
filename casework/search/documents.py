"""What each record puts in the search index, and what it never does.

A referral (once submitted):

- heading: its reference and the subject's name as the referrer gave it;
- details: the behaviour summary and the names of the people it names (as given).

A case:

- heading: its reference, the subject's name (as the case list shows it, and as the referral
  gave it) and the references of the referrals whose work it holds;
- clinical: the other parties' names as given and their relationship to the subject, and the
  incident descriptions, newest first. Only users who may read a case's clinical content search
  this part (``queries.search``).

Never indexed, whoever might search: anything encrypted at rest in the person index (addresses,
postcodes, telephone numbers, email addresses, online identifiers, workplaces, NHS numbers, PNC
IDs, prison numbers), a person record's other names, a referral's "other details about the
subject" and a named party's "other details" (where referrers write addresses and contact
details), the referrer's own contact details, exclusion-zone details (they describe where a
victim lives or works), MAPPA and agency officers' contact details. A victim party appears in a
case's document only by the name the referral gave, never by the person record's current name,
which may be a new identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from casework.cases.choices import PartyRole
from casework.cases.models import Case, CaseParty, CaseReferral, Incident
from casework.referrals.choices import Status as ReferralStatus
from casework.referrals.models import NamedParty, Referral
from casework.search.models import RecordType
from casework.search.text import clean

HEADING_LIMIT = 2_000
DETAILS_LIMIT = 20_000
CLINICAL_LIMIT = 200_000


@dataclass(frozen=True)
class Parts:
    record_type: str
    record_id: int
    reference: str
    heading: str
    details: str
    clinical: str


def _join(values: Iterable[str]) -> str:
    """One value a line, blanks and repeats (ignoring case) left out."""
    seen, lines = set(), []
    for value in values:
        value = (value or "").strip()
        if value and value.lower() not in seen:
            seen.add(value.lower())
            lines.append(value)
    return "\n".join(lines)


def _parts(record_type: str, record_id: int, reference: str, heading, details=(), clinical=()) -> Parts:
    return Parts(
        record_type=record_type,
        record_id=record_id,
        reference=reference,
        heading=clean(_join(heading), HEADING_LIMIT),
        details=clean(_join(details), DETAILS_LIMIT),
        clinical=clean(_join(clinical), CLINICAL_LIMIT),
    )


# --- Referrals ----------------------------------------------------------------------------------


def indexable_referrals() -> QuerySet[Referral]:
    """Referrals that belong in the index (submitted ones), with what their documents need."""
    return (
        Referral.objects.exclude(status=ReferralStatus.DRAFT)
        .exclude(reference="")
        .only("pk", "reference", "subject_given_name", "subject_family_name", "behaviour_summary")
        .prefetch_related(Prefetch("named_parties", queryset=NamedParty.objects.only("pk", "referral_id", "name")))
        .order_by("pk")
    )


def referral_parts(referral: Referral) -> Parts:
    """``referral`` from ``indexable_referrals()`` (its named parties prefetched)."""
    return _parts(
        RecordType.REFERRAL,
        referral.pk,
        referral.reference,
        heading=[referral.reference, f"{referral.subject_given_name} {referral.subject_family_name}"],
        details=[referral.behaviour_summary, *(p.name for p in referral.named_parties.all())],
    )


# --- Cases --------------------------------------------------------------------------------------


def indexable_cases() -> QuerySet[Case]:
    """Every case, with what its document needs, in a fixed number of queries."""
    return (
        Case.objects.select_related("subject")
        .only(
            "pk",
            "reference",
            "subject__given_name",
            "subject__middle_names",
            "subject__family_name",
            "subject__preferred_name",
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=CaseParty.objects.only(
                    "pk", "case_id", "role", "name_as_given", "relationship_to_subject"
                ).order_by("id"),
            ),
            Prefetch(
                "incidents",
                queryset=Incident.objects.only("pk", "case_id", "description", "occurred_on").order_by(
                    "-occurred_on", "-id"
                ),
            ),
            Prefetch(
                "case_referrals",
                queryset=CaseReferral.objects.select_related("referral")
                .only("pk", "case_id", "referral__reference")
                .order_by("id"),
            ),
        )
        .order_by("pk")
    )


def case_parts(case: Case) -> Parts:
    """``case`` from ``indexable_cases()`` (its parties, incidents and referrals prefetched)."""
    subject = case.subject
    parties = list(case.parties.all())
    subject_as_given = [p.name_as_given for p in parties if p.role == PartyRole.SUBJECT]
    others = [p for p in parties if p.role != PartyRole.SUBJECT]
    return _parts(
        RecordType.CASE,
        case.pk,
        case.reference,
        heading=[
            case.reference,
            " ".join(n for n in (subject.given_name, subject.middle_names, subject.family_name) if n),
            subject.preferred_name,
            *subject_as_given,
            *(link.referral.reference for link in case.case_referrals.all()),
        ],
        clinical=[
            *(_join([p.name_as_given, p.relationship_to_subject]) for p in others),
            *(incident.description for incident in case.incidents.all()),
        ],
    )


def in_batches(queryset: QuerySet, size: int) -> Iterator[list]:
    """The rows of ``queryset`` (ordered by pk), ``size`` at a time, each batch with its prefetches."""
    last = None
    while True:
        batch = queryset.filter(pk__gt=last) if last is not None else queryset
        rows = list(batch[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk
