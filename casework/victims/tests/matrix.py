"""The records the authorisation matrix (casework/core/tests) requests victim pathway pages about:
a victim case led by ``cast.clinician`` with a safety plan and a message."""

from __future__ import annotations


def victim_overrides(cast) -> dict[str, dict]:
    import uuid

    from casework.victims.models import VictimMessage
    from casework.victims.tests.helpers import plan, victim_case

    case = victim_case(cast)
    version = plan(case, cast.clinician)
    message = VictimMessage.objects.create(
        case=case,
        channel="letter",
        text="Matrix letter",
        plan=version,
        reference=f"matrix-message-{uuid.uuid4().hex[:8]}",  # unique: the world may be built twice
        created_by=cast.clinician,
    )
    ref = {"reference": case.reference}
    return {
        "victims:overview": ref,
        "victims:plan_agree": ref,
        "victims:plan_version": {**ref, "number": version.number},
        "victims:message_new": ref,
        "victims:message": {**ref, "pk": message.pk},
        "victims:subject_access": ref,
    }
