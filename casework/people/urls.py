"""The person index, at /people/."""

from django.urls import path

from casework.people.views import details, linking, merging, persons

app_name = "people"

urlpatterns = [
    path("", persons.person_list, name="list"),
    path("new/", persons.person_create, name="create"),
    # Linking a referral's subject or a named party to a person (the duplicate check).
    path("link/<str:reference>/subject/", linking.link, name="link_subject"),
    path("link/<str:reference>/subject/new/", linking.link_new, name="link_subject_new"),
    path("link/<str:reference>/party/<id:party_id>/", linking.link, name="link_party"),
    path("link/<str:reference>/party/<id:party_id>/new/", linking.link_new, name="link_party_new"),
    path("merges/<id:pk>/unmerge/", merging.unmerge, name="unmerge"),
    path("<str:reference>/", persons.person_detail, name="detail"),
    path("<str:reference>/duplicates/", persons.person_duplicates, name="duplicates"),
    path("<str:reference>/edit/", persons.person_edit, name="edit"),
    path("<str:reference>/seal/", persons.person_seal, name="seal"),
    path("<str:reference>/unseal/", persons.person_unseal, name="unseal"),
    path("<str:reference>/opt-out/", persons.person_opt_out, name="opt_out"),
    path("<str:reference>/break-glass/", persons.person_break_glass, name="break_glass"),
    path("<str:reference>/merge/", merging.merge, name="merge"),
    path("<str:reference>/care-team/new/", details.care_team_add, name="care_team_add"),
    path("<str:reference>/care-team/<id:pk>/remove/", details.care_team_remove, name="care_team_remove"),
    path("<str:reference>/<str:kind>/new/", details.detail_add, name="detail_add"),
    path("<str:reference>/<str:kind>/<id:pk>/", details.detail_edit, name="detail_edit"),
    path("<str:reference>/<str:kind>/<id:pk>/remove/", details.detail_remove, name="detail_remove"),
]
