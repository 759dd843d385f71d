from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.demo.accounts import DEMO_PASSWORD, demo_enrolment_codes, sign_in_help
from casework.demo.api import DEMO_API_TOKEN

API_DOCS = "/api/v1/docs/"


class Command(BaseCommand):
    help = (
        "Print how to sign in to the demo as each role. With the second factor on, also issue and "
        "print a fresh enrolment code for each demo account that has not set one up yet."
    )

    def handle(self, *args, **options) -> None:
        if settings.CASEWORK_ENV == "production":
            raise CommandError("demo_sign_in_help is for the demo only: it prints the demo password and issues codes.")
        codes = {} if settings.CASEWORK_MFA_DISABLED else demo_enrolment_codes()
        self.stdout.write("")
        self.stdout.write("NSC Casework demo — synthetic data only. Sign in at http://127.0.0.1:8000/sign-in/")
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}")
        if settings.CASEWORK_MFA_DISABLED:
            self.stdout.write("Second-factor sign-in is OFF for this demo (make run MFA=on to try it).")
        else:
            self.stdout.write(
                "Second-factor sign-in is ON. A password alone cannot set up the second factor: at first sign-in "
                "enter the account's enrolment code below (single use, new ones each time this runs), then set up "
                "an authenticator app."
            )
        rows = sign_in_help()
        width = max(len(role) for role, _, _ in rows)
        name_width = max(len(name) for _, _, name in rows) if codes else 0
        for role, email, name in rows:
            code = f"  enrolment code {codes[email]}" if email in codes else ""
            self.stdout.write(f"  {role.ljust(width)}  {email:<28} {name.ljust(name_width)}{code}".rstrip())
        self.stdout.write("")
        self.stdout.write(f"Agency API (docs at http://127.0.0.1:8000{API_DOCS}): the demo police force's token")
        self.stdout.write(f"  Authorization: Bearer {DEMO_API_TOKEN}")
        self.stdout.write(
            f"  For example: curl -H 'Authorization: Bearer {DEMO_API_TOKEN}' http://127.0.0.1:8000/api/v1/referrals/"
        )
        self.stdout.write("")
