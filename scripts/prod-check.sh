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
export DATABASE_URL="$PG/$DB"
. scripts/production-env.sh

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

echo "== gunicorn on 127.0.0.1:$PORT, crawled as every member of the cast"
$GUNICORN casework.wsgi --bind "127.0.0.1:$PORT" --workers 4 >"$WORK/gunicorn-$PORT.log" 2>&1 &
pids+=($!)
wait_for "$PORT" "$WORK/gunicorn-$PORT.log"
status=0
$PY scripts/prod_check.py crawl "$WORK/world.json" --base "http://127.0.0.1:$PORT" || status=1
if grep -q "Traceback" "$WORK/gunicorn-$PORT.log"; then
  echo "gunicorn logged a traceback:" >&2; grep -A 30 -m 3 "Traceback" "$WORK/gunicorn-$PORT.log" >&2; status=1
fi

echo "== The same service with a database that refuses connections (127.0.0.1:1)"
DATABASE_URL="postgres://postgres@127.0.0.1:1/$DB" \
  $GUNICORN casework.wsgi --bind "127.0.0.1:$OUTAGE_PORT" --workers 1 >"$WORK/gunicorn-$OUTAGE_PORT.log" 2>&1 &
pids+=($!)
wait_for "$OUTAGE_PORT" "$WORK/gunicorn-$OUTAGE_PORT.log"
$PY scripts/prod_check.py outage --base "http://127.0.0.1:$OUTAGE_PORT" || status=1

$PY - "$PG" "$DB" <<'PYEOF'
import sys, psycopg
with psycopg.connect(sys.argv[1] + "/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
PYEOF
[ "$status" = 0 ] && echo "== Production check passed" || echo "== Production check FAILED" >&2
exit "$status"
