"""An agency's download of a report issued to its organisation, shared by the portal
(``casework.portal.report_views``) and the agency API (``casework.api.views.api``) so the release is
decided, recorded and served in one place.

``agency_download`` finds the issue among those addressed to the user's organisation
(``register_queries.issued_for_download``); one that is not (or does not exist) is ``Http404``, and a
refused request for one that exists is logged (``access.policy.note_refusal``). The file is the one
frozen at issue (``issuing.frozen_bytes``: ``issuing.FileAltered`` if it no longer matches its
digest, which each caller answers in its own way). Every download is a release: audited and entered
in the disclosure register (``services.disclosures.portal_download``) before the file is served.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from casework.access import policy
from casework.reports import register_queries
from casework.reports.models import IssuedReport
from casework.reports.services import issuing
from casework.reports.services.disclosures import DOCX, PDF, portal_download

CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def agency_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The ``kind`` file ("pdf" or "docx") of issue ``pk`` for ``request.user``, recorded as a release.

    Raises ``Http404`` (the attempt logged) for an issue not addressed to the user's organisation,
    and ``issuing.FileAltered`` when the stored file no longer matches what was issued."""
    issued = register_queries.issued_for_download(request.user, pk)
    if issued is None:
        policy.note_refusal(request, IssuedReport, pk=pk)
        raise Http404("No such report, or not one issued to your organisation")
    content = issuing.frozen_bytes(issued, kind)
    portal_download(issued=issued, kind=kind, by=request.user, request=request)
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="report-{issued.pk}-issue-{issued.number}.{kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
