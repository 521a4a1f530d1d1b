#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL (started here, stopped on exit), with
# POS_BENCH_POSTGRES_URL set, e.g.:
#   bench/with_postgres.sh .venv/bin/python bench/checkout.py
#   bench/with_postgres.sh .venv/bin/python bench/zreport.py
# Unlike scripts/test.sh the server keeps PostgreSQL's durable defaults (fsync on,
# synchronous_commit on), so commit costs are real. Set POS_BENCH_PG_OPTS to add server options.
# Start/stop logic copied from scripts/test.sh (as root the server runs as `postgres`).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "with_postgres: no PostgreSQL server binaries (run scripts/test.sh once to install)" >&2
  exit 1
fi

run_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

workdir=$(mktemp -d /tmp/pos-bench-pg.XXXXXX)
stop_pg() {
  if [ -f "$workdir/data/postmaster.pid" ]; then
    run_pg "$pg_bin/pg_ctl" -D "$workdir/data" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$workdir"
}
trap stop_pg EXIT

chmod 755 "$workdir"
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$workdir"
fi
port=$("$BIN/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
run_pg "$pg_bin/initdb" -D "$workdir/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c max_connections=200 ${POS_BENCH_PG_OPTS:-}" \
  start >/dev/null
export POS_BENCH_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
echo "with_postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
