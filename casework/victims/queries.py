"""Readers for the victim pathway: the plan in force, its versions, the messages; each scoped to
the user through the case's access rules (``policy.visible``)."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.access import policy
from casework.cases.choices import CaseKind
from casework.treatment.models import Appointment
from casework.victims.models import SafetyPlanVersion, VictimMessage


def plan_in_force(case) -> SafetyPlanVersion | None:
    """The latest agreed version of ``case``'s safety plan (the system's view: for the rule)."""
    return SafetyPlanVersion.objects.filter(case=case).order_by("-number").first()


def plans_of_case(user, case) -> QuerySet[SafetyPlanVersion]:
    return policy.visible(user, SafetyPlanVersion).filter(case=case).select_related("recorded_by").order_by("-number")


def plan_version(user, case, number: int) -> SafetyPlanVersion | None:
    return plans_of_case(user, case).filter(number=number).first()


def previous_version(plan: SafetyPlanVersion) -> SafetyPlanVersion | None:
    return SafetyPlanVersion.objects.filter(case_id=plan.case_id, number__lt=plan.number).order_by("-number").first()


def messages_of_case(user, case) -> QuerySet[VictimMessage]:
    return (
        policy.visible(user, VictimMessage)
        .filter(case=case)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def message_for_page(user, case, pk: int) -> VictimMessage | None:
    return messages_of_case(user, case).filter(pk=pk).first()


def message_for_task(message_id: int) -> VictimMessage | None:
    return VictimMessage.objects.select_related("case__subject", "plan").filter(pk=message_id).first()


def appointment_for_reminder(appointment_id: int) -> Appointment | None:
    """The appointment a reminder task is about, on a victim case only (the system's view)."""
    return (
        Appointment.objects.select_related("case__subject")
        .filter(pk=appointment_id, case__kind=CaseKind.VICTIM)
        .first()
    )


def plan_for_task(case_id: int) -> SafetyPlanVersion | None:
    return SafetyPlanVersion.objects.filter(case_id=case_id).order_by("-number").first()


# --- Where a message goes (read by the sending task and the message form) --------------------------


def safe_email(person) -> str:
    """The first email address recorded as safe to contact, or ""."""
    found = person.emails.filter(safe_to_contact=True).order_by("id").first()
    return found.address if found else ""


def safe_phone(person) -> str:
    """The first telephone number recorded as safe to contact, or ""."""
    found = person.phones.filter(safe_to_contact=True).order_by("id").first()
    return found.number if found else ""


def current_address(person):
    """The person's current address (no end date), or None."""
    return person.addresses.filter(lived_to__isnull=True).order_by("-lived_from", "id").first()
