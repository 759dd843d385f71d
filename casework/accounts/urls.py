from django.urls import path

from casework.accounts.views import auth, mfa

app_name = "accounts"

urlpatterns = [
    path("sign-in/", auth.sign_in, name="sign_in"),
    path("sign-out/", auth.sign_out, name="sign_out"),
    path("sign-in/set-up-security/", mfa.mfa_setup, name="mfa_setup"),
    path("sign-in/security-code/", mfa.mfa_verify, name="mfa_verify"),
    path("account/security/", mfa.security, name="security"),
    path("account/security/recovery-codes/", mfa.recovery_codes, name="recovery_codes"),
]
