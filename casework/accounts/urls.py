from django.urls import path

from casework.accounts.views import auth, mfa, passkeys

app_name = "accounts"

urlpatterns = [
    path("sign-in/", auth.sign_in, name="sign_in"),
    path("sign-out/", auth.sign_out, name="sign_out"),
    path("sign-in/set-up-security/", mfa.mfa_setup, name="mfa_setup"),
    path("sign-in/security-code/", mfa.mfa_verify, name="mfa_verify"),
    path("sign-in/enrolment-code/", mfa.mfa_enrolment_code, name="mfa_enrolment_code"),
    path("sign-in/passkey/options/", passkeys.passkey_sign_in_options, name="passkey_sign_in_options"),
    path("sign-in/passkey/verify/", passkeys.passkey_sign_in_verify, name="passkey_sign_in_verify"),
    path("account/security/", mfa.security, name="security"),
    path("account/security/recovery-codes/", mfa.recovery_codes, name="recovery_codes"),
    path("account/security/passkeys/add/", passkeys.passkey_add, name="passkey_add"),
    path("account/security/passkeys/add/create/", passkeys.passkey_create, name="passkey_create"),
    path(
        "account/security/passkeys/register/options/",
        passkeys.passkey_register_options,
        name="passkey_register_options",
    ),
    path(
        "account/security/passkeys/register/verify/", passkeys.passkey_register_verify, name="passkey_register_verify"
    ),
    path("account/security/passkeys/<id:pk>/remove/", passkeys.passkey_remove, name="passkey_remove"),
]
