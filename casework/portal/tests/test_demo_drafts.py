"""The demo's part-way drafts follow the portal's question pages (the referrals app keeps its own
copy of the pages' order and fields, since it may not import the portal)."""

from __future__ import annotations

from casework.portal.forms import STEPS
from casework.referrals.demo import PORTAL_PAGES


def test_the_demo_knows_the_portals_pages_and_what_each_asks():
    portal = [(step.slug, tuple(step.form_class.base_fields) if step.form_class else ()) for step in STEPS]
    assert list(PORTAL_PAGES) == portal
