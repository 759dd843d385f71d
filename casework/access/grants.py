"""Break-glass grants as the access rules read them: is one active for this user and record?

The grants themselves are rows of ``audit.BreakGlassGrant`` (the audit app keeps them beside the
events they explain); ``breakglass`` opens them.
"""

from __future__ import annotations

from django.db.models import CharField, Exists, Model, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone

from casework.audit.models import BreakGlassGrant
from casework.core.roles import Role

BREAK_GLASS_ROLES = (Role.CLINICIAN, Role.CLINICAL_LEAD)


def label_of(model_or_obj) -> str:
    return model_or_obj._meta.label_lower


def active_grants(user, label: str):
    """The user's unexpired grants on records of type ``label``. Only clinicians and clinical
    leads may break glass, so a grant row for anyone else (however it came to be) opens nothing."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.role in BREAK_GLASS_ROLES):
        return BreakGlassGrant.objects.none()
    return BreakGlassGrant.objects.filter(user=user, object_type=label, expires_at__gt=timezone.now())


def grant_exists(user, label: str, outer: str = "pk") -> Exists:
    """EXISTS an active grant of ``user`` on the outer row (for ``filter`` on a queryset of ``label``)."""
    return Exists(active_grants(user, label).filter(object_id=Cast(OuterRef(outer), CharField())))


def granted_ids(user, label: str, ids=None) -> set[int]:
    """The ids of records of type ``label`` that ``user`` holds an active grant on (of ``ids``, if given)."""
    grants = active_grants(user, label)
    if ids is not None:
        grants = grants.filter(object_id__in=[str(pk) for pk in ids])
    return {int(object_id) for object_id in grants.values_list("object_id", flat=True) if object_id.isdigit()}


def active_grant(user, obj: Model | None) -> BreakGlassGrant | None:
    """The user's unexpired grant on ``obj``, or None."""
    if obj is None or obj.pk is None or not getattr(user, "is_authenticated", False):
        return None
    return active_grants(user, label_of(obj)).filter(object_id=str(obj.pk)).order_by("-expires_at").first()
