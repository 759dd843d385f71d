from __future__ import annotations

from django import forms

from casework.access.breakglass import REASON_MIN_LENGTH
from casework.core.forms import NHSForm

# The reason is kept in the append-only audit tables, whose columns are never altered to carry a
# max_length: its maximum is defined here (docs/input-limits.md).
REASON_MAX_LENGTH = 2000


class BreakGlassForm(NHSForm):
    """The written reason a clinician gives to open a record they have no relationship to."""

    reason = forms.CharField(
        label="Why do you need to open this record?",
        widget=forms.Textarea,
        min_length=REASON_MIN_LENGTH,
        max_length=REASON_MAX_LENGTH,
        help_text=(
            "Say what you need to do and why it cannot wait for the allocated clinician. "
            "Someone independent of you will read this."
        ),
        error_messages={
            "required": "Enter why you need to open this record",
            "min_length": f"Reason must be {REASON_MIN_LENGTH} characters or more",
            "max_length": f"Reason must be {REASON_MAX_LENGTH:,} characters or fewer",
        },
    )
