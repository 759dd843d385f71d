"""Every byte a page needs comes from the service: a closed NHS network may block third-party
origins, and the content security policy names none (issue 11: the fonts came from a CDN)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

VENDOR = Path(settings.BASE_DIR) / "casework" / "static" / "vendor"
ELSEWHERE = re.compile(r"url\(\s*[\"']?(?:https?:)?//", re.IGNORECASE)


def test_the_built_stylesheets_load_nothing_from_another_origin():
    sheets = sorted(VENDOR.rglob("*.css"))
    assert sheets, "run `make assets` first"
    offenders = [
        str(sheet.relative_to(VENDOR)) for sheet in sheets if ELSEWHERE.search(sheet.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_content_security_policy_allows_no_other_origin():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    named = {
        name: [s for s in sources if isinstance(s, str) and re.match(r"(?:https?:)?//|https?:", s)]
        for name, sources in directives.items()
    }
    assert {name: sources for name, sources in named.items() if sources} == {}


def test_a_page_says_so_in_its_header(client):
    policy = client.get(reverse("accounts:sign_in")).headers["Content-Security-Policy"]
    assert "assets.nhs.uk" not in policy
    assert "font-src 'self'" in policy
