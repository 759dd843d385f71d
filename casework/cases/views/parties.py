"""Parties to a case, and the stalking episode of each victim."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from casework.cases import queries
from casework.cases.choices import CaseKind, DatePrecision, PartyRole
from casework.cases.errors import CaseRefused
from casework.cases.forms import EpisodeForm, FindPersonForm, PartyAddForm, PartyForm
from casework.cases.services import records
from casework.cases.views.common import case_or_404, case_url, form_page
from casework.core.idempotency import creates_record
from casework.people.queries import person_for


@require_http_methods(["GET", "POST"])
@creates_record
def party_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_clinical")
    find = FindPersonForm(request.GET if "find" in request.GET else None)
    candidates = find.found(request.user) if find.is_bound and find.is_valid() else []
    form = PartyAddForm(request.POST if request.method == "POST" else None, candidates=candidates)

    def save(data):
        person = person_for(request.user, data["person"])
        if person is None:  # gone or hidden since the search
            raise CaseRefused("Select one of the people found", "person")
        return records.party_add(
            case=case,
            person=person,
            role=data["role"],
            name_as_given=data.get("name_as_given") or "",
            relationship_to_subject=data.get("relationship_to_subject") or "",
            by=request.user,
            request=request,
        )

    return form_page(
        request,
        case=case,
        form=form,
        title="Add a person to the case",
        save=save,
        success_message="Person added to the case",
        success_url=case_url(case, "parties"),
        template="cases/party_add.jinja",
        extra={"find": find, "candidates": candidates},
    )


@require_http_methods(["GET", "POST"])
def party_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_clinical")
    party = queries.party_of(case, pk)
    if party is None:
        raise Http404("No such party")
    form = PartyForm(
        request.POST if request.method == "POST" else None,
        initial={
            "role": party.role,
            "name_as_given": party.name_as_given,
            "relationship_to_subject": party.relationship_to_subject,
        },
    )
    return form_page(
        request,
        case=case,
        form=form,
        title=f"Change {party.name_as_given}'s part in the case",
        save=lambda data: records.party_update(
            party=party,
            role=data["role"],
            name_as_given=data.get("name_as_given") or "",
            relationship_to_subject=data.get("relationship_to_subject") or "",
            by=request.user,
            request=request,
        ),
        success_message="Changes saved",
        success_url=case_url(case, "parties"),
    )


@require_http_methods(["GET", "POST"])
def episode(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The stalking episode of one victim (in a victim case, of the subject: pass the subject's party)."""
    case = case_or_404(request, reference, "cases.edit_clinical")
    victims = queries.victim_choices_of(case)
    victim = next((p for p in victims if p.pk == pk), None)
    if victim is None:
        raise Http404("No such victim")
    current = queries.episode_of(victim)
    initial: dict[str, Any] = {"started_precision": DatePrecision.MONTH}
    if current is not None:
        initial = {
            "prior_relationship": current.prior_relationship,
            "started_on": current.started_on,
            "started_precision": current.started_precision,
            "behaviours": current.behaviours,
            "motivation_in_own_words": current.motivation_in_own_words,
        }
    form = EpisodeForm(request.POST if request.method == "POST" else None, initial=initial)
    name = (
        case.subject.full_name
        if victim.role == PartyRole.SUBJECT and case.kind == CaseKind.VICTIM
        else victim.name_as_given
    )
    return form_page(
        request,
        case=case,
        form=form,
        title=f"The stalking of {name}",
        save=lambda data: records.episode_save(
            case=case,
            victim=victim,
            prior_relationship=data["prior_relationship"],
            started_on=data.get("started_on"),
            started_precision=data["started_precision"],
            behaviours=data.get("behaviours") or [],
            motivation_in_own_words=data.get("motivation_in_own_words") or "",
            by=request.user,
            request=request,
        ),
        success_message="Stalking episode saved",
        success_url=case_url(case, "parties"),
    )
