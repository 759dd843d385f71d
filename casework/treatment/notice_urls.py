"""The supervising officer's page for a compliance notice, reached from the link in the notice
(no account): /treatment/notices/<signed token>/acknowledge/."""

from django.urls import path

from casework.treatment import compliance_views

app_name = "notices"

urlpatterns = [
    path("<str:token>/acknowledge/", compliance_views.acknowledge, name="acknowledge"),
]
