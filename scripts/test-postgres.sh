#!/usr/bin/env bash
# A private, throw-away PostgreSQL 15 for the tests: its own data folder under a fresh temp folder,
# listening on 127.0.0.1 only, on a free port.
#
#   eval "$(scripts/test-postgres.sh start)"   # exports FAILSAFE_TEST_POSTGRES and FAILSAFE_TEST_POSTGRES_DIR
#   dotnet test tests/Failsafe.ControlPlane.Tests
#   scripts/test-postgres.sh stop              # stops it and deletes the folder ($FAILSAFE_TEST_POSTGRES_DIR)
#
# start prints only the export lines on standard output (diagnostics go to standard error). The server runs as the
# user postgres, with fsync off: it is for tests, and everything in it is gone when it stops.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
ROLE=failsafe_test
STARTING=""

die() { echo "test-postgres.sh: $*" >&2; exit 1; }

as_postgres() { runuser -u postgres -- "$@"; }

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  [ "$(id -u)" -eq 0 ] || die "run as root: the server runs as the user postgres"
  [ -x "$PG_BIN/pg_ctl" ] || die "$PG_BIN/pg_ctl is missing; install it with: apt-get install -y postgresql"
  id postgres >/dev/null 2>&1 || die "there is no user postgres; install it with: apt-get install -y postgresql"

  # If anything below fails, or the run is interrupted, leave nothing behind.
  trap 'if [ -n "$STARTING" ]; then stop_dir "$STARTING" >/dev/null 2>&1 || true; fi' EXIT
  trap 'exit 130' INT TERM
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/failsafe-postgres.XXXXXX")"
  STARTING="$dir"
  chmod 0755 "$dir"
  chown postgres: "$dir"

  local password
  password="$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')"

  as_postgres "$PG_BIN/initdb" --pgdata="$dir/data" --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

  # A port found free can be taken before the server binds it: try another then.
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    port_is_free "$port" || continue
    if as_postgres "$PG_BIN/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=30 --silent \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB" start >&2; then
      break
    fi
    port=""
  done
  [ -n "$port" ] || { cat "$dir/server.log" >&2 || true; die "the server did not start (see above)"; }

  # The tests' role makes a database per test class, so it may create databases; it is no superuser.
  as_postgres "$PG_BIN/psql" --host="$dir" --port="$port" --username=postgres --dbname=postgres --quiet \
    --set=ON_ERROR_STOP=1 --set=password="$password" >&2 <<SQL
CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD :'password';
CREATE DATABASE $ROLE OWNER $ROLE;
SQL

  STARTING=""
  echo "export FAILSAFE_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=$ROLE;Password=$password;Database=$ROLE'"
  echo "export FAILSAFE_TEST_POSTGRES_DIR='$dir'"
}

stop_dir() {
  local dir="$1"
  case "$dir" in
    */failsafe-postgres.*) ;;
    *) die "refusing to remove '$dir': not a folder this script made" ;;
  esac
  [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait --silent stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop_dir "${2:-${FAILSAFE_TEST_POSTGRES_DIR:?give the folder start printed, or set FAILSAFE_TEST_POSTGRES_DIR}}" ;;
  *) echo "usage: $0 start | stop [FOLDER]" >&2; exit 2 ;;
esac
