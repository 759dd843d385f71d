"""Readers for the person index. Every person a user sees comes through ``persons_visible_to``;
every sealed detail through ``can_see_sealed_details``.

Who sees persons (deny by default):

- referrals coordinators and clinical leads: every person (not merged away);
- clinicians: persons linked to a referral they may see (``referrals_visible_to``, which already
  counts allocation and break-glass), persons on whose care team they are, and persons they hold
  an active break-glass grant on;
- everyone else (finance, researchers, system administrators, agency referrers): none.

Who sees a sealed person's addresses, telephone numbers, email addresses, online identifiers
and workplace: only members of that person's care team, and anyone holding an active
break-glass grant on the person. Not clinical leads as such (see docs/adr/0006): a lead who is
not on the team uses break-glass, which is audited and alerts the other leads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import CharField, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from casework.accounts.models import User
from casework.accounts.roles import Role
from casework.audit.models import BreakGlassGrant
from casework.people import crypto, identifiers
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


def _active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _break_glass_on_person(user) -> Exists:
    return Exists(
        BreakGlassGrant.objects.filter(
            user=user, object_type=OBJECT_TYPE, object_id=Cast(OuterRef("pk"), CharField()),
            expires_at__gt=timezone.now(),
        )
    )


def _behind_barrier(user):
    """Persons on the far side of an information barrier from the user's cases: victims who are
    clients, seen from their stalker's case. Their person records are never shown on that side."""
    from casework.cases.barrier import persons_behind_barrier_for

    # Evaluated here (one query, usually an empty list): nesting it as a subquery inside the other
    # scoped subqueries makes SQL too deep for SQLite's parser.
    return list(persons_behind_barrier_for(user))


def persons_visible_to(user) -> QuerySet[Person]:
    if not _active_user(user):
        return Person.objects.none()
    base = Person.objects.filter(merged_into__isnull=True).exclude(pk__in=_behind_barrier(user))
    if user.role in (Role.REFERRALS_COORDINATOR, Role.CLINICAL_LEAD):
        return base
    if user.role == Role.CLINICIAN:
        from casework.referrals.queries import referrals_visible_to

        linked = ReferralPersonLink.objects.filter(
            person=OuterRef("pk"), referral__in=referrals_visible_to(user).values("pk")
        )
        on_team = PersonCareTeam.objects.filter(person=OuterRef("pk"), user=user)
        return base.filter(Exists(linked) | Exists(on_team) | _break_glass_on_person(user))
    return Person.objects.none()


def person_for(user, reference: str) -> Person | None:
    return persons_visible_to(user).select_related("created_by").filter(reference=reference).first()


# --- Sealed details ------------------------------------------------------------------------------


def withheld_party_ids(user, referral) -> set[int]:
    """The referral's named parties whose free-text details this user must not read: those linked
    to a sealed person whose details the user may not see, or to a person behind an information
    barrier from the user's cases. (The name as given and the relationship stay visible.)"""
    links = list(
        ReferralPersonLink.objects.filter(referral=referral, named_party__isnull=False)
        .values_list("named_party_id", "person_id", "person__is_sealed")
    )
    if not links:
        return set()
    behind = set(_behind_barrier(user))
    sealed = [person for _, person, is_sealed in links if is_sealed]
    visible_sealed = sealed_details_visible_ids(user, sealed) if sealed else set()
    return {
        party for party, person, is_sealed in links
        if person in behind or (is_sealed and person not in visible_sealed)
    }



def can_see_sealed_details(user, person: Person) -> bool:
    """Whether ``user`` may see this person's contact details, addresses, online identifiers and
    workplace. Always true for a person who is not sealed (visibility of the person itself is
    ``persons_visible_to``'s job); for a sealed person, only their care team and break-glass.

    A later issue re-points this at case teams.
    """
    if person is None or not _active_user(user):
        return False
    if not person.is_sealed:
        return True
    return bool(sealed_details_visible_ids(user, [person.pk]))


def sealed_details_visible_ids(user, person_ids: Iterable[int]) -> set[int]:
    """Of ``person_ids``, the sealed persons whose details ``user`` may see (two queries at most)."""
    ids = list(person_ids)
    if not ids or not _active_user(user):
        return set()
    visible = set(PersonCareTeam.objects.filter(user=user, person_id__in=ids).values_list("person_id", flat=True))
    grants = BreakGlassGrant.objects.filter(
        user=user, object_type=OBJECT_TYPE, object_id__in=[str(i) for i in ids], expires_at__gt=timezone.now()
    ).values_list("object_id", flat=True)
    visible.update(int(object_id) for object_id in grants)
    return visible


def persons_with_visible_details(user) -> Q:
    """A filter on Person: those whose contact details ``user`` may see (for look-ups by contact
    detail, so that a search by a sealed person's phone number is no oracle)."""
    on_team = PersonCareTeam.objects.filter(person=OuterRef("pk"), user=user)
    return Q(is_sealed=False) | Q(Exists(on_team)) | Q(_break_glass_on_person(user))


def is_on_care_team(user, person: Person) -> bool:
    if person is None or not _active_user(user):
        return False
    return PersonCareTeam.objects.filter(person=person, user=user).exists()


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
        from casework.referrals.queries import referrals_visible_to

        referrals = referrals_visible_to(user).filter(reference__iexact=text).values("pk")
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
        other = PersonName.objects.filter(person=OuterRef("pk")).filter(
            Q(given_name__icontains=word) | Q(family_name__icontains=word)
        )
        queryset = queryset.filter(
            Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(middle_names__icontains=word)
            | Q(preferred_name__icontains=word) | Exists(other)
        )
    return queryset


def persons_for_list(user, text: str = "") -> QuerySet[Person]:
    return persons_search(user, persons_visible_to(user), text).order_by("family_name", "given_name", "id")


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
        person=person, details_visible=visible, other_names=list(person.other_names.order_by("kind", "id")),
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
    from casework.referrals.queries import referrals_visible_to

    return list(
        person.referral_links.filter(referral__in=referrals_visible_to(user).values("pk"))
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
        User.objects.filter(
            is_active=True, role__in=[Role.CLINICIAN, Role.CLINICAL_LEAD, Role.REFERRALS_COORDINATOR]
        )
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
    """A submitted referral the user may see, for the linking pages."""
    from casework.referrals.queries import referrals_visible_to

    return (
        referrals_visible_to(user).filter(reference=reference)
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
        .select_related("person", "linked_by").first()
    )


def links_for_referral(user, referral: Referral) -> list[ReferralPersonLink]:
    """A referral's links to persons the user may see: subject first, then parties in order.
    For the referral page (a person the user may not see is not listed)."""
    return list(
        ReferralPersonLink.objects.filter(referral=referral, person__in=persons_visible_to(user).values("pk"))
        .select_related("person", "named_party")
        .order_by(F("named_party_id").asc(nulls_first=True), "id")
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
