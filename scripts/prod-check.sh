#!/usr/bin/env bash
# The production configuration, started exactly as the README's "Running in production" tells an
# operator (production settings from environment variables, PostgreSQL, migrate, collectstatic,
# check --deploy, gunicorn), then crawled as every member of the test cast through a simulated
# TLS-terminating proxy (scripts/prod_check.py): 0 answers of 500, every answer as the
# authorisation matrix says, security headers and cookie flags on real responses; then the same
# service with its database refusing connections answers its own 503 pages.
#
#   make prod-check                      # PostgreSQL at 127.0.0.1:5432, database casework_prodcheck
#   PROD_CHECK_DB=casework_mine PROD_CHECK_PORT=8200 make prod-check
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
GUNICORN=${GUNICORN:-.venv/bin/gunicorn}
PG=${PROD_CHECK_PG:-postgres://postgres@127.0.0.1:5432}
DB=${PROD_CHECK_DB:-casework_prodcheck}
PORT=${PROD_CHECK_PORT:-8200}
OUTAGE_PORT=$((PORT + 1))
HOST=casework.example.nhs.uk
WORK=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# The variables the README's table calls required, plus the optional ones an operator would set.
export CASEWORK_ENV=production
export SECRET_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
export AUDIT_HMAC_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
export DATABASE_URL="$PG/$DB"
export ALLOWED_HOSTS="$HOST"
export CSRF_TRUSTED_ORIGINS="https://$HOST"
export FIELD_ENCRYPTION_KEYS="$($PY -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export BLIND_INDEX_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
export CASEWORK_RESEARCH_KEY="$(head -c 48 /dev/urandom | base64 -w0)"
export WEBAUTHN_RP_ID="$HOST"
export WEBAUTHN_ORIGIN="https://$HOST"
export TRUSTED_PROXY_COUNT=1
# Debian's clamav-daemon socket, as an operator would set it (README). Nothing need answer on it
# here: an upload is then held as "not yet scanned", and no upload is made in this check.
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

echo "== A database of its own: $DB"
$PY - "$PG" "$DB" <<'PYEOF'
import sys, psycopg
with psycopg.connect(sys.argv[1] + "/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PYEOF

echo "== As the README says: migrate, collectstatic, check --deploy"
$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0
$PY manage.py check --deploy --fail-level WARNING

echo "== Seed the cast and the authorisation matrix's records"
$PY scripts/prod_check.py seed "$WORK/world.json"

wait_for() {  # wait_for PORT: until gunicorn answers /healthz (any status)
  for _ in $(seq 1 60); do
    if $PY -c "import http.client,sys; c=http.client.HTTPConnection('127.0.0.1', $1, timeout=2); c.request('GET','/healthz', headers={'Host': '$HOST'}); c.getresponse()" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "gunicorn on port $1 did not start" >&2; cat "$WORK/gunicorn-$1.log" >&2; return 1
}

echo "== gunicorn on 127.0.0.1:$PORT, crawled as every member of the cast"
$GUNICORN casework.wsgi --bind "127.0.0.1:$PORT" --workers 4 >"$WORK/gunicorn-$PORT.log" 2>&1 &
pids+=($!)
wait_for "$PORT"
status=0
$PY scripts/prod_check.py crawl "$WORK/world.json" --base "http://127.0.0.1:$PORT" || status=1
if grep -q "Traceback" "$WORK/gunicorn-$PORT.log"; then
  echo "gunicorn logged a traceback:" >&2; grep -A 30 -m 3 "Traceback" "$WORK/gunicorn-$PORT.log" >&2; status=1
fi

echo "== The same service with a database that refuses connections (127.0.0.1:1)"
DATABASE_URL="postgres://postgres@127.0.0.1:1/$DB" \
  $GUNICORN casework.wsgi --bind "127.0.0.1:$OUTAGE_PORT" --workers 1 >"$WORK/gunicorn-$OUTAGE_PORT.log" 2>&1 &
pids+=($!)
wait_for "$OUTAGE_PORT"
$PY scripts/prod_check.py outage --base "http://127.0.0.1:$OUTAGE_PORT" || status=1

$PY - "$PG" "$DB" <<'PYEOF'
import sys, psycopg
with psycopg.connect(sys.argv[1] + "/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
PYEOF
[ "$status" = 0 ] && echo "== Production check passed" || echo "== Production check FAILED" >&2
exit "$status"
