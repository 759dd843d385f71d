"""The address of the client that sent a request, through a known number of reverse proxies.

Each trusted proxy appends the address it received the request from to ``X-Forwarded-For``, so
behind ``TRUSTED_PROXY_COUNT`` = N proxies the client is the N-th entry from the right: entries
further left were sent by the client itself and prove nothing. With no trusted proxies the header
is ignored altogether and the client is the TCP peer (``REMOTE_ADDR``). This is the rule of
Werkzeug's ``ProxyFix(x_for=N)``; django-ipware counts proxies differently and trusts the header
when the count is 0, so it is not used (docs/adr/0003).

One function, used by django-axes (``AXES_CLIENT_IP_CALLABLE``), by the sign-in view's address
throttle and by the audit trail, so that all three see the same address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def _parse(value: str | None) -> str | None:
    """``value`` as a normalised IP address, or None. Accepts ``1.2.3.4:port`` and
    ``[2001:db8::1]:port``, as some proxies write them."""
    value = (value or "").strip()
    if not value:
        return None
    candidates = [value]
    if value.startswith("[") and "]" in value:
        candidates.append(value[1 : value.index("]")])
    elif value.count(":") == 1:
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def trusted_proxy_count() -> int:
    return max(0, int(getattr(settings, "CASEWORK_TRUSTED_PROXY_COUNT", 0) or 0))


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, normalised, or None if there is none that parses."""
    if request is None:
        return None
    meta = request.META
    proxies = trusted_proxy_count()
    if proxies:
        entries = [entry.strip() for entry in (meta.get(FORWARDED_FOR) or "").split(",")]
        entries = [entry for entry in entries if entry]
        if len(entries) >= proxies:
            return _parse(entries[-proxies])
        # Fewer entries than trusted proxies: the request did not pass through all of them.
        # Only the TCP peer is known for certain.
    return _parse(meta.get("REMOTE_ADDR"))
