"""Writers for referrals, one module per part of the journey:

- ``intake``: staff-logged referrals, portal drafts, submission;
- ``triage``: status transitions, screening decisions, letters, allocation;
- ``documents``: uploaded documents;
- ``funding``: the purchase order number the commissioner gives when it accepts the quote
  (called by ``casework.billing``).

The agency portal's writers (``casework.portal.services``) are built on ``intake``.
"""
