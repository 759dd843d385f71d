"""Writers for organisations: each one transaction, each one audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from casework.accounts.models import User
from casework.accounts.services import user_update
from casework.audit.services import record_change, record_create, snapshot
from casework.core.permissions import requires
from casework.core.roles import Role
from casework.organisations.models import Organisation

EDITABLE_FIELDS = ("name", "kind", "ods_code", "address", "postcode", "phone", "email")


@requires("organisations.manage")
def organisation_create(*, by: User, request: HttpRequest | None = None, **fields: Any) -> Organisation:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not an organisation field: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        organisation = Organisation(**fields)
        organisation.full_clean()
        organisation.save()
        record_create(request=request, actor=by, obj=organisation, fields=Organisation.AUDITED_FIELDS)
    return organisation


@requires("organisations.manage")
def organisation_update(
    *, organisation: Organisation, by: User, request: HttpRequest | None = None, **fields: Any
) -> Organisation:
    """Change an organisation's details. The old values recorded are those in the database."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not an organisation field: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = snapshot(current, Organisation.AUDITED_FIELDS)
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
        record_change(request=request, actor=by, obj=current, before=before, fields=Organisation.AUDITED_FIELDS)
    organisation.refresh_from_db()
    return current


@requires("organisations.deactivate", obj="organisation")
def organisation_deactivate(*, organisation: Organisation, by: User, request: HttpRequest | None = None) -> int:
    """Deactivate an organisation: it can no longer be chosen, and its agency referrers'
    accounts are disabled (their sessions end), each change audited. Returns how many
    accounts were disabled."""
    with transaction.atomic():
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if not current.is_active:
            return 0
        before = snapshot(current, Organisation.AUDITED_FIELDS)
        current.is_active = False
        current.save(update_fields=["is_active", "updated_at"])
        record_change(request=request, actor=by, obj=current, before=before, fields=Organisation.AUDITED_FIELDS)
        referrers = list(
            User.objects.select_for_update().filter(organisation=current, role=Role.AGENCY_REFERRER, is_active=True)
        )
        for referrer in referrers:
            user_update(user=referrer, by=by, request=request, is_active=False)
    organisation.refresh_from_db()
    return len(referrers)


@requires("organisations.reactivate", obj="organisation")
def organisation_reactivate(*, organisation: Organisation, by: User, request: HttpRequest | None = None) -> None:
    """Make an organisation choosable again. Its referrers' accounts stay disabled until an
    administrator re-enables each one."""
    with transaction.atomic():
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if current.is_active:
            return
        before = snapshot(current, Organisation.AUDITED_FIELDS)
        current.is_active = True
        current.save(update_fields=["is_active", "updated_at"])
        record_change(request=request, actor=by, obj=current, before=before, fields=Organisation.AUDITED_FIELDS)
    organisation.refresh_from_db()
