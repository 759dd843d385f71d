"""Which records hold personal data, and how each one hangs off the record whose rules it follows.

Access is decided for three kinds of *anchor* record, each owned by one app:

- a **case** (``cases``): its team, its parties, the referrals whose work it holds;
- a **person** (``people``): their care team, their links to referrals, whether they are sealed;
- a **referral** (``referrals``): who it is allocated to, the organisation that sent it.

Every other record with personal data belongs to one anchor and follows its rules: an incident
follows its case, a document its referral, an address its person. An app registers its records
when it is ready (``AppConfig.ready``), so this package never imports the apps above it:

    access.register_cases(case=Case, team=CaseTeamMember, party=CaseParty, referral_link=CaseReferral)
    access.register(Incident, within="case", path="case")
    access.register(ReferralDocument, within="referral", path="referral")

``path`` is the ORM lookup from the record to its anchor ("case", "referral", "episode__case");
an anchor's own path is "pk". The access rules (``scopes``, ``barrier``, ``sealed``,
``breakglass``) are written against the field names each ``register_*`` function documents; a
system check (``checks.py``) and the access test suite fail when a registration does not fit.

The rules reach a registered model's rows through ``_default_manager`` (Django's way for code that
handles models it does not import), and the system check requires that manager to be ``objects``,
so the rules read exactly the rows the owning app reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Model

from casework.access import memo

CASE = "case"
PERSON = "person"
REFERRAL = "referral"
ANCHORS = (CASE, PERSON, REFERRAL)


class NotRegistered(LookupError):
    """A record type nobody registered: access to it is refused (deny by default)."""


@dataclass(frozen=True)
class Kind:
    """One registered record type: which anchor it follows and how to reach it."""

    model: type[Model]
    within: str
    path: str
    # A sealed person's contact details: readable only by their care team and break-glass (``sealed``).
    sealed: bool = False

    @property
    def label(self) -> str:
        """The type as the audit trail names it ("cases.incident")."""
        return self.model._meta.label_lower

    @property
    def is_anchor(self) -> bool:
        return self.path == "pk"

    def anchor_of(self, obj: Model) -> Model | None:
        """The anchor record ``obj`` belongs to (``obj`` itself for an anchor)."""
        if self.is_anchor:
            return obj
        current: Model | None = obj
        for step in self.path.split("__"):
            current = getattr(current, step, None)
            if current is None:
                return None
        return current


class CaseRecord(Protocol):
    """A registered case as the access rules read it (the fields ``CaseModels`` documents)."""

    pk: Any
    kind: str


class PersonRecord(Protocol):
    """A registered person as the access rules read it (the fields ``PeopleModels`` documents)."""

    pk: Any
    is_sealed: bool


@dataclass(frozen=True)
class CaseModels:
    """``case``: fields ``kind``, ``subject`` (a person), ``status``. ``team``: ``case``, ``user``,
    ``role`` (related name ``team`` on the case). ``party``: ``case``, ``person``, ``role``
    (related name ``parties``; on the person ``case_parties``). ``referral_link``: ``case``,
    ``referral`` (one per referral, related name ``case_link`` on the referral)."""

    case: type[Model]
    team: type[Model]
    party: type[Model]
    referral_link: type[Model]


@dataclass(frozen=True)
class PeopleModels:
    """``person``: fields ``is_sealed``, ``merged_into``, ``reference`` (related names ``cases``
    for cases about them). ``care_team``: ``person``, ``user`` (related name ``care_team``).
    ``referral_link``: ``referral``, ``person``, ``named_party`` (null for the referral's subject;
    related names ``person_links`` on the referral, ``referral_links`` on the person)."""

    person: type[Model]
    care_team: type[Model]
    referral_link: type[Model]


@dataclass(frozen=True)
class ReferralModels:
    """``referral``: fields ``status``, ``lead_clinician``, ``second_assessor``,
    ``referring_organisation``, ``created_by``, ``reference``."""

    referral: type[Model]


_kinds: dict[type[Model], Kind] = {}
_models: dict[str, object] = {}


def register(model: type[Model], *, within: str, path: str, sealed: bool = False) -> Kind:
    """Register a record that follows the rules of an anchor (``within``: "case", "person" or
    "referral") reached by the ORM lookup ``path``. ``sealed=True`` (records within a person only)
    marks contact details: for a sealed person, readable only by their care team and break-glass."""
    if within not in ANCHORS:
        raise ValueError(f"within must be one of {ANCHORS}")
    if sealed and within != PERSON:
        raise ValueError("Only records within a person hold sealed details")
    kind = Kind(model=model, within=within, path=path, sealed=sealed)
    existing = _kinds.get(model)
    if existing is not None and existing != kind:
        raise ValueError(f"{kind.label} is already registered differently")
    _kinds[model] = kind
    return kind


def register_cases(*, case: type[Model], team: type[Model], party: type[Model], referral_link: type[Model]) -> None:
    _models[CASE] = CaseModels(case=case, team=team, party=party, referral_link=referral_link)
    memo.forget_on_change(case, team, party, referral_link)
    register(case, within=CASE, path="pk")


def register_people(*, person: type[Model], care_team: type[Model], referral_link: type[Model]) -> None:
    _models[PERSON] = PeopleModels(person=person, care_team=care_team, referral_link=referral_link)
    memo.forget_on_change(person, care_team, referral_link)
    register(person, within=PERSON, path="pk")


def register_referrals(*, referral: type[Model]) -> None:
    _models[REFERRAL] = ReferralModels(referral=referral)
    memo.forget_on_change(referral)
    register(referral, within=REFERRAL, path="pk")


def cases() -> CaseModels:
    return _registered(CASE)


def people() -> PeopleModels:
    return _registered(PERSON)


def referrals() -> ReferralModels:
    return _registered(REFERRAL)


def _registered(anchor: str):
    try:
        return _models[anchor]
    except KeyError:
        raise NotRegistered(f"No app has registered the {anchor} records") from None


def is_ready() -> bool:
    return all(anchor in _models for anchor in ANCHORS)


def kind_of(model_or_obj: type[Model] | Model) -> Kind:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    model = getattr(model._meta, "concrete_model", model)
    try:
        return _kinds[model]
    except KeyError:
        raise NotRegistered(f"{model._meta.label_lower} is not registered with access") from None


def kind_for_label(label: str) -> Kind | None:
    """The registered kind the audit trail calls ``label``, or None."""
    return next((kind for kind in _kinds.values() if kind.label == label), None)


def all_kinds() -> list[Kind]:
    """Every registered record type, anchors first, then by label."""
    return sorted(_kinds.values(), key=lambda kind: (not kind.is_anchor, ANCHORS.index(kind.within), kind.label))


def anchor_model(anchor: str) -> type[Model]:
    return {CASE: lambda: cases().case, PERSON: lambda: people().person, REFERRAL: lambda: referrals().referral}[
        anchor
    ]()
