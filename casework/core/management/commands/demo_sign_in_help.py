from django.conf import settings
from django.core.management.base import BaseCommand

from casework.accounts.demo import DEMO_PASSWORD, sign_in_help


class Command(BaseCommand):
    help = "Print how to sign in to the demo as each role."

    def handle(self, *args, **options) -> None:
        self.stdout.write("")
        self.stdout.write("NSC Casework demo — synthetic data only. Sign in at http://127.0.0.1:8000/sign-in/")
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}")
        if settings.CASEWORK_MFA_DISABLED:
            self.stdout.write("Second-factor sign-in is OFF for this demo (make run MFA=on to try it).")
        else:
            self.stdout.write("Second-factor sign-in is ON: you will set up an authenticator app at first sign-in.")
        width = max(len(role) for role, _, _ in sign_in_help())
        for role, email, name in sign_in_help():
            self.stdout.write(f"  {role.ljust(width)}  {email:<28} {name}")
        self.stdout.write("")
