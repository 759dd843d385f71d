"""The "Who looked at this record" panel and the query behind it."""

from __future__ import annotations

from django.template.loader import render_to_string

from casework.access.links import record_log_url
from casework.access.review import recent_access
from casework.audit.models import Action
from casework.audit.services import record
from casework.core.testing import assert_queries_flat


def render_panel(request, events, log_url):
    return render_to_string(
        "audit/_access_panel.jinja",
        {"access_events": events, "access_log_url": log_url},
        request=request,
    )


def test_recent_access_is_the_latest_events_on_that_record_newest_first(cast):
    for n in range(12):
        record(action=Action.VIEW, actor=cast.clinician, obj=cast.agency, reason=f"look {n}")
    record(action=Action.VIEW, actor=cast.clinician, obj=cast.agency_other, reason="elsewhere")
    events = recent_access(cast.agency)
    assert [e.reason for e in events] == [f"look {n}" for n in range(11, 1, -1)]
    assert [e.reason for e in recent_access(cast.agency, limit=3)] == ["look 11", "look 10", "look 9"]


def test_recent_access_gives_nothing_to_a_viewer_who_may_not_review(cast):
    record(action=Action.VIEW, actor=cast.clinician, obj=cast.agency)
    assert recent_access(cast.agency, viewer=cast.clinician) == []
    assert len(recent_access(cast.agency, viewer=cast.clinical_lead)) == 1


def test_recent_access_takes_the_same_queries_however_many_events(cast):
    def look(n: int, actor) -> None:
        for _ in range(n):
            record(action=Action.VIEW, actor=actor, obj=cast.agency)

    def names() -> list[str]:
        return [e.actor.full_name for e in recent_access(cast.agency)]

    look(1, cast.clinician)
    assert_queries_flat(names, grow=lambda: (look(4, cast.clinician), look(3, cast.other_clinician)))
    assert names()[:3] == ["Oscar Other"] * 3 and names()[3:] == ["Clare Clinician"] * 5


def test_the_panel_shows_a_clinical_lead_who_looked_and_links_to_the_full_log(cast, rf):
    record(action=Action.VIEW, actor=cast.clinician, obj=cast.agency)
    record(action=Action.BREAK_GLASS, actor=cast.other_clinician, obj=cast.agency, reason="Urgent duty call tonight")
    request = rf.get("/")
    request.user = cast.clinical_lead
    html = " ".join(render_panel(request, recent_access(cast.agency), record_log_url(cast.agency)).split())
    assert "Who looked at this record" in html
    assert html.index("Oscar Other") < html.index("Clare Clinician")
    assert "Break-glass access" in html and "Reason: Urgent duty call tonight" in html
    assert "(Clinician)" in html
    assert f'href="/audit/records/accounts.user/{cast.agency.pk}/"' in html


def test_the_panel_says_when_no_one_has_looked(cast, rf):
    request = rf.get("/")
    request.user = cast.clinical_lead
    assert "No one has looked at this record yet" in render_panel(request, [], record_log_url(cast.agency))


def test_the_panel_shows_nothing_to_anyone_but_clinical_leads(cast, rf):
    record(action=Action.VIEW, actor=cast.other_clinician, obj=cast.agency)
    for user in [cast.clinician, cast.coordinator, cast.sysadmin, cast.agency]:
        request = rf.get("/")
        request.user = user
        events = recent_access(cast.agency)  # even if a view passed the events by mistake
        assert render_panel(request, events, record_log_url(cast.agency)).strip() == ""
