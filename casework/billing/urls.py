from django.urls import path

from casework.billing import views

app_name = "billing"

urlpatterns = [
    path("contracts/", views.contract_list, name="contracts"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<id:pk>/", views.contract_detail, name="contract"),
    path("contracts/<id:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("tariff/", views.tariff_list, name="tariffs"),
    path("tariff/new/", views.tariff_create, name="tariff_create"),
    path("tariff/<id:pk>/edit/", views.tariff_edit, name="tariff_edit"),
    path("quotes/", views.quote_list, name="quotes"),
    path("quotes/<id:pk>/", views.quote_detail, name="quote"),
    path("quotes/<id:pk>/lines/new/", views.quote_line_add, name="quote_line_add"),
    path("quotes/<id:pk>/lines/<id:line_id>/remove/", views.quote_line_remove, name="quote_line_remove"),
    path("quotes/<id:pk>/send/", views.quote_send, name="quote_send"),
    path("quotes/<id:pk>/withdraw/", views.quote_withdraw, name="quote_withdraw"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<str:reference>/", views.referral_detail, name="referral"),
    path("referrals/<str:reference>/quotes/new/", views.quote_create, name="quote_create"),
]
