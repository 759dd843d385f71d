"""System checks: every instrument definition loads, and production never runs on the
demonstration catalogue."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

from casework.assessments import definitions


@register()
def check_definitions(app_configs, **kwargs):
    """Every definition file, and every catalogue that is configured, loads. A catalogue that is
    not configured is no error: its instrument is listed as unavailable, with why, on the page that
    starts an assessment."""
    return [
        Error(problem, id="assessments.E002", obj=code)
        for code, definition, problem in definitions.available()
        if definition is None and not definitions.is_missing_catalogue(problem)
    ]


@register(Tags.security, deploy=True)
def check_demonstration_catalogue(app_configs, **kwargs):
    if not getattr(settings, "PRODUCTION", False):
        return []
    return [
        Error(
            f"The '{code}' instrument uses the demonstration catalogue, which is not the licensed item list.",
            hint="Set the catalogue's path (CASEWORK_CATALOGUE_SRP) to the file the clinic holds under its licence.",
            id="assessments.E001",
            obj=code,
        )
        for code, definition, _ in definitions.available()
        if definition is not None and definition.uses_demonstration_catalogue
    ]
