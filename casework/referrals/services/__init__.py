"""Writers for referrals, one module per part of the journey:

- ``intake``: staff-logged referrals, portal drafts, submission;
- ``triage``: status transitions, screening decisions, letters, allocation;
- ``documents``: uploaded documents.

The agency portal's writers (``casework.portal.services``) are built on ``intake``.
"""
