"""System checks: production signs issued reports with the clinic's own certificate, never with none
and never with the demonstration certificate made for the demo and the tests."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register

HINT = (
    "Set CASEWORK_REPORT_SIGNING_KEY and CASEWORK_REPORT_SIGNING_CERT to the clinic's signing key and certificate "
    "(PEM or DER files; CASEWORK_REPORT_SIGNING_PASSPHRASE if the key has one)."
)


def _certificate_problem(key_path: Path, cert_path: Path, passphrase: str) -> tuple[str, str] | None:
    """What is wrong with the configured files, as (message, check id), or None."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    from casework.reports.rendering import DEMO_CERTIFICATE_COMMON_NAME

    try:
        cert_bytes, key_bytes = cert_path.read_bytes(), key_path.read_bytes()
    except OSError as error:
        return f"The report signing key or certificate cannot be read ({error.strerror}).", "reports.E002"
    try:
        certificate = (
            x509.load_pem_x509_certificate(cert_bytes)
            if b"-----BEGIN" in cert_bytes
            else x509.load_der_x509_certificate(cert_bytes)
        )
        password = passphrase.encode() if passphrase else None
        key = (
            serialization.load_pem_private_key(key_bytes, password=password)
            if b"-----BEGIN" in key_bytes
            else serialization.load_der_private_key(key_bytes, password=password)
        )
    except (ValueError, TypeError):
        return "The report signing key or certificate is not a key and certificate that can be read.", "reports.E002"
    names = [attribute.value for attribute in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if DEMO_CERTIFICATE_COMMON_NAME in names or Path(settings.REPORT_SIGNING_DEMO_DIR) in cert_path.parents:
        return "Reports would be signed with the demonstration certificate.", "reports.E003"
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.DER
    if key.public_key().public_bytes(encoding, public) != certificate.public_key().public_bytes(encoding, public):
        return "The report signing key is not the key of the report signing certificate.", "reports.E004"
    return None


@register(Tags.security, deploy=True)
def check_report_signing(app_configs, **kwargs):
    if not getattr(settings, "PRODUCTION", False):
        return []
    key, cert = settings.REPORT_SIGNING_KEY, settings.REPORT_SIGNING_CERT
    if not key or not cert:
        return [Error("No certificate is configured to sign issued reports.", hint=HINT, id="reports.E001")]
    problem = _certificate_problem(Path(key), Path(cert), settings.REPORT_SIGNING_PASSPHRASE or "")
    if problem:
        message, check_id = problem
        return [Error(message, hint=HINT, id=check_id)]
    return []
