"""The header navigation, built from what the user may do (never from the role directly)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    text: str
    url_name: str
    permission: str | None  # None: any signed-in user

    def as_header_item(self, request: HttpRequest) -> dict:
        href = reverse(self.url_name)
        current = request.path == href or (href != "/" and request.path.startswith(href))
        return {"href": href, "text": self.text, "current": current}


# Apps add their items here in the order they appear.
NAVIGATION: list[NavItem] = [
    NavItem("My work", "core:my_work", None),
    NavItem("Referrals", "referrals:list", "referrals.view_list"),
    NavItem("People", "people:list", "people.view_list"),
    NavItem("Refer a case", "portal:start", "referrals.use_portal"),
    NavItem("Your referrals", "portal:referrals", "referrals.use_portal"),
    NavItem("Staff", "staff_admin:staff_list", "accounts.view_staff_only"),
    NavItem("Users", "staff_admin:user_list", "accounts.manage_users"),
    NavItem("Organisations", "organisations:list", "organisations.manage"),
    NavItem("Access review", "audit:review", "audit.review_access"),
    NavItem("Cases", "cases:list", "cases.view_list"),
    NavItem("Diary", "diary:week", "treatment.view_diary"),
    NavItem("Disclosures", "disclosures:register", "reports.view_register"),
    NavItem("Reports issued to you", "portal:reports", "reports.portal_list_issued"),
    NavItem("Dashboards", "insights:dashboard", "insights.view_dashboard"),
    NavItem("Research", "research:extracts", "research.view_log"),
    NavItem("Quotes", "portal:quotes", "billing.portal_list_quotes"),
    NavItem("Your service", "commissioner:your_service", "insights.view_your_service"),
    NavItem("Quotes", "billing:quotes", "billing.view_quotes"),
    NavItem("Contracts", "billing:contracts", "billing.view_contracts"),
    NavItem("Invoices", "portal:invoices", "billing.portal_list_invoices"),
    NavItem("Invoices", "billing:invoices", "billing.view_invoices"),
]


def header_items(request: HttpRequest) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [
        item.as_header_item(request) for item in NAVIGATION if item.permission is None or user.has_perm(item.permission)
    ]
