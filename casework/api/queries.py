"""Readers for the API token pages: system administrators only (deny by default)."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.api.models import ApiToken


def tokens_visible_to(user) -> QuerySet[ApiToken]:
    if not user.has_perm("api.manage_tokens"):
        return ApiToken.objects.none()
    return ApiToken.objects.select_related("organisation", "created_by", "revoked_by").order_by("-created_at", "-id")


def token_for(user, pk: int) -> ApiToken | None:
    return tokens_visible_to(user).filter(pk=pk).first()
