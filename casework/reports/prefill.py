"""Statements drawn from the record for a report's sections, each with where it came from.

A statement is ``{"text", "source": {"kind", "id", "part", "label", "path"}, "fingerprint"}``:
``kind`` and ``id`` name the record (``kind`` one of ``SOURCE_KINDS``), ``part`` the piece of it
when one record gives several statements (a question, a judgement, a document; "" otherwise),
``label`` says what it is, ``path`` is the page the author follows to check it, and
``fingerprint`` is the SHA-256 of the text. ``statement_changes`` compares two lists by
(kind, id, part) so that a refresh shows what changed in the record since.

A report goes outside the clinic, so every statement passes through ``Scrubber``: no address,
telephone number, email address, online identifier or workplace of anyone in the case (sealed or
not, nor any that merely looks like one), and every party but the subject named by the initials
of the name the referral gave (never the person record's current name, which may be a new
identity). Free text that might hold a victim's whereabouts (the exclusion zone's description,
the place of an interview, hearing notes, the named person of a plan action, the details of a
named party, the subject's details on the referral) is never read into a statement at all, nor
are the actions of a victim safety plan (only how many are open).

Reading only: the caller checks that the user may see the case. ``prefill`` and ``prefill_all``
each cost a fixed number of queries, however many incidents, orders or hearings the case holds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

import phonenumbers
from django.db.models import Prefetch
from django.urls import reverse

from casework.assessments.choices import (
    OPEN_ACTION_STATUSES,
    AssessmentSetting,
    AssessmentStatus,
    Imminence,
    Level,
    PlanArea,
    SourceKind,
)
from casework.assessments.models import Assessment, PlanAction
from casework.cases.choices import (
    SEVERITY_LABELS,
    Behaviour,
    Channel,
    DatePrecision,
    HearingKind,
    MappaCategory,
    MappaLevel,
    OrderKind,
    PartyRole,
    Place,
    Relationship,
    StalkerType,
)
from casework.cases.choices import Source as IncidentSource
from casework.cases.models import (
    CaseParty,
    CaseReferral,
    Hearing,
    Incident,
    LegalOrder,
    MappaRegistration,
    StalkingEpisode,
)
from casework.core.formatting import date_gb
from casework.referrals.choices import DocumentKind, LegalStatus, Offence
from casework.reports import sections
from casework.reports.choices import ReportType
from casework.reports.models import ReportRequest

Statement = dict[str, Any]

SOURCE_KINDS = ("referral", "incident", "order", "assessment", "plan", "source", "hearing", "case", "request")
# A line longer than this (an incident's description) is cut at a word and ends with "…".
SHORT_LINE = 300


# --- Scrubbing ------------------------------------------------------------------------------------

ADDRESS_REMOVED = "[address removed]"
PHONE_REMOVED = "[telephone number removed]"
EMAIL_REMOVED = "[email address removed]"
HANDLE_REMOVED = "[online identifier removed]"
LINK_REMOVED = "[link removed]"
WORKPLACE_REMOVED = "[workplace removed]"
DETAILS_REMOVED = "[contact details removed]"
IDENTIFIER_REMOVED = "[identifier removed]"

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
# A run of digits that reads as a telephone number: starts with +, 00, 0 or (0 and holds 10 to 13 digits.
_PHONE_RUN = re.compile(r"(?<![\w+])(?:\+|\(0|0)[\d\s\-().]{8,20}\d(?!\w)")
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[A-Z]{2}\b")
_STREET = re.compile(
    r"\b\d+[A-Za-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}"
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Close|Drive|Way|Court|Crescent|Place|Gardens|Grove|Terrace|Hill|"
    r"Park|Square|Walk|Rise|Mews|Row|View|Parade|Green|Estate)\b"
)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord", "rev"})
_WORD = re.compile(r"[^\W\d_][\w'-]*")


def initials(name: str) -> str:
    """``Vicky Named`` → ``V.N.``; titles are dropped; "" gives "" (the caller says who)."""
    words = [w for w in _WORD.findall(name or "") if w.lower().rstrip(".") not in _TITLES]
    return "".join(f"{w[0].upper()}." for w in words)


def _flexible(literal: str) -> str:
    """A literal as a pattern that allows any run of spaces where it has one."""
    return r"\s+".join(re.escape(part) for part in literal.split())


def _phone_pattern(e164: str) -> str | None:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    digits = str(number.national_number)
    if len(digits) < 6:
        return None
    body = r"[\s\-().]{0,2}".join(digits)
    return rf"(?<!\d)(?:(?:\+|00)\s*{number.country_code}\s*(?:\(0\)\s*)?|\(?0)?\s*{body}(?!\d)"


class Scrubber:
    """Takes out of a text every contact detail of the case's parties, and names every party but
    the subject by initials. Built once per prefill from the parties (``for_parties``)."""

    def __init__(self) -> None:
        self._details: list[tuple[str, str]] = []  # (pattern, replacement)
        self._names: dict[str, str] = {}  # normalised lower-case name → initials
        self._single_names: set[str] = set()
        self._protected_tokens: set[str] = set()  # parts of the subject's names: never replaced alone

    @classmethod
    def for_parties(cls, parties: Iterable[CaseParty]) -> Scrubber:
        scrubber = cls()
        parties = list(parties)
        for party in parties:
            if party.role == PartyRole.SUBJECT:
                scrubber._protected_tokens.update(
                    w.lower() for name in _names_of_person(party.person) for w in _WORD.findall(name)
                )
        for party in parties:
            scrubber._add_contact_details(party)
            if party.role != PartyRole.SUBJECT:
                scrubber._add_names(party)
        return scrubber

    def _add_detail(self, literal: str, replacement: str, *, pattern: str | None = None) -> None:
        literal = (literal or "").strip()
        if pattern is None:
            if len(literal) < 3:
                return
            pattern = rf"(?<!\w){_flexible(literal)}(?!\w)"
        self._details.append((pattern, replacement))

    def _add_contact_details(self, party: CaseParty) -> None:
        person = party.person
        for address in person.addresses.all():
            self._add_detail(address.address, ADDRESS_REMOVED)
            for line in re.split(r"[,\n;]+", address.address or ""):  # each line alone, the town too
                self._add_detail(line, ADDRESS_REMOVED)
            self._add_detail(address.postcode, ADDRESS_REMOVED)
        for phone in person.phones.all():
            pattern = _phone_pattern(phone.number)
            if pattern:
                self._add_detail(phone.number, PHONE_REMOVED, pattern=pattern)
            self._add_detail(phone.number, PHONE_REMOVED)
            self._add_detail(phone.notes, DETAILS_REMOVED)
        for email in person.emails.all():
            self._add_detail(email.address, EMAIL_REMOVED)
        for online in person.online_identifiers.all():
            handle = (online.handle or "").strip().lstrip("@")
            if handle:
                self._add_detail(handle, HANDLE_REMOVED, pattern=rf"(?<![\w.])@?{_flexible(handle)}(?!\w)")
        if person.workplace:
            self._add_detail(person.workplace, WORKPLACE_REMOVED)
            for part in re.split(r"[,\n;]+", person.workplace):
                self._add_detail(part, WORKPLACE_REMOVED)
        if party.role != PartyRole.SUBJECT:
            # Another person's NHS number, PNC ID or prison number has no place in a report about the subject.
            for identifier in (person.nhs_number, person.pnc_id, person.prison_number):
                self._add_detail(identifier, IDENTIFIER_REMOVED)
        named = party.named_party
        if named is not None and named.details:
            # Details as the referrer typed them: any piece with a digit or an @ is a contact detail.
            for piece in re.split(r"[,\n;]+", named.details):
                if re.search(r"[\d@]", piece):
                    self._add_detail(piece, DETAILS_REMOVED)

    def _add_names(self, party: CaseParty) -> None:
        shown = initials(party.name_as_given) or initials(party.person.full_name) or "another person"
        names = {party.name_as_given, *_names_of_person(party.person)}
        if party.named_party is not None:
            names.add(party.named_party.name)
        for name in names:
            words = _WORD.findall(name or "")
            if not words:
                continue
            if len(words) > 1:
                self._names.setdefault(" ".join(words).lower(), shown)
            for word in words:
                key = word.lower()
                if len(word) >= 2 and key not in _TITLES and key not in self._protected_tokens:
                    self._names.setdefault(key, shown)
                    self._single_names.add(key)

    @cached_property
    def _detail_re(self) -> list[tuple[re.Pattern[str], str]]:
        # Longest first, so that a whole address goes before its lines.
        ordered = sorted(self._details, key=lambda d: -len(d[0]))
        return [(re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in ordered]

    @cached_property
    def _name_re(self) -> re.Pattern[str] | None:
        if not self._names:
            return None
        alternatives = sorted(self._names, key=len, reverse=True)
        return re.compile(
            r"(?<![\w'-])(?:" + "|".join(_flexible(name) for name in alternatives) + r")(?![\w-])(?:'s\b)?",
            re.IGNORECASE,
        )

    def _name_replacement(self, match: re.Match[str]) -> str:
        found = match.group(0)
        suffix = ""
        if found.lower().endswith("'s"):
            found, suffix = found[:-2], "'s"
        key = " ".join(found.split()).lower()
        shown = self._names.get(key)
        if shown is None:
            return match.group(0)
        # A single word that is also an ordinary word ("may", "will"): only when written as a name.
        if key in self._single_names and " " not in key and not found[:1].isupper():
            return match.group(0)
        return shown + suffix

    def __call__(self, text: str) -> str:
        text = text or ""
        for pattern, replacement in self._detail_re:
            text = pattern.sub(replacement, text)
        text = _LINK.sub(LINK_REMOVED, text)
        text = _EMAIL.sub(EMAIL_REMOVED, text)
        text = _HANDLE.sub(HANDLE_REMOVED, text)
        text = _PHONE_RUN.sub(_phone_or_not, text)
        text = _POSTCODE.sub(ADDRESS_REMOVED, text)
        text = _STREET.sub(ADDRESS_REMOVED, text)
        if self._name_re is not None:
            text = self._name_re.sub(self._name_replacement, text)
        return text


def _phone_or_not(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return PHONE_REMOVED if 10 <= digits <= 13 else match.group(0)


def _names_of_person(person) -> list[str]:
    names = [
        person.full_name,
        f"{person.given_name} {person.family_name}",
        person.preferred_name,
        f"{person.preferred_name} {person.family_name}" if person.preferred_name else "",
    ]
    names += [other.full_name for other in person.other_names.all()]
    return [name for name in names if name and name.strip()]


# --- Statements -----------------------------------------------------------------------------------


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _short(text: str, limit: int = SHORT_LINE) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."


# A full stop after initials put in by the scrubber ("with V.N..").
_DOUBLED_STOP = re.compile(r"(?<=\b[A-Z]\.)\.(?!\.)")


def _when(day, precision: str = DatePrecision.DAY) -> str:
    if day is None:
        return "Date not recorded"
    if precision == DatePrecision.MONTH:
        return f"{day:%B %Y}"
    return date_gb(day)


def _label(choices, value, default: str = "") -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return default or str(value)


def _match_key(statement: Statement) -> tuple[str, int, str]:
    source = statement.get("source") or {}
    return (str(source.get("kind", "")), int(source.get("id") or 0), str(source.get("part", "")))


def statement_changes(old: list[Statement], new: list[Statement]) -> dict[str, list]:
    """What changed between the statements a section was filled with and those the record gives
    now, matched by (source kind, id, part): ``{"added": [new…], "removed": [old…],
    "changed": [(old, new)…]}`` (a statement changed when its fingerprint differs)."""
    before = {_match_key(s): s for s in old}
    after = {_match_key(s): s for s in new}
    added = [s for key, s in after.items() if key not in before]
    removed = [s for key, s in before.items() if key not in after]
    changed = [
        (before[key], s)
        for key, s in after.items()
        if key in before
        and (before[key].get("fingerprint") or fingerprint(before[key].get("text", "")))
        != (s.get("fingerprint") or fingerprint(s.get("text", "")))
    ]
    return {"added": added, "removed": removed, "changed": changed}


# --- The record, read once ----------------------------------------------------------------------


class _Record:
    """What the statements are drawn from, each part read when first wanted (a fixed number of
    queries for each)."""

    def __init__(self, request: ReportRequest) -> None:
        self.request = ReportRequest.objects.select_related(
            "case", "instructing_party", "letter_of_instruction", "source_referral"
        ).get(pk=request.pk)
        self.case = self.request.case
        self.reference = self.case.reference

    @cached_property
    def parties(self) -> list[CaseParty]:
        return list(
            CaseParty.objects.filter(case=self.case)
            .select_related("person", "named_party")
            .prefetch_related(
                "person__addresses",
                "person__phones",
                "person__emails",
                "person__online_identifiers",
                "person__other_names",
            )
        )

    @cached_property
    def scrub(self) -> Scrubber:
        return Scrubber.for_parties(self.parties)

    @cached_property
    def shown_as(self) -> dict[int, str]:
        """Each party's pk → how statements name them (initials; the subject as "the subject")."""
        shown = {}
        for party in self.parties:
            if party.role == PartyRole.SUBJECT:
                shown[party.pk] = "the subject"
            else:
                shown[party.pk] = initials(party.name_as_given) or initials(party.person.full_name) or "another person"
        return shown

    @cached_property
    def referrals(self) -> list:
        links = (
            CaseReferral.objects.filter(case=self.case)
            .select_related("referral")
            .prefetch_related("referral__documents")
            .order_by("-opened_case", "added_at", "id")
        )
        return [link.referral for link in links]

    @cached_property
    def assessment(self) -> Assessment | None:
        """The latest signed assessment that judges outcomes, else the latest signed one."""
        signed = (
            Assessment.objects.filter(case=self.case, status=AssessmentStatus.SIGNED)
            .select_related("definition", "plan")
            .prefetch_related(
                "judgements",
                "sources",
                "scenarios",
                Prefetch("plan__actions", queryset=PlanAction.objects.order_by("area", "due_on", "id")),
            )
            .order_by("-signed_at", "-id")
        )
        judging = signed.filter(judgements__level__gt="").distinct().first()
        return judging or signed.first()

    @cached_property
    def incidents(self) -> list[Incident]:
        return list(Incident.objects.filter(case=self.case).order_by("occurred_on", "occurred_time", "id"))

    @cached_property
    def orders(self) -> list[LegalOrder]:
        orders = list(
            LegalOrder.objects.filter(case=self.case).select_related("source_referral").prefetch_related("protects")
        )
        return sorted(orders, key=lambda order: (order.known_from, order.pk))

    @cached_property
    def hearings(self) -> list[Hearing]:
        return list(Hearing.objects.filter(case=self.case).order_by("hearing_on", "id"))

    @cached_property
    def mappa(self) -> MappaRegistration | None:
        return MappaRegistration.objects.filter(case=self.case).first()

    @cached_property
    def episodes(self) -> list[StalkingEpisode]:
        return list(StalkingEpisode.objects.filter(case=self.case).order_by("id"))

    # --- Making statements ------------------------------------------------------------------

    def statement(self, text: str, *, kind: str, id: int, label: str, path: str, part: str = "") -> Statement:
        text = _DOUBLED_STOP.sub("", self.scrub(" ".join(text.split())))
        return {
            "text": text,
            "source": {"kind": kind, "id": id, "part": part, "label": self.scrub(label), "path": path},
            "fingerprint": fingerprint(text),
        }

    def case_path(self, anchor: str = "") -> str:
        return reverse("cases:detail", args=[self.reference]) + (f"#{anchor}" if anchor else "")

    def assessment_path(self, assessment: Assessment, anchor: str = "") -> str:
        return reverse("assessments:detail", args=[self.reference, assessment.pk]) + (f"#{anchor}" if anchor else "")

    def victim_of(self, party_id: int | None) -> str:
        if party_id is None:
            return ""
        return self.shown_as.get(party_id, "another person")


# --- Each section ---------------------------------------------------------------------------------


def _questions(text: str) -> list[str]:
    """The questions asked, one each: numbered or bulleted lines start a question (lines after
    one continue it); without numbers, each paragraph, or else each line, is a question."""
    lines = [line.strip() for line in (text or "").splitlines()]
    marker = re.compile(r"^(?:\(?\d{1,2}[.)]|\(?[a-z][.)]|[-*•])\s+", re.IGNORECASE)
    if any(marker.match(line) for line in lines if line):
        questions: list[str] = []
        for line in lines:
            if not line:
                continue
            if marker.match(line) or not questions:
                questions.append(marker.sub("", line))
            else:
                questions[-1] += " " + line
        return [q for q in questions if q]
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    if len(paragraphs) > 1:
        return paragraphs
    return [line for line in lines if line]


def _instructions(record: _Record) -> list[Statement]:
    request = record.request
    path = reverse("reports:detail", args=[record.reference, request.pk])
    label = f"Report request: {_label(ReportType, request.report_type)}"

    def make(text: str, part: str) -> Statement:
        return record.statement(text, kind="request", id=request.pk, label=label, path=path, part=part)

    out = [make(f"The clinic was asked for: {_label(ReportType, request.report_type).lower()}.", "type")]
    if request.instructing_party is not None:
        out.append(make(f"Instructed by {request.instructing_party.name}.", "party"))
    if request.instructing_officer_name:
        out.append(make(f"The instructing officer is {request.instructing_officer_name}.", "officer"))
    if request.letter_of_instruction is not None:
        out.append(
            make(
                f"The letter of instruction was received on {date_gb(request.letter_of_instruction.uploaded_at)}.",
                "instructed",
            )
        )
    elif request.source_referral is not None and request.source_referral.received_at:
        received = date_gb(request.source_referral.received_at)
        out.append(
            make(
                f"The request came with referral {request.source_referral.reference}, received on {received}.",
                "instructed",
            )
        )
    else:
        out.append(make(f"The request was recorded on {date_gb(request.created_at)}.", "instructed"))
    if request.due_on:
        out.append(make(f"The report is due by {date_gb(request.due_on)}.", "due"))
    for number, question in enumerate(_questions(request.questions), start=1):
        out.append(make(f"Question {number}: {_sentence(question)}", f"question:{number}"))
    return out


def _sources(record: _Record) -> list[Statement]:
    out = []
    assessment = record.assessment
    if assessment is not None:
        path = record.assessment_path(assessment, "sources-heading")
        label = f"{assessment.definition.title}, signed {date_gb(assessment.signed_at)}"
        where = _label(AssessmentSetting, assessment.setting)
        setting = f"The assessment ({assessment.definition.title}) was made {where.lower()}"
        if assessment.establishment:
            setting += f", at {assessment.establishment}"
        out.append(
            record.statement(
                _sentence(setting), kind="assessment", id=assessment.pk, label=label, path=path, part="setting"
            )
        )
        for source in assessment.sources.all():
            text = f"{_label(SourceKind, source.kind)}: {_sentence(source.description)}"
            if source.occurred_on:
                text += f" On {date_gb(source.occurred_on)}"
                text += f", for {source.minutes} minutes." if source.minutes else "."
            out.append(
                record.statement(text, kind="source", id=source.pk, label=f"Source of information, {label}", path=path)
            )
    for referral in record.referrals:
        path = reverse("referrals:detail", args=[referral.reference])
        for document in referral.documents.all():
            # The kind and the date only: a file's name may name someone.
            text = (
                f"{_label(DocumentKind, document.kind)}, received with referral {referral.reference} "
                f"on {date_gb(document.uploaded_at)}."
            )
            out.append(
                record.statement(
                    text,
                    kind="referral",
                    id=referral.pk,
                    label=f"Referral {referral.reference}, document",
                    path=path,
                    part=f"document:{document.pk}",
                )
            )
    return out


def _history(record: _Record) -> list[Statement]:
    out = []
    for referral in record.referrals:
        path = reverse("referrals:detail", args=[referral.reference])
        label = f"Referral {referral.reference}"

        def make(text: str, part: str, referral=referral, path=path, label=label) -> Statement:
            return record.statement(text, kind="referral", id=referral.pk, label=label, path=path, part=part)

        received = f" (received on {date_gb(referral.received_at)})" if referral.received_at else ""
        if referral.behaviour_summary:
            out.append(make(f"The referral{received} described: {_sentence(referral.behaviour_summary)}", "behaviour"))
        if referral.behaviour_duration:
            out.append(
                make(f"The referral said the behaviour had gone on for {referral.behaviour_duration}.", "duration")
            )
        legal = []
        if referral.legal_status:
            legal.append(f"legal position: {_label(LegalStatus, referral.legal_status).lower()}")
        offences = [_label(Offence, o) for o in referral.offences or () if o != Offence.OTHER]
        if referral.other_offences:
            offences.append(referral.other_offences)
        if offences:
            legal.append("offences: " + "; ".join(offences))
        if legal:
            out.append(make("At referral, " + "; ".join(legal) + ".", "legal"))
    for episode in record.episodes:
        victim = record.victim_of(episode.victim_id)
        relationship = _label(Relationship, episode.prior_relationship).lower()
        parts = [f"Prior relationship of {victim} to the subject: {relationship}."]
        if episode.started_on:
            parts.append(f"The stalking of {victim} began in {_when(episode.started_on, episode.started_precision)}.")
        if episode.behaviours:
            parts.append("Behaviours recorded: " + ", ".join(episode.behaviour_labels).lower() + ".")
        if episode.motivation_in_own_words:
            parts.append(
                f"Apparent motivation, in the subject's own words: {_sentence(_short(episode.motivation_in_own_words))}"
            )
        out.append(
            record.statement(
                " ".join(parts),
                kind="case",
                id=record.case.pk,
                label=f"{record.reference}, the stalking of {victim}",
                path=record.case_path("parties"),
                part=f"episode:{episode.pk}",
            )
        )
    return out


def _incident_text(record: _Record, incident: Incident) -> str:
    when = _when(incident.occurred_on, incident.precision)
    if incident.precision == DatePrecision.EXACT and incident.occurred_time:
        when += f" at {incident.occurred_time:%H:%M}"
    towards = f" towards {record.victim_of(incident.victim_id)}" if incident.victim_id else ""
    behaviour = _label(Behaviour, incident.behaviour).lower()
    channel = _label(Channel, incident.channel).lower()
    if incident.channel != Channel.NOT_KNOWN and channel not in behaviour:
        behaviour += f" ({channel})"
    severity = str(SEVERITY_LABELS.get(incident.severity, incident.severity))
    number, _, word = severity.partition(" – ")
    severity = f"{number} of 5 ({word.lower()})" if word else severity
    text = (
        f"{when}: {behaviour}{towards}; severity {severity}; "
        f"reported by {_label(IncidentSource, incident.source).lower()}."
    )
    if incident.place:
        text += f" Where: {_label(Place, incident.place).lower()}."
    if incident.description:
        text += f" {_sentence(_short(incident.description))}"
    return text


def _order_text(record: _Record, order: LegalOrder) -> str:
    text = _label(OrderKind, order.kind)
    text += f", made by {order.issued_by}" if order.issued_by else ""
    text += f", from {date_gb(order.starts_on)}" if order.starts_on else ", start date not recorded"
    text += f" until {date_gb(order.ends_on)}." if order.ends_on else ", with no end date."
    protects = sorted({record.victim_of(p.pk) for p in order.protects.all()})
    conditions = []
    if order.no_contact:
        conditions.append("no contact" + (f" with {', '.join(protects)}" if protects else ""))
    if order.exclusion_zone:
        # Which kinds of place the zone is drawn around, never its description (it may locate a victim).
        places = [label.lower() for value, label in Place.choices if value in (order.zone_places or ())]
        conditions.append("an exclusion zone" + (f" ({'; '.join(places)})" if places else ""))
    if order.attend_treatment:
        conditions.append("to attend treatment or an assessment")
    if order.other_conditions:
        conditions.append(_short(order.other_conditions, 200).rstrip("."))
    if conditions:
        text += " Conditions: " + "; ".join(conditions) + "."
    elif protects:
        text += f" It protects {', '.join(protects)}."
    return text


def _index_behaviour(record: _Record) -> list[Statement]:
    timeline = reverse("cases:timeline", args=[record.reference])
    out = [
        record.statement(
            _incident_text(record, incident),
            kind="incident",
            id=incident.pk,
            label=f"Incident on {_when(incident.occurred_on, incident.precision)}",
            path=f"{timeline}#incident-{incident.pk}",
        )
        for incident in record.incidents
    ]
    out += [
        record.statement(
            _order_text(record, order),
            kind="order",
            id=order.pk,
            label=_label(OrderKind, order.kind),
            path=record.case_path("orders"),
        )
        for order in record.orders
    ]
    for hearing in record.hearings:
        text = f"{_label(HearingKind, hearing.kind)} on {date_gb(hearing.hearing_on)}"
        text += f" at {hearing.venue}." if hearing.venue else "."
        out.append(
            record.statement(
                text,
                kind="hearing",
                id=hearing.pk,
                label=f"{_label(HearingKind, hearing.kind)}, {date_gb(hearing.hearing_on)}",
                path=record.case_path("hearings"),
            )
        )
    if record.mappa is not None:
        mappa = record.mappa
        text = f"Managed under MAPPA: {_label(MappaCategory, mappa.category)}; {_label(MappaLevel, mappa.level)}."
        out.append(
            record.statement(
                text, kind="case", id=record.case.pk, label="MAPPA", path=record.case_path("mappa"), part="mappa"
            )
        )
    return out


def _risk(record: _Record) -> list[Statement]:
    out = []
    if record.case.stalker_type:
        out.append(
            record.statement(
                f"Stalker type (Mullen, Pathé and Purcell): {_label(StalkerType, record.case.stalker_type)}.",
                kind="case",
                id=record.case.pk,
                label=f"{record.reference}, stalker type",
                path=record.case_path("summary"),
                part="stalker_type",
            )
        )
    assessment = record.assessment
    if assessment is None:
        return out
    label = f"{assessment.definition.title}, signed {date_gb(assessment.signed_at)}"
    labels = {j["outcome"]: j["label"] for j in assessment.definition.content.get("judgements", ())}
    for judgement in assessment.judgements.all():
        if not judgement.level:
            continue
        text = f"{labels.get(judgement.outcome, judgement.outcome)}: {_label(Level, judgement.level).lower()}."
        if judgement.rationale:
            text += f" {_sentence(judgement.rationale)}"
        out.append(
            record.statement(
                text,
                kind="assessment",
                id=assessment.pk,
                label=label,
                path=record.assessment_path(assessment, "judgements"),
                part=f"judgement:{judgement.outcome}",
            )
        )
    for scenario in assessment.scenarios.all():
        text = (
            f"Risk scenario: {_sentence(scenario.nature)} Severity {_label(Level, scenario.severity).lower()}; "
            f"how soon: {_label(Imminence, scenario.imminence).lower()}"
        )
        text += f"; how often: {scenario.frequency}" if scenario.frequency else ""
        text += f"; likelihood {_label(Level, scenario.likelihood).lower()}."
        out.append(
            record.statement(
                text,
                kind="assessment",
                id=assessment.pk,
                label=label,
                path=record.assessment_path(assessment, "scenarios-heading"),
                part=f"scenario:{scenario.pk}",
            )
        )
    if assessment.review_due_on:
        out.append(
            record.statement(
                f"The assessment is to be reviewed by {date_gb(assessment.review_due_on)}.",
                kind="assessment",
                id=assessment.pk,
                label=label,
                path=record.assessment_path(assessment),
                part="review",
            )
        )
    return out


def _opinion(record: _Record) -> list[Statement]:
    assessment = record.assessment
    plan = getattr(assessment, "plan", None) if assessment is not None else None
    if assessment is None or plan is None:
        return []
    path = reverse("assessments:plan", args=[record.reference, assessment.pk])
    label = f"Risk management plan, review by {date_gb(plan.review_on)}"
    out = []
    safety = 0
    for action in plan.actions.all():
        if action.status not in OPEN_ACTION_STATUSES:
            continue
        if action.area == PlanArea.VICTIM_SAFETY:
            # A victim's safety arrangements are not written into a report that may reach the
            # person who stalks them: counted, for the author to summarise.
            safety += 1
            continue
        text = (
            f"Recommended ({_label(PlanArea, action.area).lower()}): {_sentence(action.description)} "
            f"Responsible: {action.agency}, by {date_gb(action.due_on)}."
        )
        out.append(record.statement(text, kind="plan", id=plan.pk, label=label, path=path, part=f"action:{action.pk}"))
    if safety:
        out.append(
            record.statement(
                f"The plan includes victim safety planning ({safety} open "
                f"{'action' if safety == 1 else 'actions'}); its detail is not reproduced here.",
                kind="plan",
                id=plan.pk,
                label=label,
                path=path,
                part="victim_safety",
            )
        )
    return out


_BUILDERS: dict[str, Callable[[_Record], list[Statement]]] = {
    sections.INSTRUCTIONS: _instructions,
    sections.SOURCES: _sources,
    sections.HISTORY: _history,
    sections.INDEX_BEHAVIOUR: _index_behaviour,
    sections.RISK: _risk,
    sections.OPINION: _opinion,
}


# Builders other apps register for sections only they can fill (the treatment app's compliance
# report sections): an app above this one in the layers adds to the record without being imported.
_REGISTERED: dict[str, Callable[[_Record], list[Statement]]] = {}


def register_builder(key: str, builder: Callable[[_Record], list[Statement]]) -> None:
    """Let ``builder(record)`` fill the section ``key`` (``record.request``, ``record.case``,
    ``record.reference``, ``record.statement(...)`` to make a statement with its source)."""
    if key in _BUILDERS:
        raise ValueError(f"The reports app fills the {key} section itself")
    _REGISTERED[key] = builder


def _builder(key: str) -> Callable[[_Record], list[Statement]] | None:
    return _BUILDERS.get(key) or _REGISTERED.get(key)


def prefill(request: ReportRequest, key: str) -> list[Statement]:
    """The statements the record gives for one section of the request's report ([] for a section
    the record does not fill: confidentiality, mental state, the declaration)."""
    builder = _builder(key)
    if builder is None:
        return []
    return builder(_Record(request))


def prefill_all(request: ReportRequest) -> dict[str, list[Statement]]:
    """Every pre-filled section of the request's report type → its statements, reading the record
    once (a fixed number of queries)."""
    record = _Record(request)
    found = {}
    for spec in sections.sections_for(request.report_type):
        builder = _builder(spec.key) if spec.prefilled else None
        if builder is not None:
            found[spec.key] = builder(record)
    return found


# What a registered builder is given (see ``register_builder``).
Record = _Record
