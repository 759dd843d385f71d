#!/usr/bin/env bash
# The load benchmark (issue 19; docs/benchmarks/load.md): national-scale data on PostgreSQL, the
# service started as the README tells an operator (production settings, migrate, collectstatic,
# gunicorn with 2 workers), every main page of every role driven at 1, 10 and 20 concurrent signed-in
# users beside the framework floor measured in the same run.
#
#   make bench-load                                   # scale 1: 10,000 cases; resumes a seeding cut short
#   BENCH_LOAD_SCALE=0.1 make bench-load              # a tenth: a quick look (its own database)
#   BENCH_LOAD_ARGS="--seconds 10 --runs 3" make bench-load
#   BENCH_LOAD_FRESH=1 make bench-load                # drop the seeded database and seed again
#   BENCH_LOAD_SEED_ONLY=1 make bench-load            # seed (or finish seeding) and stop
#
# The seeded database (casework_load_<scale>) and its keys (var/bench-load/) are kept between runs, so
# a second run drives at once; every run is bounded (pages × levels × --seconds × --runs) and stops
# gunicorn when done or interrupted.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${PY:-.venv/bin/python}
GUNICORN=${GUNICORN:-.venv/bin/gunicorn}
PG=${BENCH_LOAD_PG:-postgres://postgres@127.0.0.1:5432}
SCALE=${BENCH_LOAD_SCALE:-1}
PORT=${BENCH_LOAD_PORT:-8300}
WORKERS=${BENCH_LOAD_WORKERS:-2}
STATE_DIR=var/bench-load/scale-$SCALE
DB=casework_load_$(echo "$SCALE" | tr . _)
WORK=$STATE_DIR/work
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; true; }
trap cleanup EXIT

if [ -n "${BENCH_LOAD_FRESH:-}" ]; then rm -rf "$STATE_DIR"; fi
mkdir -p "$WORK"
export KEYS_FILE=$STATE_DIR/keys.env
export DATABASE_URL="$PG/$DB"
. scripts/production-env.sh

if [ ! -f "$STATE_DIR/state.json" ]; then
  echo "== A database of its own: $DB"
  $PY - "$PG" "$DB" <<'PYEOF'
import sys, psycopg
with psycopg.connect(sys.argv[1] + "/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PYEOF
fi
echo "== As the README says: migrate, collectstatic"
$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0
echo "== Seed at scale $SCALE (resumes where a run stopped)"
$PY benchmarks/load/seed.py "$STATE_DIR/state.json" --scale "$SCALE" ${BENCH_LOAD_SEED_ARGS:-}
$PY benchmarks/load/drive.py world "$STATE_DIR/state.json"
if [ -n "${BENCH_LOAD_SEED_ONLY:-}" ]; then echo "== Seeded (BENCH_LOAD_SEED_ONLY): not driven"; exit 0; fi
echo "== VACUUM (ANALYZE): as autovacuum would have, where a server runs it (this one does not)"
$PY - "$DATABASE_URL" <<'PYEOF'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute("VACUUM (ANALYZE)")
PYEOF

echo "== As the README's cron does each night: assess_case_risks"
$PY manage.py assess_case_risks

echo "== gunicorn, $WORKERS workers, on 127.0.0.1:$PORT"
$GUNICORN casework.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" >"$WORK/gunicorn.log" 2>&1 &
pid=$!
wait_for "$PORT" "$WORK/gunicorn.log"
echo "== Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), PostgreSQL $(psql -h 127.0.0.1 -U postgres -Atc 'SHOW server_version' 2>/dev/null || echo '?')"
$PY benchmarks/load/drive.py drive "$STATE_DIR/state.json" --base "http://127.0.0.1:$PORT" ${BENCH_LOAD_ARGS:-}
if grep -q "Traceback" "$WORK/gunicorn.log"; then
  echo "gunicorn logged a traceback:" >&2; grep -A 30 -m 3 "Traceback" "$WORK/gunicorn.log" >&2; exit 1
fi
