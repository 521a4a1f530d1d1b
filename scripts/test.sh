#!/usr/bin/env bash
# Run the whole suite on SQLite and on a throwaway PostgreSQL this script starts and stops,
# with the screens' browser tests in Debian's Chromium.
#
# The server binaries come from Debian's `postgresql` package (installed here if missing);
# see scripts/throwaway-pg.sh for how the server is run (loopback only, a free port, a
# temporary folder). Under CI=true the PostgreSQL run is mandatory.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
source scripts/throwaway-pg.sh

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -z "$(find_pg_bin)" ]; then
  echo "test: installing Debian's postgresql server"
  as_root apt-get update -qq || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || true
fi

# The browser tests drive Debian's Chromium by its path (Playwright's own download cannot
# reach the internet here); under CI=true they fail rather than skip without it.
if ! command -v chromium >/dev/null 2>&1; then
  echo "test: installing Debian's chromium for the browser tests"
  as_root apt-get update -qq || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || true
fi

# The test server trades durability for speed: it is deleted afterwards anyway.
if start_throwaway_pg "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"; then
  export POS_TEST_POSTGRES_URL="$PG_URL"
elif [ "${CI:-}" = true ]; then
  echo "test: CI=true but no PostgreSQL server could be started" >&2
  exit 1
else
  echo "test: no PostgreSQL server; running on SQLite only"
fi

"$BIN/ruff" check .
"$BIN/lint-imports"
"$BIN/mypy"
# The slow groups (the browser flows, the API fuzz sharing its drawn requests) are sent to a
# worker first, so no long test is left for the end.
"$BIN/python" -m pytest -n 2 --dist loadgroup "$@"
