"""Every page takes as many queries at national scale as at demo scale (issue 19).

Every GET URL of the authorisation matrix that some member of the cast loads with 200 is requested
as that member (the first of ``PREFERENCE`` who gets 200 in ``authorisation_matrix.csv``) in the matrix world
(``matrix_world.build_world``): once to warm, once counted. The agency API's token-only URLs (401
to every session) are requested with a bearer token of ``cast.organisation`` holding every scope. Then the world is grown — built a
second time for the same cast (so every list page has more of what it lists: referrals, cases,
persons, assessments, reports, appointments, quotes, invoices, extracts...), and the records the
pages are about are given more of what they show (``GROWTH``) — and every URL is counted again.

The world is built and grown once for the module (``kept_for_the_module``), so the counting is done
in one module fixture and each URL's test only compares; a new matrix row is picked up
automatically. Each page's SELECTs are also counted again for the rows they give (``rows_read``):
the page must read more rows of some table at the larger size (else ``NOT_GROWN`` says why), so an
unchanged count shows the page is flat, not that its data stayed the same. A page whose count grows is a query per row (N+1): fix it (``select_related``,
``prefetch_related``) rather than listing it in ``KNOWN_TO_GROW``.

For a new URL: a matrix row (as always) is enough when its records come from ``build_world``,
because building the world twice grows them. Add to ``GROWTH`` a recipe that gives the page's own
record more of its children when the page shows children the world does not rebuild, and to
``ONE_SHOT`` a recipe for fresh URL arguments when the page can be loaded only once per record.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from casework.core.testing import assert_same_count, count_queries, kept_for_the_module
from casework.core.tests.growth_clinical import CLINICAL_GROWTH
from casework.core.tests.growth_office import OFFICE_GROWTH
from casework.core.tests.test_authorisation_matrix import load_table
from conftest import CAST_ROLES, make_cast, signed_in_client

# URLs that answer 200 to some role, but are not counted here, each with its reason.
NOT_COUNTED: dict[str, str] = {
    "api:referral_documents": "POST only (a document upload): GET answers 405",
    "api:referral_answer": "POST only (an answer to an information request): GET answers 405",
}

# Counted URLs that read no more rows at the larger size, each with its reason: a form or a
# confirmation about one record (it lists none of its children), a kept file, a page of fixed text,
# or one record (each named so, with what it shows).
_FORM = "a form or confirmation about one record: it lists none of its children"
_FILE = "a file kept when it was made (its bytes, not the data's size)"
_FIXED = "fixed content (no records)"
_ONE = "one record, and none of its children on the page"
_SEARCH = "a search form: nothing is read until a search is asked for"
_SELF = "about the signed-in member's own account (the cast is made once)"
NOT_GROWN: dict[str, str] = {
    **{
        name: _FORM
        for name in (
            "accounts:mfa_setup",
            "accounts:passkey_add",
            "accounts:passkey_remove",
            "accounts:sign_in",
            "accounts:sign_out",
            "api_tokens:revoke",
            "assessments:action_add",
            "assessments:action_edit",
            "assessments:addendum_add",
            "assessments:reassess",
            "assessments:start",
            "billing:credit_note_create",
            "billing:event_write_off",
            "billing:payment_create",
            "billing:quote_line_add",
            "billing:quote_send",
            "billing:quote_withdraw",
            "cases:addendum_add",
            "cases:break_glass",
            "cases:hearing_add",
            "cases:hearing_edit",
            "cases:incident_import",
            "cases:mappa_meeting_add",
            "cases:note_add",
            "cases:officer_add",
            "cases:officer_edit",
            "cases:order_add",
            "cases:order_edit",
            "cases:party_add",
            "cases:party_edit",
            "cases:status",
            "cases:team_remove",
            "consultations:convert",
            "consultations:meeting_add",
            "notices:acknowledge",
            "organisations:create",
            "organisations:deactivate",
            "organisations:edit",
            "people:break_glass",
            "people:care_team_remove",
            "people:create",
            "people:detail_add",
            "people:detail_edit",
            "people:detail_remove",
            "people:edit",
            "people:opt_out",
            "people:seal",
            "people:unmerge",
            "portal:answer",
            "portal:discard",
            "portal:party_change",
            "portal:party_remove",
            "portal:quote_accept",
            "portal:quote_reject",
            "portal:start",
            "portal:step",
            "referrals:break_glass",
            "reports:add",
            "reports:correct",
            "reports:edit",
            "reports:from_referral",
            "reports:refresh",
            "reports:release",
            "reports:return",
            "research:extract_decide",
            "research:extract_new",
            "search:break_glass",
            "staff_admin:training_remove",
            "staff_admin:user_disable",
            "staff_admin:user_enrolment_code",
            "staff_admin:user_reset_second_factor",
            "staff_admin:user_set_password_link",
            "staff_admin:user_unlock",
            "treatment:discharge",
            "treatment:follow_up",
            "treatment:notice_acknowledge",
            "treatment:outcome_add",
            "victims:message_new",
            "victims:plan_agree",
        )
    },
    **{
        name: _FILE
        for name in (
            "api:invoice_pdf",
            "api:report_docx",
            "api:report_pdf",
            "billing:invoice_pdf",
            "cases:document_download",
            "portal:invoice_pdf",
            "portal:report_docx",
            "portal:report_pdf",
            "reports:issued_docx",
            "reports:issued_pdf",
        )
    },
    **{
        name: _ONE
        for name in (
            "api:fhir_appointment",
            "billing:event",
            "reports:detail",
            "reports:draft_pdf",
            "treatment:appointment_detail",
            "treatment:appointment_ics",
        )
    },
    **{name: _SEARCH for name in ("audit:search", "search:search")},
    # The clinical pages that show one record, or a form (their lists grow by growth_clinical.py).
    "assessments:changes": "compares one assessment with the one it reassesses, item by item and judgement by"
    " judgement: as long as the instrument (the answers are in the assessment's own row), whatever the data",
    "assessments:review": "the sign-off form: it names the assessment (instrument, assessor), not its contents",
    "consultations:advice": "the advice form: the request's summary and date, none of its children",
    "consultations:meeting": "one meeting: its date, attendees and minutes",
    "victims:message": "one message: its text, its status and the version of the safety plan it was checked against",
    "victims:plan_version": "one version of the safety plan, compared field by field with the version before it",
    # One record each, named so (none of its children is on the page).
    "cases:mappa": "the form of the case's MAPPA registration, one record (its meetings are listed on the case's page)",
    "people:merge": "a form (the other record's reference and a reason): the two records are compared once it is posted",
    "research:extract_detail": "one research extract (who asked, who decided, the file issued): it has no children",
    "staff_admin:user_detail": "the world's account is an agency referrer's: one account, without the training of staff",
    **{name: _FIXED for name in ("api:docs", "api:schema", "core:healthz", "core:privacy")},
    **{name: _SELF for name in ("accounts:recovery_codes", "accounts:security")},
}

# URLs whose count still grows with the data: a known defect each, kept visible (strict xfail: the
# test fails once the page is fixed, so the entry is removed).
KNOWN_TO_GROW: dict[str, str] = {}


def _research_download(world, cast) -> dict[str, Any]:
    """An extract is downloaded once: a fresh approved extract for each request."""
    from casework.research import services

    made = services.extract_request(
        by=cast.researcher, kind="summary", purpose="Query counts at two sizes of data", approval_reference="24/NW/0999"
    )
    services.extract_decide(research_extract=made, by=cast.clinical_lead, approve=True)
    return {"pk": made.pk}


def _planned_assessment(world, cast) -> dict[str, Any]:
    """The authorisation matrix asks for the plan page of a signed assessment with no plan (the form
    that starts one); counted here about the one whose plan has actions (``assessments:fhir``'s, which
    growth_clinical.py gives more actions), so the page's list is read at two sizes."""
    return world.kwargs_for("assessments:fhir")


# URLs that can be loaded once per record: a recipe for fresh URL arguments before each request
# (made outside the counting); and a page counted about another record than the matrix's.
ONE_SHOT: dict[str, Callable[[Any, Any], dict[str, Any]]] = {
    "research:download_csv": _research_download,
    "research:download_xlsx": _research_download,
    "assessments:plan": _planned_assessment,
}


# Who requests a page: the first of these who gets 200 there. The clinical lead sees every case and
# the world's records are led by the clinician, so the lists are not empty for them.
PREFERENCE = [
    "clinical_lead",
    "clinician",
    "coordinator",
    "finance",
    "researcher",
    "sysadmin",
    "agency",
    "other_clinician",
    "agency_other",
    "anonymous",
]


# The agency API's own URLs take a bearer token, not a session: every member of the cast gets 401
# there. Each is requested as ``API_TOKEN``: a token of cast.organisation with every scope (the
# world's referrals, issued reports, invoices, released assessments and appointments are that
# organisation's, so building the world twice gives the lists more to list).
API_TOKEN = "api_token"


def _token_only(row: dict[str, str]) -> bool:
    return all(row[role].strip() == "401" for role in CAST_ROLES)


def _pages() -> list[tuple[str, str]]:
    """(URL name, who requests it) for every URL someone gets 200 at, and every token-only URL."""
    pages = []
    for name, row in sorted(load_table().items()):
        if name in NOT_COUNTED:
            continue
        allowed = [role for role in PREFERENCE if row[role].strip() == "200"]
        if allowed:
            pages.append((name, allowed[0]))
        elif _token_only(row):
            pages.append((name, API_TOKEN))
    return pages


PAGES = _pages()


def _grow_children(world, cast) -> None:
    """More of what the matrix world's own records show on their pages (GROWTH recipes)."""
    for recipe in GROWTH:
        recipe(world, cast)


def _more_on_the_case(world, cast) -> None:
    """The case pages' case: more incidents, orders, hearings, notes, team, agencies, documents."""
    from django.utils import timezone

    from casework.accounts.tests.factories import UserFactory
    from casework.cases.models import AgencyOfficer, Case, InvolvedAgency
    from casework.cases.services.notes import note_add
    from casework.cases.services.team import team_add
    from casework.cases.tests.factories import HearingFactory, IncidentFactory, OrderFactory
    from casework.core.roles import Role
    from casework.referrals.tests.factories import ReferralDocumentFactory

    case = Case.objects.get(reference=world.kwargs_for("cases:detail")["reference"])
    victim = case.parties.get(pk=world.kwargs_for("cases:party_edit")["pk"])
    now = timezone.now()
    for number in range(2):
        IncidentFactory(case=case, victim=victim)
        OrderFactory(case=case, protects=[victim])
        HearingFactory(case=case)
        note_add(case=case, kind="client_contact", contact_on=now.date(), text="More", by=cast.clinician)
        team_add(case=case, user=UserFactory(role=Role.CLINICIAN), role="clinician", by=cast.clinical_lead)
        agency = InvolvedAgency.objects.create(
            case=case, name=f"More Police {number}", added_at=now, added_by=cast.coordinator
        )
        AgencyOfficer.objects.create(
            agency=agency, role="police_officer", name="DC More", added_at=now, added_by=cast.coordinator
        )
        ReferralDocumentFactory(referral=case.case_referrals.get(opened_case=True).referral)


def _more_on_the_referral(world, cast) -> None:
    """The referral pages' referral: more documents, letters and named parties; the portal's draft:
    more named parties."""
    from casework.referrals.models import Referral
    from casework.referrals.tests.factories import LetterFactory, NamedPartyFactory, ReferralDocumentFactory

    referral = Referral.objects.get(reference=world.values["reference"])
    draft = Referral.objects.get(pk=world.values["draft_id"])
    for _ in range(2):
        ReferralDocumentFactory(referral=referral)
        LetterFactory(referral=referral)
        NamedPartyFactory(referral=referral)
        NamedPartyFactory(referral=draft)


def _more_on_the_person(world, cast) -> None:
    """The person pages' person: more addresses and more of a care team."""
    from casework.accounts.tests.factories import UserFactory
    from casework.core.roles import Role
    from casework.people import services
    from casework.people.models import CareTeamRole, Person, PersonAddress

    person = Person.objects.get(reference=world.kwargs_for("people:detail")["reference"])
    for number in range(2):
        services.detail_add(person=person, model=PersonAddress, by=cast.coordinator, address=f"{number} More Road")
        services.care_team_add(
            person=person, user=UserFactory(role=Role.CLINICIAN), role=CareTeamRole.CLINICIAN, by=cast.clinical_lead
        )


def _more_on_the_assessment(world, cast) -> None:
    """The draft assessment: more sources and scenarios."""
    from casework.assessments.models import Assessment

    draft = Assessment.objects.get(pk=world.kwargs_for("assessments:detail")["pk"])
    for _ in range(2):
        draft.sources.create(kind="records", description="More records", added_by=cast.clinician)
        draft.scenarios.create(
            nature="More", severity="low", imminence="weeks", likelihood="low", added_by=cast.clinician
        )


def _more_on_the_invoice_and_quotes(world, cast) -> None:
    """The issued invoice (finance's page, the portal's and the API's): more lines (on an issued
    invoice only directly: the services add lines to drafts), payments and credit notes; the quotes:
    more lines (the sent one directly, as its lines are frozen)."""
    from decimal import Decimal

    from django.utils import timezone

    from casework.billing.choices import BillableService
    from casework.billing.models import Invoice, Quote, QuoteLine
    from casework.billing.services import invoices, quotes
    from casework.billing.tests.invoice_helpers import approved_events

    invoice = Invoice.objects.get(pk=world.kwargs_for("billing:invoice")["pk"])
    line = invoice.lines.first()
    for event in approved_events(cast, invoice.contract, count=2):
        invoice.lines.create(
            event=event,
            service=event.service,
            occurred_on=event.occurred_on,
            reference=event.referral.reference,
            unit_price=event.unit_price,
            vat_treatment=line.vat_treatment,
            vat_rate=line.vat_rate,
            net_amount=event.net_amount,
            vat_amount=event.vat_amount,
        )
    for _ in range(2):
        invoices.payment_record(
            invoice=invoice, amount=Decimal("1.00"), received_on=timezone.localdate(), reference="More", by=cast.finance
        )
        invoices.credit_note_create(invoice=invoice, amount=Decimal("1.00"), reason="More", by=cast.finance)
    draft = Quote.objects.get(pk=world.kwargs_for("billing:quote")["pk"])
    sent = Quote.objects.get(pk=world.kwargs_for("portal:quote")["pk"])
    frozen = sent.lines.first()
    for _ in range(2):
        quotes.quote_line_add(quote=draft, service=BillableService.ASSESSMENT_COMMUNITY, quantity=1, by=cast.finance)
        frozen.pk = None
        QuoteLine.objects.bulk_create([frozen])


def _more_on_the_audited_user(world, cast) -> None:
    """The audit logs' user (the agency referrer): more events about her record and more of her own,
    with the other members of the cast as actors (each actor a name on the page)."""
    from casework.audit.models import Action
    from casework.audit.services import record

    for actor in (cast.coordinator, cast.sysadmin, cast.clinical_lead):
        record(action=Action.UPDATE, actor=actor, obj=cast.agency, changes={"job_title": {"old": "A", "new": "B"}})
        record(action=Action.VIEW, actor=cast.agency, obj=actor)


def _more_on_the_reports(world, cast) -> None:
    """The report being written: more saved versions of its sections and more comments on them; its
    case: more requests for reports."""
    import datetime as dt

    from django.utils import timezone

    from casework.reports import services
    from casework.reports.models import Report
    from casework.reports.services import drafting

    report = Report.objects.select_related("request__case").get(request_id=world.kwargs_for("reports:write")["pk"])
    for number in range(2):
        services.request_add(
            case=report.request.case,
            report_type="police",
            due_on=timezone.localdate() + dt.timedelta(days=50 + number),
            by=cast.clinician,
        )
        edits = {s.key: {"body": f"Written again ({number}).", "version": s.row_version} for s in report.sections.all()}
        drafting.sections_save(report=report, edits=edits, by=cast.clinician)
        drafting.comment_add(report=report, section_key="opinion", body="More.", by=cast.clinical_lead)


def _more_in_treatment(world, cast) -> None:
    """The active enrolment: its sessions booked and attended, and outcome scores taken; the diary's
    case: more appointments."""
    import datetime as dt

    from django.utils import timezone

    from casework.treatment import programmes
    from casework.treatment.models import Appointment, Enrolment
    from casework.treatment.services import diary
    from casework.treatment.services.enrolment import outcome_record

    enrolment = Enrolment.objects.get(pk=world.kwargs_for("treatment:enrolment")["pk"])
    booked = Appointment.objects.get(pk=world.kwargs_for("treatment:appointment_detail")["pk"])
    now = timezone.now().replace(second=0, microsecond=0)
    for number in range(2):
        for case, kind, on in ((enrolment.case, "treatment", enrolment), (booked.case, "assessment", None)):
            made = diary.appointment_book(
                case=case,
                kind=kind,
                clinician=cast.clinician,
                place_kind="prison",
                place_detail="HMP Northshire",
                # (a day apart each: one clinician, and none of the world's own appointments)
                starts_at=now - dt.timedelta(days=20 + 2 * number + (kind == "assessment")),
                minutes=60,
                enrolment=on,
                by=cast.coordinator,
            )
            diary.attendance_record(appointment=made, attendance="attended", by=cast.clinician)
    for measure in programmes.of(enrolment.programme).measures[:2]:
        outcome_record(
            enrolment=enrolment,
            measure=measure.code,
            stage=measure.stages[0],
            score=1,
            taken_on=timezone.localdate(),
            by=cast.clinician,
        )


# More of what the world's own records show on their pages (building the world again grows the lists).
GROWTH: list[Callable[[Any, Any], None]] = [
    _more_on_the_case,
    _more_on_the_referral,
    _more_on_the_person,
    _more_on_the_assessment,
    _more_on_the_invoice_and_quotes,
    _more_on_the_audited_user,
    _more_on_the_reports,
    _more_in_treatment,
    *CLINICAL_GROWTH,
    *OFFICE_GROWTH,
]


@dataclass
class Counted:
    url: str
    role: str
    small: list[dict] | None = None
    large: list[dict] | None = None
    small_rows: dict[str, int] = field(default_factory=dict)
    large_rows: dict[str, int] = field(default_factory=dict)
    problem: str = ""

    def grown(self) -> dict[str, tuple[int, int]]:
        """The tables the page read more rows of at the larger size (rows before, after)."""
        return {
            table: (self.small_rows.get(table, 0), rows)
            for table, rows in self.large_rows.items()
            if rows > self.small_rows.get(table, 0)
        }


def _fetcher(name: str, client, world, cast) -> Callable[[], None]:
    def fetch() -> None:
        kwargs = ONE_SHOT[name](world, cast) if name in ONE_SHOT else world.kwargs_for(name)
        url = reverse(name, kwargs=kwargs or None)
        queries = count_queries(lambda: _get(client, url))
        fetch.last = (url, queries)  # type: ignore[attr-defined]

    return fetch


def _api_token(cast):
    import datetime as dt

    from django.utils import timezone

    from casework.api.models import Scope
    from casework.api.services import token_create

    return token_create(
        by=cast.sysadmin,
        organisation=cast.organisation,
        name="Query counts",
        scopes=[scope.value for scope in Scope],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )


_FROM = re.compile(r'\bFROM\s+"?(\w+)"?', re.IGNORECASE)


def rows_read(run: Callable[[], Any]) -> dict[str, int]:
    """How many rows the SELECTs ``run`` makes give, by the table each reads from: each SELECT is
    counted again (``SELECT COUNT(*)`` over it, with its parameters) as soon as it has run. Shows that
    a page read more at the larger size, so that an unchanged query count means something."""
    from django.db import DatabaseError, connection, transaction

    rows: Counter[str] = Counter()
    busy = False

    def recount(execute, sql, params, many, context):
        nonlocal busy
        result = execute(sql, params, many, context)
        # (PostgreSQL's compound statements start with a bracket: "(SELECT ...) UNION ALL (SELECT ...)")
        words = sql.lstrip().lstrip("(").upper()
        if busy or many or not words.startswith("SELECT") or " FOR UPDATE" in words:
            return result
        busy = True
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # (the page's own SQL, run again: no input from outside the test)
                cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS recounted", params)  # noqa: S608
                table = _FROM.search(sql)
                rows[table.group(1) if table else "?"] += cursor.fetchone()[0]
        except DatabaseError:
            rows["(not recounted)"] += 0
        finally:
            busy = False
        return result

    with connection.execute_wrapper(recount):
        run()
    return dict(rows)


def _get(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"{url} answered {response.status_code}")
    # Streamed downloads make their queries as they are read.
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


@pytest.fixture(scope="module")
def counted(django_db_setup, django_db_blocker) -> Iterator[dict[str, Counted]]:
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from casework.core.tests.matrix_world import build_world

    results: dict[str, Counted] = {}
    # The dashboards keep their figures for a few minutes: counted as worked out (the kept figures
    # take fewer queries, the same at any size), or the warmed small count would be the kept one.
    no_kept_figures = override_settings(CASEWORK_INSIGHTS_CACHE_SECONDS=0)
    with kept_for_the_module(django_db_blocker), no_kept_figures:
        with django_db_blocker.unblock():
            cast = make_cast()
            world = build_world(cast)
            # One client per member of the cast, signed in before any page is requested (a page such
            # as the authenticator set-up adds a device, and signing in again would find two).
            clients = {
                role: Client() if role == "anonymous" else signed_in_client(cast.by_name(role)) for role in CAST_ROLES
            }
            token = _api_token(cast)
            clients[API_TOKEN] = Client(HTTP_AUTHORIZATION=f"Bearer {token.secret}")
            fetchers = {name: _fetcher(name, clients[role], world, cast) for name, role in PAGES}

            def measure(phase: str, warm: bool) -> None:
                for name, role in PAGES:
                    found = results.setdefault(name, Counted(url="", role=role))
                    if found.problem:
                        continue
                    cache.clear()  # the sign-in throttle and per-process caches, as between requests
                    if role == API_TOKEN:
                        # Used just now: its last use is not written again (once a minute) while counted.
                        type(token.token).objects.filter(pk=token.token.pk).update(last_used_at=timezone.now())
                    try:
                        if warm:
                            fetchers[name]()
                        fetchers[name]()
                    except Exception as error:  # noqa: BLE001 - reported by the URL's own test
                        found.problem = f"{phase}: {error!r}"
                        continue
                    found.url, queries = fetchers[name].last  # type: ignore[attr-defined]
                    setattr(found, phase, queries)
                    cache.clear()
                    try:
                        rows = rows_read(fetchers[name])
                    except Exception as error:  # noqa: BLE001 - reported by the URL's own test
                        found.problem = f"{phase}, reading rows: {error!r}"
                        continue
                    setattr(found, f"{phase}_rows", rows)

            measure("small", warm=True)
            try:
                build_world(cast)
                _grow_children(world, cast)
            except Exception as error:  # noqa: BLE001 - reported by every URL's test, built once
                for found in results.values():
                    found.problem = found.problem or f"growing the world: {error!r}"
            # Each case's risk is kept and assessed again when stale (ADR 0027): counted as after
            # the nightly `assess_case_risks`, as the small world was once warmed. The path that
            # assesses stale cases is counted at two sizes in cases/tests/test_my_work_risk.py.
            from casework.cases.queries import refresh_kept_risks

            refresh_kept_risks()
            measure("large", warm=False)
        yield results


@pytest.mark.parametrize(
    "url_name",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_TO_GROW[name], strict=True))
        if name in KNOWN_TO_GROW
        else name
        for name, _ in PAGES
    ],
)
def test_the_page_takes_as_many_queries_at_national_scale(url_name, counted, db):
    found = counted[url_name]
    assert not found.problem, f"{url_name} as {found.role}: {found.problem}"
    assert found.small is not None and found.large is not None
    assert_same_count(found.small, found.large)


@pytest.mark.parametrize("url_name", [name for name, _ in PAGES if name not in NOT_GROWN])
def test_the_page_reads_more_at_national_scale(url_name, counted, db):
    """The larger size is larger for the page: it read more rows of at least one table (else an
    unchanged count would prove nothing)."""
    found = counted[url_name]
    assert not found.problem, f"{url_name} as {found.role}: {found.problem}"
    assert found.grown(), (
        f"{url_name} as {found.role} read no more at the larger size: give its records more of what it"
        f" shows (GROWTH), or list it in NOT_GROWN with the reason.\nRows read: {found.large_rows}"
    )


def test_every_url_a_member_of_the_cast_can_load_is_counted():
    assert sorted(PREFERENCE) == sorted(CAST_ROLES)
    table = load_table()
    loadable = {
        name for name, row in table.items() if any(row[r].strip() == "200" for r in CAST_ROLES) or _token_only(row)
    }
    assert {name for name, _ in PAGES} == loadable - set(NOT_COUNTED)
    assert set(NOT_COUNTED) <= loadable, "NOT_COUNTED names a URL nobody can load"
    assert set(KNOWN_TO_GROW) <= {name for name, _ in PAGES}, "KNOWN_TO_GROW names a URL not counted"
    assert set(ONE_SHOT) <= loadable, "ONE_SHOT names a URL nobody can load"
    assert set(NOT_GROWN) <= {name for name, _ in PAGES}, "NOT_GROWN names a URL not counted"
