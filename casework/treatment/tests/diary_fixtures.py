"""What the diary tests share: a perpetrator case led by ``cast.clinician`` with an enrolment in a
small programme, the clinic's rooms, and a helper to book."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from casework.cases.tests.factories import make_case
from casework.treatment.models import Enrolment, KeptProgramme, Room
from casework.treatment.services import diary as services

# A kept programme's content, in the shape of the programme files (casework/treatment/programmes/).
PROGRAMME = {
    "code": "test-programme",
    "version": "1",
    "title": "Test programme",
    "planned_sessions": 10,
    "session_minutes": 60,
    "modules": [
        {"key": "engagement", "title": "Engagement and goals", "sessions": 4},
        {"key": "rumination", "title": "Managing rumination", "sessions": 6},
    ],
    "measures": [],
}


@dataclass
class Diary:
    cast: Any
    case: Any
    enrolment: Enrolment
    room: Room
    room2: Room

    def at(self, days: int = 1, hour: int = 10, minute: int = 0) -> dt.datetime:
        day = timezone.localdate() + dt.timedelta(days=days)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())

    def book(self, *, starts_at, minutes=60, clinician=None, room="default", case=None, by=None, **more):
        room = self.room if room == "default" else room
        return services.appointment_book(
            case=case or self.case,
            kind=more.pop("kind", "treatment"),
            clinician=clinician or self.cast.clinician,
            place_kind=more.pop("place_kind", "clinic_room" if room is not None else "video"),
            room=room,
            starts_at=starts_at,
            minutes=minutes,
            by=by or self.cast.coordinator,
            **more,
        )


def make_diary(cast) -> Diary:
    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    programme = KeptProgramme.objects.create(
        code="test-programme", version="1", title="Test programme", content=PROGRAMME, content_hash="t" * 64
    )
    enrolment = Enrolment.objects.create(
        case=case,
        programme=programme,
        legal_basis="community_order",
        starts_on=timezone.localdate() - dt.timedelta(days=60),
        created_by=cast.clinical_lead,
        updated_by=cast.clinical_lead,
    )
    room = services.room_add(name="Room 1", site="The clinic", by=cast.clinical_lead)
    room2 = services.room_add(name="Room 2", site="The clinic", by=cast.clinical_lead)
    return Diary(cast=cast, case=case, enrolment=enrolment, room=room, room2=room2)
