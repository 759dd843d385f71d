"""How a referral's answers are shown: to staff on the referral page, to the referring agency on
the portal's check-your-answers and status pages, and in the copy kept of what the referrer sent
(``Referral.as_sent``). One presenter for all three.

The answers are plain data, never HTML: a list of sections ``{"title": ..., "rows": [...]}``
whose rows are ``{"key": label, "value": text}``. A value of several lines (an address, a named
person) is a list of lines; a list of items (services, offences) is a list marked
``"bulleted": True``; check your answers' rows also carry a ``"change"`` link. The Jinja macro
``referrals/_answers.jinja`` renders them, escaping every line, so a copy stored as JSON shows
the same years later and a line break is never stored as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from casework.core.formatting import date_gb, yes_no
from casework.referrals.choices import LegalStatus, Offence, Order, PartyRole, Service, Setting, SubjectRole
from casework.referrals.models import NamedParty, Referral

Value = str | list[str]
Row = dict[str, Any]
Section = dict[str, Any]
WITHHELD = "Details withheld"


def service_labels(values) -> list[str]:
    chosen = set(values)
    return [s.label for s in Service if s.value in chosen]


@dataclass(frozen=True)
class ChangeLinks:
    """Check your answers' "Change" links: to a question page by its slug, to one named person
    (numbered from 1), and to the page of people named."""

    page: Callable[[str], str]
    party: Callable[[int], str]
    parties: str


@dataclass(frozen=True)
class _Voice:
    """What a section needs besides the referral: the word for an unanswered question and the
    change links (none on a read-only page)."""

    blank: str
    links: ChangeLinks | None

    def change(self, slug: str) -> str | None:
        return self.links.page(slug) if self.links else None

    def label(self, choices, value: str) -> str:
        return choices(value).label if value in choices.values else self.blank


def row(key: str, value: Value, change: str | None = None, *, bulleted: bool = False) -> Row:
    """One summary-list row as plain data."""
    built: Row = {"key": key, "value": value}
    if bulleted and isinstance(value, list):
        built["bulleted"] = True
    if change:
        built["change"] = change
    return built


def lines(text: str, empty: str) -> Value:
    """Free text as it was typed: one line as text, several as a list of lines."""
    found = (text or "").strip("\r\n").splitlines()
    if not any(line.strip() for line in found):
        return empty
    return found[0] if len(found) == 1 else found


def items_row(key: str, items: list[str], empty: str, change: str | None = None) -> Row:
    """A row listing items: none says ``empty``, one is plain text, more are a bulleted list."""
    if not items:
        return row(key, empty, change)
    return row(key, items if len(items) > 1 else items[0], change, bulleted=True)


def _services(referral: Referral, voice: _Voice) -> Section:
    return {
        "title": "Services asked for",
        "rows": [
            items_row("Services", service_labels(referral.services), voice.blank, voice.change("services")),
        ],
    }


def _subject(referral: Referral, voice: _Voice) -> Section:
    change = voice.change("subject")
    named = referral.subject_given_name or referral.subject_family_name
    return {
        "title": "The person referred",
        "rows": [
            row("Who they are", voice.label(SubjectRole, referral.subject_role), change),
            row("Name", referral.subject_name if named else voice.blank, change),
            row("Date of birth", date_gb(referral.subject_date_of_birth, "Not known"), change),
            row("Other details", lines(referral.subject_details, "None given"), change),
        ],
    }


def party_lines(party: NamedParty, withheld: Collection[int] = ()) -> list[str]:
    """A named person as lines: name, part in the case, relationship, then the details as typed
    (or that they are withheld from this viewer)."""
    described = [party.name, PartyRole(party.role).label if party.role in PartyRole.values else ""]
    if party.relationship_to_subject:
        described.append(f"Relationship: {party.relationship_to_subject}")
    found = [line for line in described if line]
    if party.details.strip():
        found.extend([WITHHELD] if party.pk in withheld else party.details.strip("\r\n").splitlines())
    return found


def _parties(parties: Iterable[NamedParty], voice: _Voice, withheld: Collection[int]) -> Section:
    links = voice.links
    rows = [
        row(f"Person {number}", party_lines(party, withheld), links.party(number) if links else None)
        for number, party in enumerate(parties, start=1)
    ]
    if not rows:
        rows.append(row("People named", "None added", links.parties if links else None))
    elif links:
        rows.append(row("Add or remove people", f"{len(rows)} named", links.parties))
    return {"title": "Other people involved", "rows": rows}


def _behaviour(referral: Referral, voice: _Voice) -> Section:
    change = voice.change("behaviour")
    significant = yes_no(referral.stalking_significant) if referral.stalking_significant is not None else voice.blank
    return {
        "title": "The behaviour",
        "rows": [
            row("Behaviour in outline", lines(referral.behaviour_summary, voice.blank), change),
            row("How long it has gone on", referral.behaviour_duration or voice.blank, change),
            row("Stalking, harassment or threat is a significant part", significant, change),
        ],
    }


def _legal(referral: Referral, voice: _Voice) -> Section:
    change = voice.change("legal")
    offences = [Offence(o).label for o in referral.offences if o in Offence.values and o != Offence.OTHER]
    if Offence.OTHER in referral.offences:
        offences.append(f"Other: {referral.other_offences}" if referral.other_offences else Offence.OTHER.label)
    orders = [Order(o).label for o in referral.orders_in_force if o in Order.values]
    return {
        "title": "Legal position",
        "rows": [
            row("Legal position", voice.label(LegalStatus, referral.legal_status), change),
            items_row("Offences", offences, "None given", change),
            items_row("Orders in force", orders, "None", change),
        ],
    }


def _setting(referral: Referral, voice: _Voice) -> Section:
    change = voice.change("setting")
    rows = [row("Where", voice.label(Setting, referral.assessment_setting), change)]
    if referral.assessment_setting == Setting.CUSTODY:
        rows.append(row("Prison or establishment", referral.custody_establishment or voice.blank, change))
        rows.append(row("Prison number", referral.prison_number or voice.blank, change))
    elif referral.assessment_setting == Setting.MENTAL_HEALTH_FACILITY:
        rows.append(row("Mental health facility", referral.facility_name or voice.blank, change))
    return {"title": "Where an assessment would happen", "rows": rows}


def _dates(referral: Referral, voice: _Voice) -> Section:
    change = voice.change("dates")
    return {
        "title": "Key dates",
        "rows": [
            row("Next court hearing", date_gb(referral.next_hearing_on, "None given"), change),
            row("Report needed by", date_gb(referral.report_due_on, "None given"), change),
            row("Parole hearing", date_gb(referral.parole_hearing_on, "None given"), change),
        ],
    }


def _funding(referral: Referral, voice: _Voice) -> Section:
    change = voice.change("funding")
    return {
        "title": "Funding",
        "rows": [
            row(
                "Commissioning organisation",
                referral.commissioner.name if referral.commissioner else voice.blank,
                change,
            ),
            row("Purchase order number", referral.purchase_order or "None given", change),
            row("Contract reference", referral.contract_reference or "None given", change),
        ],
    }


def _contact(referral: Referral, voice: _Voice, title: str) -> Section:
    change = voice.change("contact")
    return {
        "title": title,
        "rows": [
            row("Name", referral.referrer_name or voice.blank, change),
            row("Job title", referral.referrer_job_title or voice.blank, change),
            row("Email address", referral.referrer_email or voice.blank, change),
            row("Telephone number", referral.referrer_phone or voice.blank, change),
        ],
    }


def answer_sections(
    referral: Referral,
    *,
    blank: str = "Not given",
    contact_title: str = "Referring officer",
    links: ChangeLinks | None = None,
    withheld: Collection[int] = frozenset(),
) -> list[Section]:
    """What the referral says, page by page. ``links`` adds check your answers' "Change" links
    (without them the rows are read-only); ``withheld`` names parties whose details this viewer
    may not read (a sealed victim, or one across an information barrier)."""
    voice = _Voice(blank=blank, links=links)
    return [
        _services(referral, voice),
        _subject(referral, voice),
        _parties(referral.named_parties.all(), voice, withheld),
        _behaviour(referral, voice),
        _legal(referral, voice),
        _setting(referral, voice),
        _dates(referral, voice),
        _funding(referral, voice),
        _contact(referral, voice, contact_title),
    ]


def as_sent(referral: Referral) -> list[Section]:
    """The read-only sections, kept (as JSON) when the referral is received."""
    return answer_sections(referral)
