"""Logging without personal data.

Django attaches the request to error records; its repr and any formatted traceback can carry
query strings, form bodies and cookies. This filter drops the request object and keeps only the
request id, method and path (paths carry human references such as REF-2026-00042, never names).
"""

from __future__ import annotations

import logging


class NoPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None:
            request_id = getattr(request, "request_id", "-")
            # Set as logging itself sets a record's ``extra`` attributes.
            record.__dict__.update(request_id=request_id, request=None)
            record.msg = f"{record.msg} [request {request_id}]"
        # Never log the arguments of a record that says it carries form data.
        if getattr(record, "contains_form_data", False):
            record.args = ()
        return True


class NoTracebackFilter(logging.Filter):
    """Drop a record's traceback: an exception's message may hold personal data. For libraries
    that log a failed background task with ``logger.exception`` (django-tasks does, naming the
    task's id and path in the message itself)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True
