"""The agency's sections on My work (registered with casework.core.work): its own drafts, and its
organisation's referrals on which the clinic is waiting for information.

Whether a user gets them is a permission (``referrals.work_agency_queue``); what they list comes
from ``casework.portal.queries``. Each section runs a fixed number of queries, however much data
there is.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from casework.core.formatting import date_gb
from casework.core.work import WorkItem, WorkSection, queue_section, register
from casework.portal import queries
from casework.portal.forms import resume_at, step_url
from casework.referrals.choices import STATUS_TAG_COLOUR, Status
from casework.referrals.models import Referral


def _drafts_section(user) -> WorkSection:
    def item(referral: Referral) -> WorkItem:
        return WorkItem(
            text=f"Draft started {date_gb(referral.created_at)}",
            href=step_url(referral, resume_at(referral)),
            detail=f"Last saved {date_gb(referral.updated_at)}. Only you can see it until you send it.",
            tag="Draft",
            tag_colour=STATUS_TAG_COLOUR[Status.DRAFT],
        )

    return queue_section(
        "Your draft referrals",
        "You have no draft referrals. A referral you start and have not sent yet appears here, so you can continue it.",
        queries.own_drafts(user),
        item,
        reverse("portal:drafts"),
    )


def _information_section(user) -> WorkSection:
    def item(referral: Referral) -> WorkItem:
        status = Status(referral.status)
        return WorkItem(
            text=referral.reference,
            href=reverse("portal:detail", kwargs={"reference": referral.reference}),
            detail=f"The clinic asked for more information on {date_gb(referral.information_requested_at)}",
            tag=status.label,
            tag_colour=STATUS_TAG_COLOUR.get(status, "grey"),
        )

    return queue_section(
        "Referrals awaiting information from you",
        "The clinic is not waiting for information from your organisation. When it asks for more information "
        "about a referral, the referral appears here.",
        queries.awaiting_information_from(user),
        item,
        f"{reverse('portal:referrals')}?{urlencode({'status': Status.AWAITING_INFORMATION.value})}",
    )


@register(order=21)
def agency_sections(request: HttpRequest) -> list[WorkSection]:
    user = request.user
    if not user.has_perm("referrals.work_agency_queue"):
        return []
    return [_drafts_section(user), _information_section(user)]
