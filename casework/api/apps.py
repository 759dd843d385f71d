from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The agency REST API under /api/v1/ (docs/adr/0023-agency-api.md): scoped, hashed, expiring
    tokens per organisation; referrals, requests for information, issued reports and FHIR R4 reads.

    It sits above the portal: every read and write goes through the portal's and the referrals app's
    queries and services, acting as the token's own agency account, so the access home
    (``casework.access``) decides what an organisation sees, exactly as it does for the portal."""

    name = "casework.api"
    label = "api"
    verbose_name = "Agency API"
