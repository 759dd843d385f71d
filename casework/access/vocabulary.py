"""The words the access rules are written in: kinds of case, roles of a party, the draft state of
a referral. The apps that own those records take their stored values from here (for example
``cases.choices.CaseKind.VICTIM``), so the rules and the data cannot drift apart."""

from __future__ import annotations

# Kinds of case.
PERPETRATOR_CASE = "perpetrator"
VICTIM_CASE = "victim"
CONSULTATION_CASE = "consultation"
# Cases about the person who stalks (or a problem case an agency asked about): the far side of a
# barrier from a victim case.
NOT_VICTIM_CASES = (PERPETRATOR_CASE, CONSULTATION_CASE)

# Roles of a party in a case.
SUBJECT_PARTY = "subject"
VICTIM_PARTY = "victim"
STALKER_PARTY = "person_who_stalks"

# Whom a referral is about: the person stalked (the other value is the person who stalks).
REFERRAL_ABOUT_VICTIM = "victim"

# Roles in a case team.
LEAD_CLINICIAN = "lead_clinician"

# A referral an agency has started in the portal and not yet sent.
DRAFT_REFERRAL = "draft"
