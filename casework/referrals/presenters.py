"""How a referral's answers are shown: on the portal's check-your-answers and status pages, and in
the copy kept of what the referrer sent (``Referral.as_sent``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from casework.core.formatting import date_gb, yes_no
from casework.referrals.choices import LegalStatus, Offence, Order, PartyRole, Service, Setting, SubjectRole
from casework.referrals.models import Referral

BR = mark_safe("<br>")  # noqa: S308 (a constant line break)


def service_labels(values) -> list[str]:
    chosen = set(values)
    return [s.label for s in Service if s.value in chosen]


def _list_html(items: list[str], empty: str = "None") -> Any:
    if not items:
        return empty
    if len(items) == 1:
        return items[0]
    return format_html(
        '<ul class="nhsuk-list nhsuk-list--bullet">{}</ul>', format_html_join("", "<li>{}</li>", ((i,) for i in items))
    )


def _multiline(text: str, empty: str) -> Any:
    lines = (text or "").splitlines()
    if not any(line.strip() for line in lines):
        return empty
    return format_html_join(BR, "{}", ((line,) for line in lines))


def _row(key: str, value: Any, change_href: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {"key": {"text": key}, "value": {"html": format_html("{}", value)}}
    if change_href:
        row["actions"] = {"items": [{"href": change_href, "text": "Change", "visuallyHiddenText": key.lower()}]}
    return row


def answer_sections(
    referral: Referral, *, blank: str = "Not given", contact_title: str = "Referring officer",
    change: Callable[[str], str | None] | None = None, party_change: Callable[[int], str] | None = None,
    parties_change: str | None = None,
) -> list[dict[str, Any]]:
    """What the referral says, page by page, as NHS summary-list rows. The ``change`` builders add
    check your answers' "Change" links; without them the rows are read-only."""
    editable = change is not None
    change = change or (lambda slug: None)

    def label(choices, value: str) -> str:
        return choices(value).label if value in choices.values else blank

    services = referral.services
    parties = list(referral.named_parties.all())
    sections = []
    sections.append({"title": "Services asked for", "rows": [
        _row("Services", _list_html(service_labels(services), blank), change("services")),
    ]})
    sections.append({"title": "The person referred", "rows": [
        _row("Who they are", label(SubjectRole, referral.subject_role), change("subject")),
        _row("Name", referral.subject_name if (referral.subject_given_name or referral.subject_family_name) else blank,
             change("subject")),
        _row("Date of birth", date_gb(referral.subject_date_of_birth, "Not known"), change("subject")),
        _row("Other details", _multiline(referral.subject_details, "None given"), change("subject")),
    ]})
    party_rows = []
    for index, party in enumerate(parties):
        described = [party.name, PartyRole(party.role).label if party.role in PartyRole.values else ""]
        if party.relationship_to_subject:
            described.append(f"Relationship: {party.relationship_to_subject}")
        value = format_html_join(BR, "{}", ((d,) for d in described if d))
        if party.details.strip():
            value = BR.join([value, _multiline(party.details, "")])
        href = party_change(index + 1) if party_change else None
        party_rows.append(_row(f"Person {index + 1}", value, href))
    if not party_rows:
        party_rows.append(_row("People named", "None added", parties_change))
    elif editable:
        party_rows.append(_row("Add or remove people", f"{len(parties)} named", parties_change))
    sections.append({"title": "Other people involved", "rows": party_rows})
    significant = yes_no(referral.stalking_significant) if referral.stalking_significant is not None else blank
    sections.append({"title": "The behaviour", "rows": [
        _row("Behaviour in outline", _multiline(referral.behaviour_summary, blank), change("behaviour")),
        _row("How long it has gone on", referral.behaviour_duration or blank, change("behaviour")),
        _row("Stalking, harassment or threat is a significant part", significant, change("behaviour")),
    ]})
    offences = [Offence(o).label for o in referral.offences if o in Offence.values and o != Offence.OTHER]
    if Offence.OTHER in referral.offences:
        offences.append(f"Other: {referral.other_offences}" if referral.other_offences else Offence.OTHER.label)
    orders = [Order(o).label for o in referral.orders_in_force if o in Order.values]
    sections.append({"title": "Legal position", "rows": [
        _row("Legal position", label(LegalStatus, referral.legal_status), change("legal")),
        _row("Offences", _list_html(offences, "None given"), change("legal")),
        _row("Orders in force", _list_html(orders, "None"), change("legal")),
    ]})
    setting_rows = [_row("Where", label(Setting, referral.assessment_setting), change("setting"))]
    if referral.assessment_setting == Setting.CUSTODY:
        setting_rows.append(_row("Prison or establishment", referral.custody_establishment or blank, change("setting")))
        setting_rows.append(_row("Prison number", referral.prison_number or blank, change("setting")))
    elif referral.assessment_setting == Setting.MENTAL_HEALTH_FACILITY:
        setting_rows.append(_row("Mental health facility", referral.facility_name or blank, change("setting")))
    sections.append({"title": "Where an assessment would happen", "rows": setting_rows})
    sections.append({"title": "Key dates", "rows": [
        _row("Next court hearing", date_gb(referral.next_hearing_on, "None given"), change("dates")),
        _row("Report needed by", date_gb(referral.report_due_on, "None given"), change("dates")),
        _row("Parole hearing", date_gb(referral.parole_hearing_on, "None given"), change("dates")),
    ]})
    sections.append({"title": "Funding", "rows": [
        _row("Commissioning organisation", referral.commissioner.name if referral.commissioner else blank,
             change("funding")),
        _row("Purchase order number", referral.purchase_order or "None given", change("funding")),
        _row("Contract reference", referral.contract_reference or "None given", change("funding")),
    ]})
    sections.append({"title": contact_title, "rows": [
        _row("Name", referral.referrer_name or blank, change("contact")),
        _row("Job title", referral.referrer_job_title or blank, change("contact")),
        _row("Email address", referral.referrer_email or blank, change("contact")),
        _row("Telephone number", referral.referrer_phone or blank, change("contact")),
    ]})
    return sections


def as_sent(referral: Referral) -> list[dict[str, Any]]:
    """The read-only sections as plain JSON, kept when the referral is received."""
    return [
        {"title": section["title"], "rows": [
            {"key": row["key"], "value": {"html": str(row["value"]["html"])}} for row in section["rows"]
        ]}
        for section in answer_sections(referral)
    ]
