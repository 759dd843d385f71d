"""Cases, at /cases/."""

from django.urls import path

from casework.cases.views import agencies, detail, incidents, legal, lists, notes, opening, parties, team

app_name = "cases"

urlpatterns = [
    path("", lists.case_list, name="list"),
    path("open/", lists.open_list, name="open_list"),
    path("open/<str:referral_reference>/", opening.open_case, name="open"),
    path("<str:reference>/", detail.case_detail, name="detail"),
    path("<str:reference>/break-glass/", detail.break_glass, name="break_glass"),
    path("<str:reference>/timeline/", incidents.timeline, name="timeline"),
    path("<str:reference>/timeline/export/", incidents.timeline_export, name="timeline_export"),
    path("<str:reference>/documents/<id:pk>/", detail.document_download, name="document_download"),
    path("<str:reference>/status/", team.change_status, name="status"),
    path("<str:reference>/team/", team.team, name="team"),
    path("<str:reference>/team/<id:pk>/remove/", team.team_remove, name="team_remove"),
    path("<str:reference>/parties/new/", parties.party_add, name="party_add"),
    path("<str:reference>/parties/<id:pk>/", parties.party_edit, name="party_edit"),
    path("<str:reference>/parties/<id:pk>/episode/", parties.episode, name="episode"),
    path("<str:reference>/incidents/new/", incidents.incident_add, name="incident_add"),
    path("<str:reference>/incidents/import/", incidents.incident_import, name="incident_import"),
    path("<str:reference>/incidents/<id:pk>/", incidents.incident_edit, name="incident_edit"),
    path("<str:reference>/notes/", notes.notes, name="notes"),
    path("<str:reference>/notes/new/", notes.note_add, name="note_add"),
    path("<str:reference>/notes/<id:pk>/", notes.note_edit, name="note_edit"),
    path("<str:reference>/notes/<id:pk>/addenda/new/", notes.addendum_add, name="addendum_add"),
    path("<str:reference>/orders/new/", legal.order_add, name="order_add"),
    path("<str:reference>/orders/<id:pk>/", legal.order_edit, name="order_edit"),
    path("<str:reference>/hearings/new/", legal.hearing_add, name="hearing_add"),
    path("<str:reference>/hearings/<id:pk>/", legal.hearing_edit, name="hearing_edit"),
    path("<str:reference>/mappa/", legal.mappa, name="mappa"),
    path("<str:reference>/mappa/meetings/new/", legal.mappa_meeting_add, name="mappa_meeting_add"),
    path("<str:reference>/agencies/new/", agencies.agency_add, name="agency_add"),
    path("<str:reference>/agencies/<id:pk>/officers/new/", agencies.officer_add, name="officer_add"),
    path("<str:reference>/officers/<id:pk>/", agencies.officer_edit, name="officer_edit"),
]
