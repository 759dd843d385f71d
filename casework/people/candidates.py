"""The glue between the person index (Django rows) and the matching engine (pure Python,
``casework.people.matching``): Person rows in, ranked candidates out.

The engine's API used here: ``normalise.PersonRecord`` and ``normalise.prepare``;
``blocking.index_keys`` / ``blocking.query_keys``; ``matcher.rank_candidates`` (results with
``score``, ``reasons``, ``verdict`` and ``b.record.record_id``) and ``matcher.find_duplicates``.

Privacy rules, applied here before the engine sees anything:

1. Candidates are drawn only from ``queries.persons_visible_to(user)`` (the scope is applied in
   the database query, before scoring), so a person the user may not see is never scored, and a
   list of candidates never says that one exists.
2. For a sealed person whose details the user may not see, the engine gets no address, postcode,
   telephone number or email address at all: they neither appear in the reasons nor move the
   score (a score that rose when a typed address matched would itself say where a victim lives),
   and blocking keys made from them are not used to find the person.
3. The engine's blocking keys hold identifiers in clear (``n:9434765919``), so the database holds
   only their HMAC (``PersonMatchKey.key_hash``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from casework.core import identifiers
from casework.people import crypto
from casework.people.matching.blocking import index_keys, query_keys
from casework.people.matching.matcher import MatchResult, rank_candidates
from casework.people.matching.normalise import PersonRecord, prepare
from casework.people.matching.scoring import DEFAULT_PARAMETERS, prior_for
from casework.people.models import (
    Person,
    PersonAddress,
    PersonMatchKey,
    PersonName,
)

BIDX_MATCH_KEY = "match"
# At most this many persons are scored for one look-up (those sharing the most keys first).
MAX_SCORED = 400
DEFAULT_LIMIT = 10
# Share of new records expected to have a duplicate already in the index (as matching.index).
DUPLICATE_RATE = 0.2


# --- Person rows to engine records ---------------------------------------------------------------


def _iso(value) -> str:
    return value.isoformat() if value else ""


def person_records(person: Person, *, include_contact: bool) -> list[PersonRecord]:
    """The engine records for one person: the current name with the current (newest) address,
    telephone number and email address, then one record per other name (previous names and
    aliases, e.g. a maiden name) and one per earlier address. Record ids are ``"<pk>:<n>"``.

    Expects ``other_names``, ``addresses``, ``phones`` and ``emails`` prefetched. With
    ``include_contact`` False the records carry no address, postcode, phone or email.
    """
    return [record for record, _ in person_variants(person, include_contact=include_contact)]


def person_variants(person: Person, *, include_contact: bool) -> list[tuple[PersonRecord, str]]:
    """``person_records`` with, for each, what it stands for when it is not the current record
    ("a previous name: Sarah Jones"), for the reasons shown to staff."""
    given = " ".join(p for p in (person.given_name, person.middle_names) if p)
    addresses = list(person.addresses.all()) if include_contact else []
    phones = list(person.phones.all()) if include_contact else []
    emails = list(person.emails.all()) if include_contact else []
    first_address = addresses[0] if addresses else None

    def make(n: int, given_name: str, family_name: str, address: PersonAddress | None) -> PersonRecord:
        return PersonRecord(
            record_id=f"{person.pk}:{n}",
            given_name=given_name,
            family_name=family_name,
            date_of_birth=_iso(person.date_of_birth),
            sex=person.sex if person.sex in ("female", "male") else "",
            nhs_number=person.nhs_number,
            pnc_id=person.pnc_id,
            address=address.address if address else "",
            postcode=address.postcode if address else "",
            phone=phones[0].number if phones else "",
            email=emails[0].address if emails else "",
            other_id=person.prison_number,
        )

    variants = [(make(0, given, person.family_name, first_address), "")]
    for name in person.other_names.all():
        record = make(len(variants), name.given_name or given, name.family_name or person.family_name, first_address)
        variants.append((record, f"compared with {name.get_kind_display().lower()} {name.full_name}"))
    for address in addresses[1:]:
        variants.append((make(len(variants), given, person.family_name, address), "compared with an earlier address"))
    return variants


def with_details(queryset):
    return queryset.prefetch_related(
        Prefetch("other_names", queryset=PersonName.objects.order_by("id")),
        "addresses",
        "phones",
        "emails",
    )


def person_id_of(record_id: str) -> int:
    return int(record_id.split(":", 1)[0])


# --- Blocking keys in the database -----------------------------------------------------------------


def _hash(key: str) -> str:
    return crypto.blind_index(BIDX_MATCH_KEY, key)


def match_keys_for(person: Person) -> dict[str, bool]:
    """HMACs of the person's blocking keys, each marked True if it comes only from contact details."""
    with_contact: set[str] = set()
    for record in person_records(person, include_contact=True):
        with_contact |= index_keys(prepare(record))
    without_contact: set[str] = set()
    for record in person_records(person, include_contact=False):
        without_contact |= index_keys(prepare(record))
    return {_hash(key): key not in without_contact for key in with_contact}


def refresh_match_keys(person: Person) -> None:
    """Rebuild the person's stored blocking keys from the record (called by every service that
    changes a person). A merged-away person has none."""
    person = with_details(Person.objects.filter(pk=person.pk)).first()
    if person is None:
        return
    if person.merged_into_id is not None:
        delete_match_keys(person)
        return
    wanted = match_keys_for(person)
    existing = {k.key_hash: k for k in PersonMatchKey.objects.filter(person=person)}
    stale = [k.pk for h, k in existing.items() if h not in wanted or k.from_contact_details != wanted[h]]
    if stale:
        PersonMatchKey.objects.filter(pk__in=stale).delete()
    keep = {h for h, k in existing.items() if k.pk not in stale}
    PersonMatchKey.objects.bulk_create(
        PersonMatchKey(person=person, key_hash=h, from_contact_details=contact)
        for h, contact in wanted.items()
        if h not in keep
    )


def delete_match_keys(person: Person) -> None:
    PersonMatchKey.objects.filter(person=person).delete()


# --- What a referral says about its subject or a named party ------------------------------------

_NHS_IN_TEXT = re.compile(r"(?<!\d)(\d{3}[\s-]?\d{3}[\s-]?\d{4})(?!\d)")
_PNC_IN_TEXT = re.compile(r"(?<![\w/])(\d{2}(?:\d{2})?/\d{1,7}[A-Za-z])(?!\w)")
_POSTCODE_IN_TEXT = re.compile(r"\b([A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2})\b")
_EMAIL_IN_TEXT = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_IN_TEXT = re.compile(r"(?<![\d/])(\+?[\d(][\d\s()-]{8,}\d)")
_DOB_IN_TEXT = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")


@dataclass
class FoundDetails:
    """Identifiers and contact details found in a referral's free text."""

    nhs_number: str = ""
    pnc_id: str = ""
    postcode: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    date_of_birth: str = ""


def details_in_text(text: str) -> FoundDetails:
    """Pick out what the referrer typed in a free-text box: a valid NHS number, a PNC ID, a UK
    postcode (and the line it is on, as the address), an email address, a telephone number, a
    date of birth written dd/mm/yyyy."""
    found = FoundDetails()
    text = text or ""
    for match in _NHS_IN_TEXT.finditer(text):
        if identifiers.is_valid_nhs_number(match.group(1)):
            found.nhs_number = identifiers.normalise_nhs_number(match.group(1))
            break
    pnc = _PNC_IN_TEXT.search(text)
    parsed_pnc = identifiers.parse_pnc_id(pnc.group(1)) if pnc else None
    if parsed_pnc:
        found.pnc_id = parsed_pnc.canonical
    email = _EMAIL_IN_TEXT.search(text)
    if email:
        found.email = email.group(0)
    for line in text.splitlines():
        postcode = _POSTCODE_IN_TEXT.search(line)
        if postcode:
            found.postcode = identifiers.normalise_postcode(postcode.group(1))
            found.address = line.strip()
            break
    for match in _PHONE_IN_TEXT.finditer(text):
        candidate = match.group(1)
        if identifiers.normalise_nhs_number(candidate) == found.nhs_number and found.nhs_number:
            continue
        phone = identifiers.normalise_phone(candidate)
        if phone:
            found.phone = phone
            break
    dob = _DOB_IN_TEXT.search(text)
    if dob:
        found.date_of_birth = f"{int(dob.group(3)):04d}-{int(dob.group(2)):02d}-{int(dob.group(1)):02d}"
    return found


def split_name(full_name: str) -> tuple[str, str]:
    """Given names and family name from one name as typed (family name last)."""
    parts = (full_name or "").split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return "", parts[0]
    return " ".join(parts[:-1]), parts[-1]


def referral_record(referral, named_party=None) -> PersonRecord:
    """What the referral says about its subject (``named_party`` None) or one named party."""
    if named_party is None:
        found = details_in_text(referral.subject_details)
        dob = _iso(referral.subject_date_of_birth) or found.date_of_birth
        given, family = referral.subject_given_name, referral.subject_family_name
        prison = referral.prison_number
    else:
        found = details_in_text(named_party.details)
        dob = found.date_of_birth
        given, family = split_name(named_party.name)
        prison = ""
    return PersonRecord(
        record_id="referral",
        given_name=given,
        family_name=family,
        date_of_birth=dob,
        nhs_number=found.nhs_number,
        pnc_id=found.pnc_id,
        address=found.address,
        postcode=found.postcode,
        phone=found.phone,
        email=found.email,
        other_id=prison,
    )


# --- Candidates for one look-up ------------------------------------------------------------------


@dataclass
class Candidate:
    person: Person
    score: float  # 0..1
    reasons: list[str]
    verdict: str
    details_withheld: bool  # a sealed person scored without their contact details

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def reason_text(self) -> str:
        return "; ".join(self.reasons)


def candidates_for(
    user, record: PersonRecord, *, exclude_ids: Iterable[int] = (), limit: int = DEFAULT_LIMIT
) -> list[Candidate]:
    """Persons the user may see who may be the person ``record`` describes, best first."""
    # Here, not at the top: people.queries builds on this module (person_records, with_details).
    from casework.people.queries import persons_visible_to, persons_with_visible_details, sealed_details_visible_ids

    wanted = prepare(record)
    hashes = [h for key in query_keys(wanted) for h in crypto.blind_indexes(BIDX_MATCH_KEY, key)]
    if not hashes:
        return []
    visible = persons_visible_to(user).exclude(pk__in=list(exclude_ids))
    keys = PersonMatchKey.objects.filter(key_hash__in=hashes, person__in=visible.values("pk")).filter(
        Q(from_contact_details=False) | Q(person__in=visible.filter(persons_with_visible_details(user)).values("pk"))
    )
    # Those sharing the most keys first, so that the cap drops the weakest.
    person_ids = list(
        keys.values("person_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "person_id")
        .values_list("person_id", flat=True)[:MAX_SCORED]
    )
    if not person_ids:
        return []
    # The prior odds follow the size of the index the user may search, as the engine's own index does.
    parameters = DEFAULT_PARAMETERS.with_prior(prior_for(visible.count(), DUPLICATE_RATE))
    persons = list(with_details(visible.filter(pk__in=person_ids)))
    sealed_ids = [p.pk for p in persons if p.is_sealed]
    open_ids = sealed_details_visible_ids(user, sealed_ids)
    prepared = []
    by_id: dict[int, Person] = {}
    notes: dict[str, str] = {}
    withheld: set[int] = set()
    for person in persons:
        include_contact = not person.is_sealed or person.pk in open_ids
        if not include_contact:
            withheld.add(person.pk)
        by_id[person.pk] = person
        for record, note in person_variants(person, include_contact=include_contact):
            prepared.append(prepare(record))
            notes[record.record_id] = note
    best: dict[int, MatchResult] = {}
    for result in rank_candidates(wanted, prepared, parameters, limit=None):
        pk = person_id_of(result.b.record.record_id)
        if pk not in best or result.score > best[pk].score:
            best[pk] = result
    ranked = sorted(best.items(), key=lambda item: (-item[1].score, by_id[item[0]].reference))[:limit]
    return [
        Candidate(
            person=by_id[pk],
            score=result.score,
            verdict=result.verdict,
            details_withheld=pk in withheld,
            reasons=[n for n in [notes[result.b.record.record_id]] if n] + result.reasons,
        )
        for pk, result in ranked
    ]


def index_records(persons: Iterable[Person]) -> list[PersonRecord]:
    """Every engine record of every person given (all details: for the data-quality command,
    which prints references and scores only)."""
    records: list[PersonRecord] = []
    for person in persons:
        records.extend(person_records(person, include_contact=True))
    return records
