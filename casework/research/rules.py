"""Who may do what with research extracts.

- Researchers ask for extracts and download those approved for them, once each. They never see
  a name, an identifier or a contact detail: the extract is pseudonymised and the research pages
  show none (``tests/test_canary.py``).
- Clinical leads see the whole log and approve or decline requests (never their own): the
  separation an information governance lead expects between who wants the data and who releases it.
- Nobody else sees the log (403).
"""

from __future__ import annotations

import rules

from casework.accounts.rules import is_clinical_lead, is_researcher


@rules.predicate
def is_requester(user, extract) -> bool:
    return extract is not None and extract.requested_by_id == user.pk


@rules.predicate
def is_waiting(user, extract) -> bool:
    from casework.research.models import ExtractStatus

    return extract is not None and extract.status == ExtractStatus.REQUESTED


@rules.predicate
def is_approved(user, extract) -> bool:
    from casework.research.models import ExtractStatus

    return extract is not None and extract.status == ExtractStatus.APPROVED


rules.add_perm("research.view_log", is_researcher | is_clinical_lead)
rules.add_perm("research.request", is_researcher)
rules.add_perm("research.view", (is_researcher & is_requester) | is_clinical_lead)
rules.add_perm("research.decide", is_clinical_lead & ~is_requester & is_waiting)
rules.add_perm("research.download", is_researcher & is_requester & is_approved)
