"""Who may see the service dashboards and export their figures.

Clinical leads only. The dashboards count the whole caseload a lead already sees (``casework.access``
scopes: the cases and referrals a lead is related to), and name staff in the caseload figure.

- Researchers do not see them here: their statistics are to come from pseudonymised extracts with
  small cells suppressed (issue 17), never from these live, unsuppressed counts.
- System administrators manage accounts and configuration and are related to no case
  (``casework.access.scopes``); finance officers see no clinical content; referrals coordinators
  see no typology or treatment outcomes; clinicians see their own caseload only. All: 403.
"""

from __future__ import annotations

import rules

from casework.accounts.rules import is_clinical_lead

rules.add_perm("insights.view_dashboard", is_clinical_lead)
rules.add_perm("insights.export", is_clinical_lead)
