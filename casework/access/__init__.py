"""Access control in one home: who may see, and who may change, every record with personal data.

- ``registry``  — which record types hold personal data and which case, person or referral each
  belongs to (the apps register their models here when they are ready);
- ``scopes``    — who is related to which case, person and referral, by role (the one definition);
- ``barrier``   — the information barrier between a victim's case and her stalker's;
- ``sealed``    — who sees a sealed person's contact details;
- ``breakglass``— emergency reading, with a reason, alerted to someone independent;
- ``policy``    — the questions pages ask: ``visible``, ``relationship``, ``can_read``,
  ``can_change``, ``is_across_barrier``, ``get_or_404`` (refused attempts are audited);
- ``review``    — the review of the audit trail: which events a reviewer may see, and the readers
  of its pages (``views/review.py``, at /audit/);
- ``rules``     — predicates the apps' ``rules`` combine with what each role may do.

Import the submodule you need (``from casework.access import policy``): this package sits below
the apps it governs and imports none of them. docs/adr/0015-access-in-one-home.md says why.
"""
