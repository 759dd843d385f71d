"""Who may see the service dashboards and export their figures.

Clinical leads only. The dashboards count the whole caseload a lead already sees (``casework.access``
scopes: the cases and referrals a lead is related to), and name staff in the caseload figure.

- Agency referrers see "Your service" in the portal instead: the same kinds of figure over their
  own organisation's referrals, reports issued to it and quotes it accepted, never another's.
- Researchers do not see them here: their statistics are to come from pseudonymised extracts with
  small cells suppressed (issue 17), never from these live, unsuppressed counts.
- System administrators manage accounts and configuration and are related to no case
  (``casework.access.scopes``); finance officers see no clinical content; referrals coordinators
  see no typology or treatment outcomes; clinicians see their own caseload only. All: 403.
"""

from __future__ import annotations

import rules

from casework.accounts.rules import is_agency_referrer, is_clinical_lead


@rules.predicate
def has_organisation(user) -> bool:
    return bool(getattr(user, "organisation_id", None))


rules.add_perm("insights.view_dashboard", is_clinical_lead)
# The commissioner's view in the portal (/portal/your-service/): an agency referrer, over their own
# organisation's referrals, reports and quotes only (casework.insights.commissioner).
rules.add_perm("insights.view_your_service", is_agency_referrer & has_organisation)
rules.add_perm("insights.export", is_clinical_lead)
