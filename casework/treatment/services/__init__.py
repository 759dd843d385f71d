"""The only writers of treatment, one module per part: ``enrolment`` (enrolments, outcome measures,
discharge and follow-up), ``diary`` (rooms, appointments, attendance, session notes, invitations)
and ``compliance`` (the compliance rule and its notices to the supervising officer)."""
