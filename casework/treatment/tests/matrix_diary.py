"""The records the authorisation matrix requests diary pages about: on a perpetrator case led by
``cast.clinician`` (``cast.other_clinician`` is on no team), an appointment with her in a clinic
room yesterday, attended; and the room."""

from __future__ import annotations


def overrides(cast) -> dict[str, dict]:
    import datetime as dt

    from django.utils import timezone

    from casework.cases.tests.factories import make_case
    from casework.treatment.services import diary as services

    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    from casework.treatment.models import Room

    # Room names are unique, and the world may be built twice (the query-count convention test).
    taken = Room.objects.filter(name__startswith="Matrix room").count()
    room = services.room_add(
        name="Matrix room" + (f" {taken + 1}" if taken else ""), site="Clinic", by=cast.clinical_lead
    )
    starts_at = (timezone.now() - dt.timedelta(days=1 + taken)).replace(second=0, microsecond=0)
    appointment = services.appointment_book(
        case=case,
        kind="assessment",
        clinician=cast.clinician,
        place_kind="clinic_room",
        room=room,
        starts_at=starts_at,
        minutes=60,
        by=cast.coordinator,
    )
    at = {"reference": case.reference, "pk": appointment.pk}
    return {
        "treatment:appointments": {"reference": case.reference},
        "treatment:appointment_add": {"reference": case.reference},
        **{
            f"treatment:{name}": at
            for name in (
                "appointment_detail",
                "appointment_move",
                "attendance",
                "session_note_add",
                "appointment_ics",
                "invite",
            )
        },
        "diary:week": {},
        "diary:rooms": {},
        "diary:clinician": {"pk": cast.clinician.pk},
        "diary:room": {"pk": room.pk},
    }
