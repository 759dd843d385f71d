"""What ``/healthz`` checks. Each check answers ``None`` when all is well, or a short sentence
saying what is wrong (never a secret, a path or a personal detail).

``CHECKS`` is the list ``/healthz`` runs, in order; another part of the service adds its own check
with ``register(name, check)`` (from its ``AppConfig.ready``). A check that raises counts as
failed, with only the kind of error reported.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, connection

from casework.core.assets import missing_layout_assets

Check = Callable[[], str | None]


def database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "the database cannot be reached"
    return None


def static_assets() -> str | None:
    missing = missing_layout_assets()
    if missing:
        return f"{len(missing)} of the layout's static files are missing from the static manifest (run collectstatic)"
    return None


CHECKS: list[tuple[str, Check]] = [("database", database), ("static_assets", static_assets)]


def register(name: str, check: Check) -> None:
    """Add a check to ``/healthz`` (once; registering a name again replaces it)."""
    CHECKS[:] = [(n, c) for n, c in CHECKS if n != name] + [(name, check)]


def run_checks() -> dict[str, str]:
    """Every check's result: "ok" or what is wrong."""
    results = {}
    for name, check in CHECKS:
        try:
            problem = check()
        except Exception as error:  # a check that breaks is a failed check
            problem = f"the check failed ({type(error).__name__})"
        results[name] = problem or "ok"
    return results
