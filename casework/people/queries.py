"""Readers for the person index. Every person a user sees comes through ``persons_visible_to``;
every sealed detail through ``can_see_sealed_details``. Both ask the access rules
(``casework.access.scopes`` and ``casework.access.sealed``): coordinators and clinical leads see
every person, clinicians the persons of their referrals, care teams and case teams, nobody sees
a person across an information barrier from their own cases, and a sealed person's contact
details are for their care team and break-glass only (docs/adr/0006).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, F, Lookup, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from casework.access import policy
from casework.access.policy import persons_linked_to as links_for_referral  # noqa: F401  (a name the people pages use)
from casework.access.sealed import (  # noqa: F401  (the people app's readers of the one sealed-details rule)
    can_see_sealed_details,
    is_on_care_team,
    persons_with_visible_details,
    sealed_details_visible_ids,
    withheld_party_ids,
)
from casework.accounts.models import User
from casework.core import identifiers
from casework.core.roles import Role
from casework.people import crypto
from casework.people.models import (
    BIDX_EMAIL,
    BIDX_NHS,
    BIDX_PHONE,
    BIDX_PNC,
    BIDX_POSTCODE,
    BIDX_PRISON,
    OnlineIdentifier,
    Person,
    PersonAddress,
    PersonCareTeam,
    PersonEmail,
    PersonMerge,
    PersonName,
    PersonPhone,
    ReferralPersonLink,
)
from casework.referrals.models import NamedParty, Referral

OBJECT_TYPE = "people.person"


def persons_visible_to(user) -> QuerySet[Person]:
    return policy.visible(user, Person)


def person_for(user, reference: str) -> Person | None:
    return persons_visible_to(user).select_related("created_by").filter(reference=reference).first()


# --- Sealed details ------------------------------------------------------------------------------


# --- Searching ---------------------------------------------------------------------------------

_REFERENCE_PREFIXES = ("REF-",)


def persons_search(user, queryset: QuerySet[Person], text: str) -> QuerySet[Person]:
    """Narrow an already-scoped list by what was typed: an NHS number, PNC ID or prison number
    (exact, through the blind index), a referral reference (of a referral the user may see), an
    email address or telephone number (exact, blind index, only persons whose contact details
    the user may see), or otherwise words of a name (current, previous names and aliases)."""
    text = (text or "").strip()
    if not text:
        return queryset
    upper = text.upper()
    if upper.startswith(_REFERENCE_PREFIXES):
        referrals = policy.visible(user, Referral).filter(reference__iexact=text).values("pk")
        return queryset.filter(Exists(ReferralPersonLink.objects.filter(person=OuterRef("pk"), referral__in=referrals)))
    digits = identifiers.normalise_nhs_number(text)
    if len(digits) == 10 and digits.isdigit() and identifiers.is_valid_nhs_number(digits):
        return queryset.filter(nhs_number_bidx__in=crypto.blind_indexes(BIDX_NHS, digits))
    pnc = identifiers.parse_pnc_id(text)
    if pnc is not None:
        return queryset.filter(pnc_id_bidx__in=crypto.blind_indexes(BIDX_PNC, pnc.canonical))
    if "@" in text:
        index = crypto.blind_indexes(BIDX_EMAIL, identifiers.normalise_email(text))
        return queryset.filter(persons_with_visible_details(user)).filter(
            Exists(PersonEmail.objects.filter(person=OuterRef("pk"), address_bidx__in=index))
        )
    phone = identifiers.normalise_phone(text) if sum(ch.isdigit() for ch in text) >= 9 else ""
    if phone:
        index = crypto.blind_indexes(BIDX_PHONE, phone)
        return queryset.filter(persons_with_visible_details(user)).filter(
            Exists(PersonPhone.objects.filter(person=OuterRef("pk"), number_bidx__in=index))
        )
    prison = identifiers.normalise_prison_number(text)
    if any(ch.isdigit() for ch in prison) and prison.isalnum():
        prison_match = queryset.filter(prison_number_bidx__in=crypto.blind_indexes(BIDX_PRISON, prison))
        postcode = identifiers.normalise_postcode(text)
        if " " in postcode:  # a whole UK postcode
            index = crypto.blind_indexes(BIDX_POSTCODE, postcode)
            by_postcode = queryset.filter(persons_with_visible_details(user)).filter(
                Exists(PersonAddress.objects.filter(person=OuterRef("pk"), postcode_bidx__in=index))
            )
            return queryset.filter(Q(pk__in=prison_match.values("pk")) | Q(pk__in=by_postcode.values("pk")))
        return prison_match
    for word in text.split()[:5]:
        queryset = queryset.filter(_named(word))
    return queryset


class _IdAmong(Lookup):
    """``id = ANY(...)`` (PostgreSQL): with a list, the ids as one array parameter (``pk__in=ids``
    sends one parameter per id, each parsed and bound on every query); with a subquery,
    ``ARRAY(subquery)``, worked out once before the scan (an InitPlan), so that the condition can be
    one arm of a BitmapOr beside the trigram indexes, where ``id IN (subquery)`` inside an OR makes
    the planner test every row of the table."""

    lookup_name = "id_among"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if hasattr(self.rhs, "as_sql"):  # the subquery (resolved to its query)
            sql, params = compiler.compile(self.rhs)
            return f"{lhs} = ANY(ARRAY({sql}))", [*lhs_params, *params]
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


# SQLite's FTS5 trigram index of every name of a person (people migration 0006): its rowid is the
# person's id. The word is one parameter, quoted as an FTS5 string, so nothing in it is an operator.
_FTS_NAMES = "SELECT rowid FROM people_name_fts WHERE people_name_fts MATCH %s"
FTS_MIN_LENGTH = 3  # a trigram index finds nothing shorter


def fts_phrase(word: str) -> str:
    """``word`` as an FTS5 string: in double quotes, each double quote doubled. Inside one, AND, OR,
    NOT, NEAR, ``*``, ``^``, ``:``, brackets and quotes are all literal text."""
    return '"' + word.replace('"', '""') + '"'


def _named(word: str) -> Q | Lookup:
    """The condition on a person that ``word`` is in one of their names (current, middle,
    preferred, previous or alias), case-insensitively.

    On PostgreSQL the four name columns' ``icontains`` (each served by its ``pg_trgm`` index,
    migration 0005; ADR 0025) ORed with ``id = ANY(ARRAY(persons with an other name containing
    it))``: one BitmapOr, so the list reads each matching person once, straight from the index
    lookup, where it used to read the ids first and then fetch each row by id twice, to count and to
    page (docs/benchmarks/load.md). On SQLite a word of three letters or more is looked up in the
    FTS5 trigram index of migration 0006, which folds case as PostgreSQL's ``UPPER`` does (non-ASCII
    letters too, which SQLite's ``LIKE`` does not); a shorter word takes the substring path."""
    if connection.vendor == "sqlite" and len(word) >= FTS_MIN_LENGTH:
        # A constant statement; the word is only ever its parameter.
        return Q(pk__in=RawSQL(_FTS_NAMES, [fts_phrase(word)]))  # noqa: S611
    own = (
        Q(given_name__icontains=word)
        | Q(family_name__icontains=word)
        | Q(middle_names__icontains=word)
        | Q(preferred_name__icontains=word)
    )
    other = (
        PersonName.objects.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
        .order_by()
        .values("person_id")
    )
    if connection.vendor == "postgresql":
        return own | Q(_IdAmong(F("pk"), other))
    return own | Q(pk__in=other)


def identifier_kind(text: str) -> str | None:
    """What kind of identifier ``text`` is, when it is one a person is found by exactly: "NHS
    number" (ten digits passing Modulus 11), "PNC ID" or "prison number"; otherwise None."""
    text = (text or "").strip()
    digits = identifiers.normalise_nhs_number(text)
    if len(digits) == 10 and digits.isdigit() and identifiers.is_valid_nhs_number(digits):
        return "NHS number"
    if identifiers.parse_pnc_id(text) is not None:
        return "PNC ID"
    if identifiers.is_nomis_prison_number(text):
        return "prison number"
    return None


def persons_with_identifier(user, text: str, limit: int = 20) -> list[Person]:
    """The persons ``user`` may see whose NHS number, PNC ID or prison number is ``text`` (exact,
    through the blind index); none when ``text`` is not such an identifier."""
    if identifier_kind(text) is None:
        return []
    return list(
        persons_search(user, persons_visible_to(user), text).order_by("family_name", "given_name", "id")[:limit]
    )


LIST_ORDER = ("family_name", "given_name", "id")
# The same order, as expressions no index serves (``name || ''`` sorts exactly as ``name``).
_SEARCH_ORDER = (Concat("family_name", Value("")), Concat("given_name", Value("")), "id")


def persons_for_list(user, text: str = "") -> QuerySet[Person]:
    """The person list, by family name, given name and id. When something was typed, on PostgreSQL,
    the same order is written so that the name index cannot serve it: with the index, the planner
    walks every person in name order expecting to meet a page of matches early, testing each against
    the search (for "Smith" the matches sit late in the alphabet: at 200,000 persons, hundreds of
    milliseconds). Without it, the matching rows are read from the trigram indexes' bitmap and the
    top of them sorted; the person list reads the page and the total in that one query
    (``paginate_counted``; docs/benchmarks/load.md)."""
    found = persons_search(user, persons_visible_to(user), text)
    if (text or "").strip() and connection.vendor == "postgresql":
        return found.order_by(*_SEARCH_ORDER)
    return found.order_by(*LIST_ORDER)


# --- One person's page ---------------------------------------------------------------------------


@dataclass
class PersonDetails:
    """What the person page shows. Contact details are fetched only when they may be shown."""

    person: Person
    details_visible: bool
    other_names: list[PersonName]
    addresses: list[PersonAddress] = field(default_factory=list)
    phones: list[PersonPhone] = field(default_factory=list)
    emails: list[PersonEmail] = field(default_factory=list)
    online_identifiers: list[OnlineIdentifier] = field(default_factory=list)
    referral_links: list[ReferralPersonLink] = field(default_factory=list)
    care_team: list[PersonCareTeam] = field(default_factory=list)
    merges: list[PersonMerge] = field(default_factory=list)

    @property
    def workplace(self) -> str:
        return self.person.workplace if self.details_visible else ""


def person_details(user, person: Person) -> PersonDetails:
    visible = can_see_sealed_details(user, person)
    details = PersonDetails(
        person=person,
        details_visible=visible,
        other_names=list(person.other_names.order_by("kind", "id")),
    )
    if visible:
        details.addresses = list(person.addresses.all())
        details.phones = list(person.phones.all())
        details.emails = list(person.emails.all())
        details.online_identifiers = list(person.online_identifiers.all())
    details.referral_links = referral_links_of(user, person)
    details.care_team = list(person.care_team.select_related("user").order_by("added_at", "id"))
    if user.has_perm("people.merge"):
        details.merges = list(
            PersonMerge.objects.filter(Q(source=person) | Q(target=person))
            .select_related("source", "target", "merged_by", "unmerged_by")
            .order_by("-merged_at", "-id")
        )
    return details


def referral_links_of(user, person: Person) -> list[ReferralPersonLink]:
    """The person's links to referrals the user may see (others are not listed)."""
    return list(
        person.referral_links.filter(referral__in=policy.visible(user, Referral).values("pk"))
        .select_related("referral", "named_party")
        .order_by("-linked_at", "-id")
    )


def person_detail_of(person: Person, model, pk) -> object | None:
    """One of the person's names, addresses, numbers, emails or online identifiers."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return model.objects.filter(person=person, pk=pk).first()


def care_team_member_of(person: Person, pk) -> PersonCareTeam | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return PersonCareTeam.objects.filter(person=person, pk=pk).select_related("user").first()


def staff_for_care_team(person: Person) -> QuerySet[User]:
    """Active clinic staff who may join a care team and are not on this one yet."""
    return (
        User.objects.filter(is_active=True, role__in=[Role.CLINICIAN, Role.CLINICAL_LEAD, Role.REFERRALS_COORDINATOR])
        .exclude(care_teams__person=person)
        .order_by("full_name", "id")
    )


def staff_member(pk) -> User | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return User.objects.filter(
        pk=pk, is_active=True, role__in=[Role.CLINICIAN, Role.CLINICAL_LEAD, Role.REFERRALS_COORDINATOR]
    ).first()


# --- Referrals and links -----------------------------------------------------------------------


def referral_for_linking(user, reference: str) -> Referral | None:
    """A submitted referral the user is related to (linking writes: never by break-glass alone)."""
    return (
        policy.related(user, Referral)
        .filter(reference=reference)
        .select_related("referring_organisation")
        .prefetch_related(Prefetch("named_parties", queryset=NamedParty.objects.order_by("id")))
        .first()
    )


def named_party_of(referral: Referral, party_id) -> NamedParty | None:
    try:
        party_id = int(party_id)
    except (TypeError, ValueError):
        return None
    return next((p for p in referral.named_parties.all() if p.pk == party_id), None)


def link_for(referral: Referral, named_party: NamedParty | None) -> ReferralPersonLink | None:
    return (
        ReferralPersonLink.objects.filter(referral=referral, named_party=named_party)
        .select_related("person", "linked_by")
        .first()
    )


# --- Merges ---------------------------------------------------------------------------------------


def merge_for(user, pk) -> PersonMerge | None:
    """A merge record, for clinical leads (who see every person)."""
    if not user.has_perm("people.merge"):
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return PersonMerge.objects.select_related("source", "target", "merged_by", "unmerged_by").filter(pk=pk).first()


def merged_person_for(user, reference: str) -> Person | None:
    """A person merged away (hidden from lists), for the clinical lead undoing the merge."""
    if not user.has_perm("people.merge"):
        return None
    return Person.objects.filter(reference=reference, merged_into__isnull=False).select_related("merged_into").first()
