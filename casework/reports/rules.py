"""Who may do what with report requests. Which requests a user sees at all is
``queries.requests_visible_to`` (the case's access rules); these decide what they may do.

- Clinicians and clinical leads read the requests of the cases they can read, with the questions
  asked and the letter of instruction.
- The referrals coordinator administers the clinic's diary (design.md: books appointments, issues
  letters, reads no clinical content beyond triage): she sees the list of a case's requests (type,
  instructing party, due date, status) and nothing more: not the questions, not the letter, and
  she changes nothing.
- Whoever may write the case's clinical content (clinicians on the team, clinical leads) adds
  requests, creates them from the referral and changes them.
- Finance officers, researchers, system administrators and agencies: nothing.
"""

from __future__ import annotations

import rules

from casework.accounts.rules import (
    is_agency_referrer,
    is_clinical_lead,
    is_clinical_staff,
    is_referrals_coordinator,
)


def _case_of(obj):
    """The case a request, report, section, comment or issue belongs to (or the case itself)."""
    if hasattr(obj, "report") and not hasattr(obj, "request"):
        obj = obj.report
    return getattr(obj, "case", obj)


def _report_of(obj):
    return getattr(obj, "report", obj)


@rules.predicate
def is_author(user, obj) -> bool:
    """The user is the report's author."""
    report = None if obj is None else _report_of(obj)
    return report is not None and getattr(report, "author_id", None) == user.pk


@rules.predicate
def is_not_author(user, obj) -> bool:
    report = None if obj is None else _report_of(obj)
    return report is None or getattr(report, "author_id", None) != user.pk


@rules.predicate
def may_write_case(user, obj) -> bool:
    """The user may write the clinical content of the case (of the request)."""
    return user.has_perm("cases.edit_clinical", None if obj is None else _case_of(obj))


rules.add_perm("reports.view_list", is_clinical_staff | is_referrals_coordinator)
rules.add_perm("reports.view", is_clinical_staff)
rules.add_perm("reports.add", is_clinical_staff & may_write_case)
rules.add_perm("reports.edit", is_clinical_staff & may_write_case)
# Drafting (``drafting``): whoever may write the case's clinical content drafts and refreshes; any
# clinician or lead who can read the case comments and returns a signed draft; the author signs,
# then a clinical lead who is not the author signs it off.
rules.add_perm("reports.draft", is_clinical_staff & may_write_case)
rules.add_perm("reports.comment", is_clinical_staff)
rules.add_perm("reports.sign_author", is_clinical_staff & is_author & may_write_case)
rules.add_perm("reports.sign_lead", is_clinical_lead & is_not_author)
# Issuing (``issuing``), corrections and releases recorded by hand.
rules.add_perm("reports.issue", is_clinical_staff & may_write_case)
rules.add_perm("reports.correct", is_clinical_staff & may_write_case)
rules.add_perm("reports.disclose", is_clinical_staff & may_write_case)
rules.add_perm("reports.download", is_clinical_staff)
# My work.
rules.add_perm("reports.work_due", is_clinical_staff)
rules.add_perm("reports.work_late", is_clinical_lead)
rules.add_perm("reports.work_sign_off", is_clinical_lead)


# --- The disclosure register (/reports/register/) ---------------------------------------------------
# Which entries a user sees at all is ``register_queries.disclosures_visible_to`` (the entry's case
# must be readable). Clinical staff see every column (the officer's name, who released it, the
# note); the referrals coordinator issues letters and sees the register too, but only the date, the
# case reference, the recipient organisation, the method, the legal basis and the description.
rules.add_perm("reports.view_register", is_clinical_staff | is_referrals_coordinator)
rules.add_perm("reports.view_register_details", is_clinical_staff)
# The CSV export holds the same filtered rows and the columns the user sees on the page.
rules.add_perm("reports.export_register", is_clinical_staff | is_referrals_coordinator)


@rules.predicate
def is_addressed_to_own_organisation(user, issued) -> bool:
    """An issued report whose recipient is the user's own organisation (refuses without one)."""
    organisation_id = getattr(user, "organisation_id", None)
    return issued is not None and bool(organisation_id) and issued.recipient_id == organisation_id


# --- Reports issued to an agency, in the portal (/portal/reports/) -----------------------------------
rules.add_perm("reports.portal_list_issued", is_agency_referrer)
# Downloading writes a disclosure entry (``services.disclosures.portal_download``).
rules.add_perm("reports.portal_download", is_agency_referrer & is_addressed_to_own_organisation)
