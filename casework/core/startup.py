"""What must hold before the service serves a page or runs a task: the web server
(``casework/wsgi.py``) and the background worker call ``refuse_if_unsafe()`` once they have loaded
the apps, and stop with the reasons in their log if anything registered here says no.

An app adds its own condition from its ``AppConfig.ready`` with ``register(check)``: a check returns
a list of problems, written for an operator (never a key, a path or a personal detail); an empty
list means all is well. The people app registers the key check (the keys in force must read the
encrypted data already in the database).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("casework.startup")
Check = Callable[[], list[str]]
_checks: list[Check] = []


def register(check: Check) -> None:
    if check not in _checks:
        _checks.append(check)


def problems() -> list[str]:
    found: list[str] = []
    for check in _checks:
        found.extend(check())
    return found


def refuse_if_unsafe() -> None:
    """Raise ``ImproperlyConfigured`` (after logging each reason) if any registered check fails."""
    found = problems()
    if found:
        for problem in found:
            logger.critical(problem)
        raise ImproperlyConfigured("Refusing to start: " + " ".join(found))
