"""Assessments, at /cases/<reference>/assessments/."""

from django.urls import path

from casework.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.assessment_start, name="start"),
    path("<id:pk>/", views.assessment_detail, name="detail"),
    path("<id:pk>/edit/", views.assessment_edit, name="edit"),
    path("<id:pk>/autosave/", views.assessment_autosave, name="autosave"),
    path("<id:pk>/sources/new/", views.source_add, name="source_add"),
    path("<id:pk>/sources/<id:source_pk>/remove/", views.source_remove, name="source_remove"),
    path("<id:pk>/scenarios/new/", views.scenario_add, name="scenario_add"),
    path("<id:pk>/scenarios/<id:scenario_pk>/remove/", views.scenario_remove, name="scenario_remove"),
    path("<id:pk>/submit/", views.assessment_submit, name="submit"),
    path("<id:pk>/review/", views.assessment_review, name="review"),
    path("<id:pk>/addenda/new/", views.addendum_add, name="addendum_add"),
    path("<id:pk>/reassess/", views.reassess, name="reassess"),
    path("<id:pk>/changes/", views.what_changed, name="changes"),
    path("<id:pk>/fhir/", views.fhir_export, name="fhir"),
    path("<id:pk>/plan/", views.plan, name="plan"),
    path("<id:pk>/plan/actions/new/", views.action_add, name="action_add"),
    path("<id:pk>/plan/actions/<id:action_pk>/", views.action_edit, name="action_edit"),
]
