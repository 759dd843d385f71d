"""User administration (system administrators), the staff list (clinical leads), training
records, and the one-time set-password link a new user follows.

Nothing here shows clinical content: these pages are about accounts, not cases."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from casework.accounts import enrolment, queries, services
from casework.accounts.forms import (
    ConfirmForm,
    SetPasswordForm,
    TrainingRecordForm,
    UserFilterForm,
    UserForm,
)
from casework.accounts.http import AuthenticatedHttpRequest
from casework.accounts.middleware import second_factor_not_required
from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import record, record_view
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import show_refusal

GET_POST = ["GET", "POST"]


def _posted(request: HttpRequest):
    """The submitted data on a POST (even an empty one, so it is validated), None on a GET."""
    return request.POST if request.method == "POST" else None


# --- Helpers -------------------------------------------------------------------------------


def _subject(request: AuthenticatedHttpRequest, pk: int) -> User:
    """An account the signed-in user may see, or 404."""
    return get_object_or_404(queries.users_visible_to(request.user), pk=pk)


def _audit_page(request: HttpRequest, subject: User) -> None:
    if request.method == "GET":
        record_view(request, subject)


def _detail(subject: User) -> HttpResponse:
    return redirect("staff_admin:user_detail", pk=subject.pk)


def _list_context(request: AuthenticatedHttpRequest, form, queryset, noun: str) -> dict:
    page = paginate(request, queryset)
    return {"form": form, "page": page, "links": page_links(request, page), "noun": noun}


# --- Lists ---------------------------------------------------------------------------------


@require_GET
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every account, for system administrators: filter by role, organisation, status; search."""
    require(request.user, "accounts.manage_users")
    form = UserFilterForm(request.GET or None, organisations=queries.organisation_filter_choices(request.user))
    queryset = queries.users_filtered(queries.users_visible_to(request.user), **form.filters())
    context = _list_context(request, form, queryset, "users")
    record(
        action=Action.VIEW,
        request=request,
        object_type="accounts.user",
        object_label=f"user list, page {context['page'].number}",
    )
    return render(request, "accounts/admin/user_list.jinja", context, status=400 if form.errors else 200)


@require_GET
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Clinic staff and their training, read-only, for clinical leads (and administrators)."""
    require(request.user, "accounts.view_staff")
    form = UserFilterForm(request.GET or None, staff_only=True)
    queryset = queries.users_filtered(queries.staff_visible_to(request.user), **form.filters())
    context = _list_context(request, form, queryset, "staff")
    today = timezone.localdate()
    context["rows"] = [
        {"user": member, "training": queries.training_statuses(member.training_records.all(), today)}
        for member in context["page"].object_list
    ]
    record(
        action=Action.VIEW,
        request=request,
        object_type="accounts.user",
        object_label=f"staff list, page {context['page'].number}",
    )
    return render(request, "accounts/admin/staff_list.jinja", context, status=400 if form.errors else 200)


# --- One account ---------------------------------------------------------------------------


@require_GET
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(request.user, "accounts.view_staff")
    subject = _subject(request, pk)
    record_view(request, subject)
    user = request.user
    context = {
        "subject": subject,
        "training": queries.training_statuses(queries.training_records_for(user, subject)),
        "may_manage": user.has_perm("accounts.change_user", subject),
        "may_manage_training": user.has_perm("accounts.manage_training", subject),
    }
    if context["may_manage"]:
        context.update(
            lock=queries.sign_in_lock(subject),
            has_second_factor=queries.has_second_factor(subject),
            has_password=subject.has_usable_password(),
            may=lambda permission: user.has_perm(permission, subject),
        )
    return render(request, "accounts/admin/user_detail.jinja", context)


@never_cache
@require_http_methods(GET_POST)
@creates_record
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "accounts.manage_users")
    form = UserForm(_posted(request), organisations=queries.organisation_choices(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            subject = services.user_create(by=request.user, request=request, **form.service_fields())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Account created. Make a set-password link so they can sign in.")
            return _detail(subject)
    return render(
        request, "accounts/admin/user_form.jinja", {"form": form, "subject": None}, status=400 if form.errors else 200
    )


@never_cache
@require_http_methods(GET_POST)
def user_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(request.user, "accounts.manage_users")
    subject = _subject(request, pk)
    require(request.user, "accounts.change_user", subject)
    _audit_page(request, subject)
    form = UserForm(
        _posted(request),
        subject=subject,
        organisations=queries.organisation_choices(request.user, current=subject.organisation),
        lock_role=not request.user.has_perm("accounts.change_role", subject),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(user=subject, by=request.user, request=request, **form.service_fields())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Account updated")
            return _detail(subject)
    return render(
        request,
        "accounts/admin/user_form.jinja",
        {"form": form, "subject": subject},
        status=400 if form.errors else 200,
    )


def _confirm(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    permission: str,
    template: str,
    act,
    done: str,
    extra=None,
    then: str = "staff_admin:user_detail",
) -> HttpResponse:
    """A confirmation page (GET) for an action on one account, and the action (POST)."""
    require(request.user, "accounts.manage_users")
    subject = _subject(request, pk)
    require(request.user, permission, subject)
    _audit_page(request, subject)
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            act(subject)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, done)
            return redirect(then, pk=subject.pk)
    context = {"form": form, "subject": subject, **(extra(subject) if extra else {})}
    return render(request, template, context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(GET_POST)
def user_disable(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _confirm(
        request,
        pk,
        permission="accounts.disable_user",
        template="accounts/admin/user_disable.jinja",
        act=lambda subject: services.user_set_active(user=subject, by=request.user, active=False, request=request),
        done="Account disabled. They have been signed out everywhere.",
    )


@never_cache
@require_http_methods(GET_POST)
def user_enable(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _confirm(
        request,
        pk,
        permission="accounts.enable_user",
        template="accounts/admin/user_enable.jinja",
        act=lambda subject: services.user_set_active(user=subject, by=request.user, active=True, request=request),
        done="Account re-enabled",
    )


@never_cache
@require_http_methods(GET_POST)
def user_reset_second_factor(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _confirm(
        request,
        pk,
        permission="accounts.reset_second_factor",
        template="accounts/admin/user_reset_second_factor.jinja",
        act=lambda subject: services.user_reset_second_factor(user=subject, by=request.user, request=request),
        done="Second factor reset. Give them an enrolment code so that they can set up a new one.",
        extra=lambda subject: {"has_second_factor": queries.has_second_factor(subject)},
        then="staff_admin:user_enrolment_code",
    )


@sensitive_variables("issued")
@never_cache
@require_http_methods(GET_POST)
def user_enrolment_code(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET), then issue a single-use enrolment code and show it this once (POST): how
    someone with no second factor (a new account, or one just reset) sets one up."""
    require(request.user, "accounts.manage_users")
    subject = _subject(request, pk)
    require(request.user, "accounts.issue_enrolment_code", subject)
    _audit_page(request, subject)
    form = ConfirmForm(_posted(request))
    context = {
        "form": form,
        "subject": subject,
        "has_second_factor": queries.has_second_factor(subject),
        "validity": enrolment.validity_words(),
    }
    if request.method == "POST" and form.is_valid():
        if context["has_second_factor"]:
            form.add_error(None, "They already have a second factor. Reset it first if they have lost it")
        else:
            issued = enrolment.enrolment_code_issue(user=subject, by=request.user, request=request)
            return render(request, "accounts/admin/enrolment_code_issued.jinja", {**context, "issued": issued})
    return render(request, "accounts/admin/enrolment_code.jinja", context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(GET_POST)
def user_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def act(subject: User) -> None:
        if not queries.sign_in_lock(subject).locked:
            raise ValidationError("This account is not locked")
        services.user_unlock(user=subject, by=request.user, request=request)

    return _confirm(
        request,
        pk,
        permission="accounts.unlock_user",
        template="accounts/admin/user_unlock.jinja",
        act=act,
        done="Account unlocked. They can sign in again.",
        extra=lambda subject: {"lock": queries.sign_in_lock(subject)},
    )


@sensitive_variables("token", "link")
@never_cache
@require_http_methods(GET_POST)
def user_set_password_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET), then make a one-time set-password link and show it this once (POST)."""
    require(request.user, "accounts.manage_users")
    subject = _subject(request, pk)
    require(request.user, "accounts.issue_set_password_link", subject)
    _audit_page(request, subject)
    form = ConfirmForm(_posted(request))
    context = {
        "form": form,
        "subject": subject,
        "has_password": subject.has_usable_password(),
        "validity": _link_validity(),
    }
    if request.method == "POST" and form.is_valid():
        uid, token = services.user_issue_set_password_link(user=subject, by=request.user, request=request)
        link = request.build_absolute_uri(reverse("staff_admin:set_password", args=[uid, token]))
        return render(request, "accounts/admin/set_password_link_issued.jinja", {**context, "link": link})
    return render(request, "accounts/admin/set_password_link.jinja", context)


def _link_validity() -> str:
    """How long a set-password link works, in words: "3 days", "12 hours"."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    if seconds >= 86400 and seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    hours = max(1, seconds // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


# --- Training records ------------------------------------------------------------------------


def _training_subject(request: AuthenticatedHttpRequest, pk: int) -> User:
    require(request.user, "accounts.manage_training")
    subject = _subject(request, pk)
    require(request.user, "accounts.manage_training", subject)
    return subject


@never_cache
@require_http_methods(GET_POST)
@creates_record
def training_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    subject = _training_subject(request, pk)
    _audit_page(request, subject)
    form = TrainingRecordForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.training_record_add(user=subject, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Training record added")
            return _detail(subject)
    return render(
        request,
        "accounts/admin/training_form.jinja",
        {"form": form, "subject": subject},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(GET_POST)
def training_remove(request: AuthenticatedHttpRequest, pk: int, training_pk: int) -> HttpResponse:
    subject = _training_subject(request, pk)
    training = get_object_or_404(queries.training_records_for(request.user, subject), pk=training_pk)
    _audit_page(request, subject)
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.training_record_delete(training=training, by=request.user, request=request)
        messages.success(request, "Training record removed")
        return _detail(subject)
    return render(
        request,
        "accounts/admin/training_remove.jinja",
        {"form": form, "subject": subject, "status": queries.training_status(training)},
    )


# --- The new user's side of the one-time link ---------------------------------------------------

LINK_SESSION_KEY = "casework_set_password_token"
LINK_IN_SESSION = "set"  # stands in for the token in the address once it is in the session


def _linked_user(uidb64: str) -> User | None:
    try:
        uid = urlsafe_base64_decode(uidb64).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return queries.user_for_set_password_link(uid)


@sensitive_variables("token", "session_token")
@login_not_required
@second_factor_not_required
@never_cache
@sensitive_post_parameters("password", "password_again")
@require_http_methods(GET_POST)
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """A one-time link from a system administrator: choose a password, then sign in.

    As Django's own password reset does, the token moves from the address into the session
    (and the address no longer carries it) before the form is shown."""
    user = _linked_user(uidb64)
    tokens = services.set_password_link_tokens
    if token != LINK_IN_SESSION:
        if user is not None and tokens.check_token(user, token):
            request.session[LINK_SESSION_KEY] = token
            return redirect("staff_admin:set_password", uidb64=uidb64, token=LINK_IN_SESSION)
        return render(request, "accounts/admin/set_password_invalid.jinja", status=404)
    session_token = request.session.get(LINK_SESSION_KEY)
    if user is None or not session_token or not tokens.check_token(user, session_token):
        return render(request, "accounts/admin/set_password_invalid.jinja", status=404)
    form = SetPasswordForm(_posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        services.user_set_password_from_link(user=user, password=form.cleaned_data["password"], request=request)
        request.session.pop(LINK_SESSION_KEY, None)
        # This session proved the link: it may set up the second factor once signed in (docs/adr/0010).
        enrolment.allow_in_session(request, user, enrolment.VIA_LINK)
        messages.success(request, "Your password is set. Sign in with your email address and new password.")
        return redirect("accounts:sign_in")
    return render(
        request,
        "accounts/admin/set_password.jinja",
        {"form": form, "email": user.email},
        status=400 if form.errors else 200,
    )
