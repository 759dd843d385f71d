"""Who may search. Which records a search finds is ``queries.search``'s business (the referrals
and cases apps' own visible-to queries); this says only who may use the search page at all:
the staff who can see referrals or cases (referrals coordinators, clinicians, clinical leads)."""

from __future__ import annotations

import rules

from casework.accounts.rules import is_clinical_staff, is_referrals_coordinator

rules.add_perm("search.use", is_referrals_coordinator | is_clinical_staff)
