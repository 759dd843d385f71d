from django.urls import path

from casework.billing import invoice_views, views

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
    # Billable events, invoices, payments, credit notes and finance reports (docs/adr/0021).
    path("events/", invoice_views.event_list, name="events"),
    path("events/<id:pk>/", invoice_views.event_detail, name="event"),
    path("events/<id:pk>/approve/", invoice_views.event_approve, name="event_approve"),
    path("events/<id:pk>/reprice/", invoice_views.event_reprice, name="event_reprice"),
    path("events/<id:pk>/write-off/", invoice_views.event_write_off, name="event_write_off"),
    path("contracts/<id:pk>/invoices/new/", invoice_views.invoice_create, name="invoice_create"),
    path("invoices/", invoice_views.invoice_list, name="invoices"),
    path("invoices/<id:pk>/", invoice_views.invoice_detail, name="invoice"),
    path("invoices/<id:pk>/issue/", invoice_views.invoice_issue, name="invoice_issue"),
    path("invoices/<id:pk>/delete/", invoice_views.invoice_delete, name="invoice_delete"),
    path("invoices/<id:pk>/send/", invoice_views.invoice_send, name="invoice_send"),
    path("invoices/<id:pk>/publish/", invoice_views.invoice_publish, name="invoice_publish"),
    path("invoices/<id:pk>/pdf/", invoice_views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<id:pk>/payments/new/", invoice_views.payment_create, name="payment_create"),
    path("invoices/<id:pk>/credit-notes/new/", invoice_views.credit_note_create, name="credit_note_create"),
    path("aged-debt/", invoice_views.aged_debt, name="aged_debt"),
    path("ledger.csv", invoice_views.ledger_csv, name="ledger_csv"),
    path("ledger.xlsx", invoice_views.ledger_xlsx, name="ledger_xlsx"),
]
