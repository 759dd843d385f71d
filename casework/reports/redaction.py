"""Redaction of a report before it is issued: what must never leave the clinic in it.

Two things are taken out of the sections (``[{"key", "title", "body", "withheld_from"}]``, as a
``ReportVersion`` keeps them) before they are rendered for a recipient:

- a section marked as not for the recipient's side (``withheld_from``) is removed entirely;
- every sealed person's contact details, wherever they appear in the rest, are replaced by
  ``[redacted]``: their addresses (and each street line of an address), postcodes however spaced,
  telephone numbers however written (``07700 900123``, ``07700900123``, ``+44 7700 900123``,
  ``(0113) 496-0000``), email addresses, online identifiers (with or without an ``@``) and
  workplace. Matching ignores case.

Every recipient of a report is outside the care team (``RecipientSide``: a court, the police, the
defence, the client …), so sealed details are always removed, whoever issues the report and
whatever they may see themselves. Which persons count: the case's subject and every party of the
case (``CaseParty``), when their person record is sealed.

``redact_sections`` returns the redacted sections and a list of ``Redaction`` records saying what
was removed (kind, whose, which section, how many times), never the value: that list is what the
author is shown before issuing, and what ``IssuedReport.redactions`` keeps (``as_json``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass

import phonenumbers

from casework.core import identifiers
from casework.people.models import OnlineIdentifier, Person, PersonAddress, PersonEmail, PersonPhone

REDACTED = "[redacted]"
# What a match is replaced by until every pattern has run (a private-use character no pattern
# matches), so that one value's replacement is never matched by another.
_PLACEHOLDER = "\ue000"

ADDRESS = "address"
POSTCODE = "postcode"
TELEPHONE = "telephone number"
EMAIL = "email address"
ONLINE_IDENTIFIER = "online identifier"
WORKPLACE = "workplace"
SECTION = "section"

# The text of a section that is redacted (other keys are carried through unchanged).
TEXT_KEYS = ("title", "body")


@dataclass(frozen=True)
class Redaction:
    """What was removed, never the value: ``what`` (one of the kinds above, or "section" for a
    whole section withheld from the recipient's side), whose (a person reference, "" for a
    section), in which section, and how many times."""

    what: str
    person: str
    section: str
    count: int

    def as_json(self) -> dict:
        return asdict(self)


# --- The values ---------------------------------------------------------------------------------


def sealed_persons(case) -> list[Person]:
    """The sealed persons of ``case``: its subject and its parties whose records are sealed."""
    persons = {case.subject_id: case.subject} if case.subject_id else {}
    for party in case.parties.select_related("person"):
        persons.setdefault(party.person_id, party.person)
    return [person for person in persons.values() if person is not None and person.is_sealed]


def _phone_variants(number: str) -> list[str]:
    """The stored number (E.164), the national form with spaces and the national form as digits."""
    spaced = identifiers.format_phone(number)
    return list(dict.fromkeys(v for v in (number, spaced, re.sub(r"\D", "", spaced)) if v))


def sealed_values(case) -> list[tuple[str, str, str]]:
    """(what, person reference, value) for every contact detail of every sealed person of
    ``case``: addresses and postcodes, telephone numbers (stored form, spaced and digits-only
    national forms), email addresses, online identifiers and workplace. Read through the models
    (the encrypted fields decrypt on read), with no check of who is asking: issuing must remove
    them whether or not the issuer may see them."""
    persons = sealed_persons(case)
    if not persons:
        return []
    by_pk = {person.pk: person.reference for person in persons}
    ids = list(by_pk)
    values: list[tuple[str, str, str]] = []
    for address in PersonAddress.objects.filter(person_id__in=ids).order_by("person_id", "id"):
        values.append((ADDRESS, by_pk[address.person_id], address.address))
        values.append((POSTCODE, by_pk[address.person_id], address.postcode))
    for phone in PersonPhone.objects.filter(person_id__in=ids).order_by("person_id", "id"):
        values.extend((TELEPHONE, by_pk[phone.person_id], variant) for variant in _phone_variants(phone.number))
    for email in PersonEmail.objects.filter(person_id__in=ids).order_by("person_id", "id"):
        values.append((EMAIL, by_pk[email.person_id], email.address))
    for handle in OnlineIdentifier.objects.filter(person_id__in=ids).order_by("person_id", "id"):
        values.append((ONLINE_IDENTIFIER, by_pk[handle.person_id], handle.handle))
    for person in persons:
        values.append((WORKPLACE, person.reference, person.workplace))
    return list(dict.fromkeys((what, ref, value.strip()) for what, ref, value in values if value and value.strip()))


# --- The patterns -------------------------------------------------------------------------------

# Between the digits of a telephone number: spaces, hyphens, dots, brackets (any number of them).
_PHONE_GAP = r"[\s\-.()\u00a0]*"
# Between the words of an address or a workplace: any run of spaces and commas (lines may be joined
# by a comma in the text, or broken differently).
_WORD_GAP = r"[\s,]+"


def _bounded(pattern: str, value: str) -> str:
    """``pattern`` not matched inside a longer word (only where ``value`` starts or ends with a
    word character)."""
    start = r"(?<!\w)" if re.match(r"\w", value) else ""
    end = r"(?!\w)" if re.search(r"\w$", value) else ""
    return f"{start}{pattern}{end}"


def _words(value: str) -> str:
    tokens = [re.escape(t) for t in re.split(r"[\s,]+", value.strip()) if t]
    return _bounded(_WORD_GAP.join(tokens), value.strip())


def _phone_pattern(value: str) -> str | None:
    try:
        number = phonenumbers.parse(value, identifiers.PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not number.national_number:
        digits = re.sub(r"\D", "", value)
        if len(digits) < 6:
            return None
        return rf"(?<!\d){_PHONE_GAP.join(digits)}(?!\d)"
    national = _PHONE_GAP.join(str(number.national_number))
    country = _PHONE_GAP.join(str(number.country_code))
    international = rf"(?:\+|00){_PHONE_GAP}{country}{_PHONE_GAP}(?:\(0\){_PHONE_GAP})?"
    return rf"(?<![\d+])\(?(?:{international}|0{_PHONE_GAP})?{national}(?!\d)"


def _postcode_pattern(value: str) -> str:
    compact = re.sub(r"\s+", "", value)
    if len(compact) > 3:
        return _bounded(rf"{re.escape(compact[:-3])}\s*{re.escape(compact[-3:])}", compact)
    return _bounded(re.escape(compact), compact)


def _street_lines(address: str) -> list[str]:
    """The lines (or comma-separated parts) of an address that name a house and street: those
    with a number and at least two words ("12 Acacia Avenue", "Flat 3"), so that a report quoting
    only the first line of a sealed address loses it too."""
    parts = [p.strip() for p in re.split(r"[\n,]+", address) if p.strip()]
    if len(parts) < 2:
        return []
    return [p for p in parts if re.search(r"\d", p) and len(p.split()) >= 2]


def _patterns(what: str, value: str) -> list[str]:
    if what == TELEPHONE:
        pattern = _phone_pattern(value)
        return [pattern] if pattern else []
    if what == POSTCODE:
        return [_postcode_pattern(value)]
    if what == ADDRESS:
        return [_words(value)] + [_words(line) for line in _street_lines(value)]
    if what == ONLINE_IDENTIFIER:
        bare = value.lstrip("@").strip()
        if not bare:
            return []
        return [rf"(?<![\w@.]){'@?'}{_words(bare)}"]
    if what == EMAIL:
        return [rf"(?<![\w.+\-]){re.escape(value)}(?![\w\-])"]
    return [_words(value)]


@dataclass(frozen=True)
class _Rule:
    what: str
    person: str
    regex: re.Pattern[str]
    length: int


def _rules(case) -> list[_Rule]:
    rules: dict[tuple[str, str, str], _Rule] = {}
    for what, person, value in sealed_values(case):
        for pattern in _patterns(what, value):
            rules.setdefault(
                (what, person, pattern),
                _Rule(what=what, person=person, regex=re.compile(pattern, re.IGNORECASE), length=len(value)),
            )
    # The longest values first: an address before the postcode inside it, an email address before
    # the handle that starts it.
    return sorted(rules.values(), key=lambda rule: -rule.length)


def _redact_text(text: str, rules: list[_Rule], counts: Counter) -> str:
    for rule in rules:
        text, found = rule.regex.subn(_PLACEHOLDER, text)
        if found:
            counts[(rule.what, rule.person)] += found
    return text.replace(_PLACEHOLDER, REDACTED)


# --- Redacting ----------------------------------------------------------------------------------


def redact_sections(sections: list[dict], *, case, recipient_side: str) -> tuple[list[dict], list[Redaction]]:
    """The sections as they may go to a recipient on ``recipient_side``, and what was removed.

    A section whose ``withheld_from`` names the side is left out (``Redaction(what="section")``);
    in the others every sealed value of the case's persons is replaced by ``[redacted]`` in the
    title and the body. The input is not changed. Use it for the author's preview and for the
    issue itself: the same function, so the preview is what is issued."""
    rules = _rules(case)
    kept: list[dict] = []
    removed: list[Redaction] = []
    for section in sections:
        key = str(section.get("key", ""))
        if recipient_side in (section.get("withheld_from") or []):
            removed.append(Redaction(what=SECTION, person="", section=key, count=1))
            continue
        counts: Counter = Counter()
        redacted = dict(section)
        for name in TEXT_KEYS:
            if isinstance(section.get(name), str):
                redacted[name] = _redact_text(section[name], rules, counts)
        kept.append(redacted)
        removed.extend(
            Redaction(what=what, person=person, section=key, count=count) for (what, person), count in counts.items()
        )
    return kept, removed


def redaction_preview(sections: list[dict], *, case, recipient_side: str) -> dict:
    """What the author is shown before issuing: the sections as the recipient will read them, and
    a summary of what was taken out (``redactions``: the ``Redaction`` list; ``withheld``: the
    keys of the sections left out; ``values_removed``: how many values were replaced)."""
    kept, removed = redact_sections(sections, case=case, recipient_side=recipient_side)
    return {
        "sections": kept,
        "redactions": removed,
        "withheld": [r.section for r in removed if r.what == SECTION],
        "values_removed": sum(r.count for r in removed if r.what != SECTION),
    }
