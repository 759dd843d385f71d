"""The people app's system check: the service refuses to start when its keys cannot read its
database (``casework.people.keycheck``; casework/wsgi.py and the worker refuse too)."""

from __future__ import annotations

from django.core.checks import Error, Tags, register

from casework.people.keycheck import key_problems


@register(Tags.security, deploy=False)
def keys_read_this_database(app_configs, **kwargs):
    """The service refuses to start when its keys cannot read its database (casework.people.keycheck)."""
    return [Error(problem, hint="See README: Keys and backups.", id="casework.E010") for problem in key_problems()]
