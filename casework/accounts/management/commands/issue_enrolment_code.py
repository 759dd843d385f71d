"""Issue an enrolment code from the command line: for the first system administrator of a new
installation, who has nobody to issue one through the staff pages. Audited (actor: none, reason:
this command). Everyone else gets theirs from a system administrator's staff page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from casework.accounts.enrolment import enrolment_code_issue
from casework.accounts.queries import user_by_email


class Command(BaseCommand):
    help = "Issue a single-use enrolment code with which EMAIL sets up a second factor at sign-in."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        user = user_by_email(email.strip().lower())
        if user is None:
            raise CommandError(f"No account has the email address {email}")
        try:
            issued = enrolment_code_issue(user=user, by=None, reason="issued with manage.py issue_enrolment_code")
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Enrolment code for {user.email}: {issued.code}")
        self.stdout.write(f"It works once, until {issued.expires_at:%Y-%m-%d %H:%M %Z}. Give it only to them.")
