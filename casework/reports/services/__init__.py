"""The only writers of the reports app, one module per part of the work:

- ``requests``: report requests, made from the case's accepted report services or added by hand;
- ``drafting``: the report's draft, its versions, comments and sign-offs, corrections;
- ``issuing``: issuing a signed-off report as frozen, signed files, and releases recorded by hand;
- ``disclosures``: what a portal download writes into the disclosure register.

The request services are re-exported here (``services.requests_from_case``), as before the split.
"""

from casework.reports.services.requests import (
    EDITABLE,
    FREE_TEXT,
    ReportRefused,
    letter_of_instruction_for,
    pending_from_case,
    request_add,
    request_update,
    requests_from_case,
)

__all__ = [
    "EDITABLE",
    "FREE_TEXT",
    "ReportRefused",
    "letter_of_instruction_for",
    "pending_from_case",
    "request_add",
    "request_update",
    "requests_from_case",
]
