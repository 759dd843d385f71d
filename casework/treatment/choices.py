"""The vocabulary of treatment: the legal basis an enrolment rests on, where it stands, the kinds
and places of appointment, what happened at one, and the state of a compliance notice."""

from __future__ import annotations

from django.db import models

from casework.cases.choices import OrderKind


class LegalBasis(models.TextChoices):
    COMMUNITY_ORDER = "community_order", "Community order with a mental health treatment requirement"
    BAIL_CONDITION = "bail_condition", "Bail condition"
    LICENCE_CONDITION = "licence_condition", "Licence condition"
    VOLUNTARY = "voluntary", "Voluntary"


# The legal bases that compel treatment (the clinic treats, at first, only under compulsion: the
# referrals app's eligibility rule ``treatment_under_compulsion`` says the same of a referral).
COMPULSION = (LegalBasis.COMMUNITY_ORDER, LegalBasis.BAIL_CONDITION, LegalBasis.LICENCE_CONDITION)
# The order each basis rests on.
ORDER_KINDS_FOR_BASIS = {
    LegalBasis.COMMUNITY_ORDER: (OrderKind.COMMUNITY_ORDER, OrderKind.SUSPENDED_SENTENCE),
    LegalBasis.BAIL_CONDITION: (OrderKind.BAIL_CONDITIONS,),
    LegalBasis.LICENCE_CONDITION: (OrderKind.LICENCE_CONDITIONS,),
}


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", "In treatment"
    COMPLETED = "completed", "Completed"
    DISENGAGED = "disengaged", "Disengaged"
    BREACHED = "breached", "Breached (returned to court or recalled)"
    TRANSFERRED = "transferred", "Transferred"


DISCHARGE_STATUSES = (
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.DISENGAGED,
    EnrolmentStatus.BREACHED,
    EnrolmentStatus.TRANSFERRED,
)


class AppointmentKind(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment"
    TREATMENT = "treatment", "Treatment session"
    REVIEW = "review", "Review"


class PlaceKind(models.TextChoices):
    CLINIC_ROOM = "clinic_room", "Clinic room"
    PRISON = "prison", "Prison visit"
    MENTAL_HEALTH_FACILITY = "mh_facility", "Mental-health facility"
    VIDEO = "video", "Video call"


class Attendance(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    LATE = "late", "Attended late"
    DID_NOT_ATTEND = "dna", "Did not attend"
    CANCELLED_BY_CLINIC = "cancelled_clinic", "Cancelled by the clinic"
    CANCELLED_BY_CLIENT = "cancelled_client", "Cancelled by the client"


ATTENDED = (Attendance.ATTENDED, Attendance.LATE)
# An absence that may count against the client: did not attend, or cancelled without an
# acceptable reason.
ABSENCES = (Attendance.DID_NOT_ATTEND, Attendance.CANCELLED_BY_CLIENT)


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    ACKNOWLEDGED = "acknowledged", "Acknowledged by the officer"


class NoticeChannel(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class FollowUpPoint(models.IntegerChoices):
    SIX = 6, "6 months"
    TWELVE = 12, "12 months"
    TWENTY_FOUR = 24, "24 months"
