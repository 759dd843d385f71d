"""Invoices over the agency API: the issued invoices the clinic made available to the token's
organisation (listed, read with their lines and credit notes, and downloaded as the portal's PDF),
found by the portal's own query: never a draft, another organisation's, or one with a line for a
referral across an information barrier from the token's side. Every read is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.api.models import Scope
from casework.api.tests.conftest import api_client, make_token
from casework.audit.models import Action, AuditEvent
from casework.billing.models import Contract
from casework.billing.services import invoices
from casework.billing.tests import helpers
from casework.billing.tests.invoice_helpers import approved_events
from casework.core.testing import assert_page_queries_flat
from casework.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _invoice(cast, organisation=None, *, days_ago=0, price="500.00", case=None, issue=True, portal=True):
    organisation = organisation or cast.organisation
    agreement = helpers.contract(
        cast.finance, organisation, reference=f"C-API-{Contract.objects.count() + 1}", purchase_order="PO-77"
    )
    made = approved_events(cast, agreement, count=1, price=price, case=case)
    invoice = invoices.invoice_create(contract=agreement, event_ids=[made[0].pk], by=cast.finance)
    if not issue:
        return invoice, made[0].case
    invoice = invoices.invoice_issue(
        invoice=invoice, by=cast.finance, issued_on=timezone.localdate() - dt.timedelta(days=days_ago)
    )
    if portal:
        invoice = invoices.invoice_publish(invoice=invoice, by=cast.finance)
    return invoice, made[0].case


def _clean(body: str, case) -> None:
    for canary in (case.subject.family_name, case.subject.given_name, helpers.CLINICAL_CANARY, case.reference):
        assert canary not in body, canary


def test_the_organisation_lists_reads_and_downloads_its_invoices(cast, api, token):
    invoice, case = _invoice(cast)
    invoices.payment_record(invoice=invoice, amount="200.00", received_on=timezone.localdate(), by=cast.finance)
    invoices.credit_note_create(invoice=invoice, amount="50.00", reason="Session cancelled late", by=cast.finance)
    overdue, _ = _invoice(cast, days_ago=45, price="300.00")
    listed = api.get("/api/v1/invoices/")
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 2
    rows = {row["number"]: row for row in body["results"]}
    assert rows[invoice.number]["status"] == "part_paid" and rows[overdue.number]["status"] == "overdue"
    assert rows[invoice.number]["balance"] == "250.00" and rows[invoice.number]["purchase_order"] == "PO-77"
    assert rows[invoice.number]["pdf_url"] == f"/api/v1/invoices/{invoice.pk}/pdf/"
    _clean(listed.content.decode(), case)

    detail = api.get(f"/api/v1/invoices/{invoice.pk}/")
    assert detail.status_code == 200
    read = detail.json()
    assert read["contract"] == invoice.contract.reference
    assert (read["total"], read["amount_paid"], read["amount_credited"]) == ("500.00", "200.00", "50.00")
    [line] = read["lines"]
    assert line["service"] == "treatment_session" and line["description"] == "Treatment session"
    assert line["amount"] == "500.00"
    assert [n["amount"] for n in read["credit_notes"]] == ["50.00"]
    text = detail.content.decode()
    assert "Session cancelled late" not in text  # a credit note's reason is the clinic's own note
    _clean(text, case)

    pdf = api.get(f"/api/v1/invoices/{invoice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    invoice.refresh_from_db()
    with invoice.pdf.open("rb") as kept:
        assert pdf.content == kept.read()  # the PDF kept at issue, as the portal serves it

    events = AuditEvent.objects.filter(actor=token.token.user.pk, object_type="billing.invoice")
    assert events.filter(action=Action.VIEW, object_label__startswith="api invoices, page 1").exists()
    assert events.filter(action=Action.VIEW, object_id=str(invoice.pk)).exists()
    assert events.filter(action=Action.EXPORT, object_id=str(invoice.pk)).exists()


def test_a_token_without_the_invoices_scope_is_refused(cast):
    invoice, _ = _invoice(cast)
    client = api_client(make_token(cast, scopes=[Scope.REFERRALS_READ, Scope.REPORTS_READ]).secret)
    for url in ("/api/v1/invoices/", f"/api/v1/invoices/{invoice.pk}/", f"/api/v1/invoices/{invoice.pk}/pdf/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response["Content-Type"] == "application/problem+json"
        assert "invoices:read" in response.json()["detail"]


def test_another_organisations_invoice_is_not_found(cast, api, other_api):
    theirs, _ = _invoice(cast, cast.other_organisation)
    ours, _ = _invoice(cast)
    assert [row["number"] for row in api.get("/api/v1/invoices/").json()["results"]] == [ours.number]
    for url in (f"/api/v1/invoices/{theirs.pk}/", f"/api/v1/invoices/{theirs.pk}/pdf/"):
        response = api.get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert [row["number"] for row in other_api.get("/api/v1/invoices/").json()["results"]] == [theirs.number]
    assert other_api.get(f"/api/v1/invoices/{ours.pk}/").status_code == 404


def test_drafts_and_invoices_not_made_available_are_never_shown(cast, api):
    draft, _ = _invoice(cast, issue=False)
    unpublished, _ = _invoice(cast, portal=False)
    assert api.get("/api/v1/invoices/").json()["results"] == []
    for invoice in (draft, unpublished):
        assert api.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 404
        assert api.get(f"/api/v1/invoices/{invoice.pk}/pdf/").status_code == 404


def test_an_invoice_for_work_across_an_information_barrier_is_hidden_from_the_token(cast, token, api):
    """The token's account sent Stan's referral; an invoice with a line for Vera's referral (across a
    barrier from Stan's) is hidden from it as from a portal user; another token of the same
    organisation, which sent nothing about Stan, reads it."""
    _, vera_case = helpers.referral_across_a_barrier(cast)
    # Stan's referral was sent by this token's account, not by the portal user.
    Referral.objects.filter(created_by=cast.agency).update(created_by=token.token.user)
    invoice, _ = _invoice(cast, case=vera_case)
    assert api.get("/api/v1/invoices/").json()["results"] == []
    assert api.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 404
    assert api.get(f"/api/v1/invoices/{invoice.pk}/pdf/").status_code == 404
    colleague = api_client(make_token(cast, name="Northshire Police finance system").secret)
    assert [row["number"] for row in colleague.get("/api/v1/invoices/").json()["results"]] == [invoice.number]
    assert colleague.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 200


def test_the_invoice_list_takes_as_many_queries_for_many_invoices_as_for_one(cast, api):
    _invoice(cast)
    assert_page_queries_flat(api, "/api/v1/invoices/", grow=lambda: [_invoice(cast) for _ in range(3)])


def test_the_schema_documents_the_invoice_operations(db, client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    assert {"/api/v1/invoices/", "/api/v1/invoices/{id}/", "/api/v1/invoices/{id}/pdf/"} <= set(paths)
    assert "application/pdf" in paths["/api/v1/invoices/{id}/pdf/"]["get"]["responses"]["200"]["content"]
