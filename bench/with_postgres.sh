#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL (started here, stopped on exit), with
# POS_BENCH_POSTGRES_URL set, e.g.:
#   bench/with_postgres.sh .venv/bin/python bench/checkout.py
#   bench/with_postgres.sh .venv/bin/python bench/zreport.py
# Unlike the test server this one keeps PostgreSQL's durable defaults (fsync on,
# synchronous_commit on), so commit costs are real. POS_BENCH_PG_OPTS adds server options.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/throwaway-pg.sh
start_throwaway_pg "${POS_BENCH_PG_OPTS:-}"
export POS_BENCH_POSTGRES_URL="$PG_URL"
# A server database needs a secret key set (pos.core.secret_key); this one is for benches only.
export POS_SECRET_KEY="${POS_SECRET_KEY:-bench-only-secret-key-not-for-any-installation}"
"$@"
