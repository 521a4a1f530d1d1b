# Source this: start_throwaway_pg OPTIONS... starts a PostgreSQL server on 127.0.0.1 in a
# temporary folder and sets PG_URL; it is stopped and deleted when the shell exits.
#
# initdb refuses to run as root, so as root the server runs as the `postgres` system user on a
# data folder that user owns. The binaries come from Debian's `postgresql` package
# (/usr/lib/postgresql/<version>/bin); find_pg_bin prints that folder or nothing.

find_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

run_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_throwaway_pg() {
  if [ -n "${PG_WORKDIR:-}" ] && [ -f "$PG_WORKDIR/data/postmaster.pid" ]; then
    run_pg "$PG_BIN/pg_ctl" -D "$PG_WORKDIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
  [ -n "${PG_WORKDIR:-}" ] && rm -rf "$PG_WORKDIR"
  PG_WORKDIR=""
}

start_throwaway_pg() {
  PG_BIN=$(find_pg_bin)
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL server binaries" >&2; return 1; }
  PG_WORKDIR=$(mktemp -d /tmp/pos-pg.XXXXXX)
  trap stop_throwaway_pg EXIT
  chmod 755 "$PG_WORKDIR"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PG_WORKDIR"
  fi
  local port
  port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  run_pg "$PG_BIN/initdb" -D "$PG_WORKDIR/data" -U postgres -A trust -E UTF8 --no-locale \
    >/dev/null || return 1
  run_pg "$PG_BIN/pg_ctl" -D "$PG_WORKDIR/data" -l "$PG_WORKDIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_WORKDIR -c max_connections=200 $*" \
    start >/dev/null || return 1
  PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}
