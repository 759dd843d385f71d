"""Readers for organisations. Every queryset that reaches a user is scoped here."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from casework.accounts.models import User
from casework.accounts.queries import users_visible_to
from casework.core.roles import Role
from casework.organisations.models import Organisation

STATUS_ACTIVE = "active"
STATUS_INACTIVE = "inactive"


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """Clinic staff see the directory of agencies; an agency referrer sees only their own
    organisation; nobody signed out sees any."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Organisation.objects.none()
    if user.role == Role.AGENCY_REFERRER:
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.all()


def organisations_filtered(
    queryset: QuerySet[Organisation], *, kind: str = "", status: str = "", search: str = ""
) -> QuerySet[Organisation]:
    if kind:
        queryset = queryset.filter(kind=kind)
    if status == STATUS_ACTIVE:
        queryset = queryset.filter(is_active=True)
    elif status == STATUS_INACTIVE:
        queryset = queryset.filter(is_active=False)
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(ods_code__iexact=search))
    return queryset.annotate(
        referrer_count=Count("users", filter=Q(users__role=Role.AGENCY_REFERRER, users__is_active=True))
    ).order_by("name", "id")


def organisations_for_user_form(user, current: Organisation | None = None) -> QuerySet[Organisation]:
    """Organisations an agency referrer may be given: the active ones, and the one they already
    have even if it has since been deactivated (so editing them does not silently move them)."""
    condition = Q(is_active=True)
    if current is not None:
        condition |= Q(pk=current.pk)
    return organisations_visible_to(user).filter(condition).order_by("name", "id")


def agency_referrers_of(user, organisation: Organisation) -> QuerySet[User]:
    """The agency referrers of ``organisation`` that ``user`` may see."""
    return (
        users_visible_to(user)
        .filter(organisation=organisation, role=Role.AGENCY_REFERRER)
        .order_by("-is_active", "full_name", "id")
    )


def active_referrers_count(organisation: Organisation) -> int:
    return organisation.users.filter(role=Role.AGENCY_REFERRER, is_active=True).count()


def ods_code_in_use(code: str, exclude: Organisation | None = None) -> bool:
    queryset = Organisation.objects.filter(ods_code__iexact=code)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return bool(code) and queryset.exists()


def name_in_use(name: str, kind: str, exclude: Organisation | None = None) -> bool:
    queryset = Organisation.objects.filter(name__iexact=name, kind=kind)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.exists()
