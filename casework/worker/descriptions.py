"""Plain-English names of background tasks, for the staff who see them fail."""

from __future__ import annotations

DESCRIPTIONS = {
    "casework.access.tasks.email_break_glass_alert": "Email the people told that break-glass access was used",
    "casework.referrals.tasks.send_letter": "Send a letter to the referrer through GOV.UK Notify",
    "casework.referrals.tasks.check_letter_delivery": "Ask GOV.UK Notify whether a letter to the referrer was delivered",
    "casework.treatment.tasks.send_notice": "Send a compliance notice to the supervising officer through GOV.UK Notify",
    "casework.treatment.tasks.check_notice_delivery": "Ask GOV.UK Notify whether a compliance notice was delivered",
    "casework.treatment.tasks.remind_follow_up": "Email the lead clinician that a treatment follow-up is due",
    "casework.treatment.tasks.remind_appointment": "Remind the client of a treatment appointment through GOV.UK Notify",
    "casework.victims.tasks.send_message": "Send a message to a person who is stalked through GOV.UK Notify",
    "casework.victims.tasks.check_message_delivery": "Ask GOV.UK Notify whether a message to a person who is stalked was delivered",
}


def describe(task_path: str) -> str:
    if task_path in DESCRIPTIONS:
        return DESCRIPTIONS[task_path]
    name = task_path.rsplit(".", 1)[-1].replace("_", " ")
    return name[:1].upper() + name[1:]
