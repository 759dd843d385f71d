# The production environment as the README's "Running in production" table lists it, for the
# checks and benchmarks that start the service as an operator would. Sourced, with WORK set to a
# directory the service may write to and PY to the Python that runs it. Keys are made afresh, or
# read from $KEYS_FILE when it exists (written there when it does not), so that a database seeded
# under them can be read again by a later run (the load benchmark resumes).
HOST=${HOST:-casework.example.nhs.uk}
export CASEWORK_ENV=production
if [ -n "${KEYS_FILE:-}" ] && [ -f "$KEYS_FILE" ]; then
  # shellcheck disable=SC1090
  . "$KEYS_FILE"
else
  SECRET_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
  AUDIT_HMAC_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
  FIELD_ENCRYPTION_KEYS="$($PY -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
  BLIND_INDEX_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
  CASEWORK_RESEARCH_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
  if [ -n "${KEYS_FILE:-}" ]; then
    mkdir -p "$(dirname "$KEYS_FILE")"
    (umask 077; printf 'SECRET_KEY=%s\nAUDIT_HMAC_KEY=%s\nFIELD_ENCRYPTION_KEYS=%s\nBLIND_INDEX_KEY=%s\nCASEWORK_RESEARCH_KEY=%s\n' \
      "$SECRET_KEY" "$AUDIT_HMAC_KEY" "$FIELD_ENCRYPTION_KEYS" "$BLIND_INDEX_KEY" "$CASEWORK_RESEARCH_KEY" >"$KEYS_FILE")
  fi
fi
export SECRET_KEY AUDIT_HMAC_KEY FIELD_ENCRYPTION_KEYS BLIND_INDEX_KEY CASEWORK_RESEARCH_KEY
export ALLOWED_HOSTS="$HOST"
export CSRF_TRUSTED_ORIGINS="https://$HOST"
export WEBAUTHN_RP_ID="$HOST"
export WEBAUTHN_ORIGIN="https://$HOST"
export TRUSTED_PROXY_COUNT=1
# Debian's clamav-daemon socket, as an operator would set it (README). Nothing need answer on it
# here: an upload is then held as "not yet scanned".
export CLAMAV_SOCKET=/run/clamav/clamd.ctl
export CASEWORK_VAR_DIR="$WORK/var"
export PROD_CHECK_HOST="$HOST"
# The Stalking Risk Profile catalogue the clinic holds under its licence (README). It is not in the
# repository; here it is played by the demonstration catalogue's factors in a file marked as the
# clinic's (production refuses the demonstration catalogue itself: assessments.E001).
mkdir -p "$WORK/licensed"
$PY - "$WORK/licensed/srp-catalogue.json" <<'PYEOF'
import json, sys
catalogue = json.load(open("casework/assessments/instruments/catalogues/demo-srp.json", encoding="utf-8"))
catalogue.update(demonstration=False, version="prod-check", title="Catalogue file as a clinic would supply it (prod-check)")
json.dump(catalogue, open(sys.argv[1], "w", encoding="utf-8"))
PYEOF
export CASEWORK_CATALOGUE_SRP="$WORK/licensed/srp-catalogue.json"
# The key and certificate that sign issued reports: the clinic's own in a live service (README); here
# a stand-in made afresh (production refuses none, and the demonstration certificate: reports.E001, E003).
$PY scripts/make_signing_certificate.py "$WORK/licensed/report-signing" >/dev/null
export CASEWORK_REPORT_SIGNING_KEY="$WORK/licensed/report-signing/signing-key.pem"
export CASEWORK_REPORT_SIGNING_CERT="$WORK/licensed/report-signing/signing-cert.pem"

wait_for() {  # wait_for PORT LOG: until gunicorn answers /healthz (any status)
  for _ in $(seq 1 60); do
    if $PY -c "import http.client,sys; c=http.client.HTTPConnection('127.0.0.1', $1, timeout=2); c.request('GET','/healthz', headers={'Host': '$HOST'}); c.getresponse()" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "gunicorn on port $1 did not start" >&2; cat "$2" >&2; return 1
}
