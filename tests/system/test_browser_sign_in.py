"""Sign-in security in a real browser: first sign-in with set-up of the authenticator app, and a
passkey made and used with Chromium's virtual authenticator."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from casework.accounts import mfa
from casework.accounts.enrolment import enrolment_code_issue
from casework.accounts.models import Passkey
from casework.accounts.tests.factories import TEST_PASSWORD, UserFactory
from casework.audit.models import Action, AuditEvent
from casework.core.roles import Role

pytestmark = pytest.mark.system

NHS_BLUE = "rgb(0, 94, 184)"

# A small, axe-style smoke check: the failures a screen-reader user meets first.
ACCESSIBILITY_SMOKE = """
() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("the page has no lang");
  if (!document.title.trim()) problems.push("the page has no title");
  if (document.querySelectorAll("h1").length !== 1) problems.push("the page does not have exactly one h1");
  for (const field of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const label = field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
    if (!label && !field.closest("label") && !field.getAttribute("aria-label") && !field.getAttribute("aria-labelledby")) {
      problems.push(`field ${field.name || field.id} has no label`);
    }
  }
  for (const image of document.querySelectorAll("img")) {
    if (!image.hasAttribute("alt")) problems.push(`image ${image.src} has no alt text`);
  }
  for (const control of document.querySelectorAll("a[href], button")) {
    const named = control.textContent.trim() || control.getAttribute("aria-label") || control.querySelector("svg title, img[alt]");
    if (!named && control.offsetParent !== null) problems.push(`a ${control.tagName.toLowerCase()} has no name`);
  }
  const ids = [...document.querySelectorAll("[id]")].map((element) => element.id);
  for (const id of new Set(ids.filter((id, index) => ids.indexOf(id) !== index))) problems.push(`id ${id} is used twice`);
  return problems;
}
"""


def csp_violations(page: Page) -> list[str]:
    return [
        text
        for kind, text in page.casework_messages
        if "Content Security Policy" in text or "Content-Security-Policy" in text or kind == "pageerror"
    ]


def check_page(page: Page) -> None:
    """NHS.UK styling and script loaded, nothing refused by the CSP, the smoke check clean."""
    header_colour = page.locator("header.nhsuk-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header_colour == NHS_BLUE, f"NHS.UK styles did not load on {page.url}"
    body_class = page.locator("body").get_attribute("class") or ""
    assert "nhsuk-frontend-supported" in body_class, f"the layout's inline script did not run on {page.url}"
    assert page.evaluate(ACCESSIBILITY_SMOKE) == [], page.url
    assert csp_violations(page) == []


def code_from_key(shown: str) -> str:
    """The current code for a key as the set-up page shows it (base32, in groups of four)."""
    secret = shown.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, step=30, t0=0, digits=6, drift=0):06d}"


def sign_in_with_password(page: Page, email: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_new_user_sets_up_the_second_factor_reaches_my_work_and_signs_out(
    browser_page: Page, live_server, screenshots
):
    user = UserFactory(role=Role.CLINICIAN, email="new.starter@nsc.example.nhs.uk", full_name="Nia Newstarter")
    page = browser_page

    page.goto("/sign-in/")
    expect(page).to_have_title(re.compile(r"^Sign in – NSC Casework"))
    check_page(page)
    page.screenshot(path=str(screenshots / "sign-in.png"), full_page=True)

    sign_in_with_password(page, user.email)
    # A password alone does not set up the second factor: an administrator's enrolment code does.
    page.wait_for_url("**/sign-in/enrolment-code/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You need an enrolment code to set up your security code")
    check_page(page)
    page.screenshot(path=str(screenshots / "enrolment-code.png"), full_page=True)
    issued = enrolment_code_issue(user=user, by=UserFactory(role=Role.SYSTEM_ADMINISTRATOR))
    page.get_by_label("Enrolment code").fill(issued.code.lower())
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("**/sign-in/set-up-security/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your security code")
    expect(page.locator(".casework-qr svg")).to_be_visible()
    check_page(page)
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.get_by_test_id("totp-secret")
    expect(secret).to_be_visible()
    page.screenshot(path=str(screenshots / "set-up-security.png"), full_page=True)

    page.get_by_label("Security code").fill(code_from_key(secret.inner_text()))
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("**/account/security/recovery-codes/")
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[0-9a-f]{6}-[0-9a-f]{6}", code) for code in codes)
    check_page(page)
    page.get_by_test_id("saved-codes").click()

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My work")
    check_page(page)

    page.get_by_role("link", name="Sign out").click()
    page.wait_for_url("**/sign-out/")
    check_page(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to NSC Casework")

    page.goto("/")
    page.wait_for_url("**/sign-in/?next=/")
    assert csp_violations(page) == []
    actions = list(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert actions == [Action.SIGN_IN, Action.UPDATE, Action.MFA_ENROLLED, Action.SIGN_OUT]  # UPDATE: code used


def test_a_passkey_is_made_from_sign_in_security_and_used_at_the_next_sign_in(
    browser_page: Page, live_server, settings, screenshots
):
    settings.CASEWORK_WEBAUTHN_RP_ID = "localhost"
    settings.CASEWORK_WEBAUTHN_ORIGIN = live_server.url
    user = UserFactory(role=Role.CLINICAL_LEAD, email="lead.passkey@nsc.example.nhs.uk")
    device = TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=True)
    shown = base64.b32encode(device.bin_key).decode()
    page = browser_page

    # Chromium's virtual authenticator stands in for a phone or security key.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    sign_in_with_password(page, user.email)
    page.wait_for_url("**/sign-in/security-code/")
    expect(page.get_by_role("button", name="Use a passkey")).to_have_count(0)
    page.get_by_label("Security code").fill(code_from_key(shown))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="Sign-in security").click()
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_label("Name your passkey").fill("Test laptop")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/passkeys/add/create/")
    check_page(page)
    page.screenshot(path=str(screenshots / "passkey-create.png"), full_page=True)
    page.get_by_role("button", name="Create passkey").click()
    page.wait_for_url("**/account/security/")
    expect(page.get_by_text("Passkey added: Test laptop")).to_be_visible()
    check_page(page)
    page.screenshot(path=str(screenshots / "sign-in-security.png"), full_page=True)

    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in/")

    sign_in_with_password(page, user.email)
    page.wait_for_url("**/sign-in/security-code/")
    check_page(page)
    page.screenshot(path=str(screenshots / "security-code-with-passkey.png"), full_page=True)

    # A refusal from the server is shown in the NHS error summary, and the user can try again.
    settings.CASEWORK_WEBAUTHN_ORIGIN = "https://somewhere-else.example"
    page.get_by_role("button", name="Use a passkey").click()
    summary = page.locator("[data-passkey-error] .nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Your passkey could not be checked. Try again, or enter a security code.")
    expect(summary).to_be_focused()
    settings.CASEWORK_WEBAUTHN_ORIGIN = live_server.url
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My work")
    check_page(page)

    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "Test laptop" and passkey.last_used_at is not None
    assert AuditEvent.objects.filter(actor=user, action=Action.MFA_VERIFIED, reason=f"passkey {passkey.pk}").exists()
