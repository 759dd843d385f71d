"""The consultation's fixed lists."""

from __future__ import annotations

from django.db import models


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    ADVICE_GIVEN = "advice_given", "Advice given"
    CLOSED = "closed", "Closed"
