"""Who sees background tasks that failed, and who may queue one again.

System administrators run the service; clinical leads are the recipients of the alerts these
tasks send (a failed break-glass alert is an alert they never got), so both see the list.
Only system administrators queue a task again, once whatever made it fail is put right."""

from __future__ import annotations

import rules

from casework.accounts.rules import is_clinical_lead, is_system_administrator

rules.add_perm("worker.view_failed_tasks", is_system_administrator | is_clinical_lead)
rules.add_perm("worker.retry_task", is_system_administrator)
