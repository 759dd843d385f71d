"""The staff side of referrals, at /referrals/. The agency portal is its own app (casework.portal)."""

from django.urls import path

from casework.referrals.views import detail, documents, intake, letters, lists, triage

app_name = "referrals"

urlpatterns = [
    path("", lists.referral_list, name="list"),
    path("new/", intake.referral_new, name="log"),
    path("<str:reference>/", detail.referral_detail, name="detail"),
    path("<str:reference>/edit/", intake.referral_edit, name="edit"),
    path("<str:reference>/screening/", triage.screening, name="screening"),
    path("<str:reference>/status/<str:target>/", triage.change_status, name="transition"),
    path("<str:reference>/allocate/", triage.allocation, name="allocate"),
    path("<str:reference>/documents/new/", documents.upload, name="document_upload"),
    path("<str:reference>/documents/<id:pk>/", documents.download, name="document_download"),
    path("<str:reference>/letters/<id:pk>/", letters.letter, name="letter"),
    path("<str:reference>/letters/<id:pk>/print/", letters.letter_print, name="letter_print"),
    path("<str:reference>/letters/<id:pk>/pdf/", letters.letter_pdf, name="letter_pdf"),
    path("<str:reference>/break-glass/", detail.break_glass, name="break_glass"),
]
