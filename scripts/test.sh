#!/usr/bin/env bash
# Run the whole suite on SQLite and on a throwaway PostgreSQL this script starts and stops.
#
# The server binaries come from Debian's `postgresql` package (installed here if missing).
# initdb refuses to run as root, so as root the server runs as the `postgres` system user on a
# data folder that user owns. It listens on 127.0.0.1 only, on a free port.
# Under CI=true the PostgreSQL run is mandatory: any failure to start it fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

find_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

pg_bin=$(find_pg_bin)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "test: installing Debian's postgresql server"
  as_root apt-get update -qq || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
    || { [ "${CI:-}" = true ] && { echo "cannot install postgresql" >&2; exit 1; }; }
  pg_bin=$(find_pg_bin)
fi

workdir=""
stop_pg() {
  if [ -n "$workdir" ] && [ -f "$workdir/data/postmaster.pid" ]; then
    run_pg "$pg_bin/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -n "$workdir" ] && rm -rf "$workdir"
}
trap stop_pg EXIT

run_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
  workdir=$(mktemp -d /tmp/pos-pg.XXXXXX)
  chmod 755 "$workdir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$workdir"
  fi
  port=$("$BIN/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  run_pg "$pg_bin/initdb" -D "$workdir/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
  run_pg "$pg_bin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  export POS_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  echo "test: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
elif [ "${CI:-}" = true ]; then
  echo "test: CI=true but no PostgreSQL server could be installed" >&2
  exit 1
else
  echo "test: no PostgreSQL server; running on SQLite only"
fi

"$BIN/lint-imports"
"$BIN/mypy"
"$BIN/python" -m pytest -n 2 "$@"
