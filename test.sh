#!/usr/bin/env bash
# Installs what the tests need, builds once, runs every test suite, and ends with one line:
#   Tests: N passed, N failed, N skipped
# Exits non-zero if any test failed or a suite could not run.
set -uo pipefail
cd "$(dirname "$0")"

CONFIGURATION="${CONFIGURATION:-Release}"
RESULTS="$(pwd)/TestResults"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

need() { command -v "$1" >/dev/null 2>&1; }
missing=()
need setsid || missing+=(util-linux)
# The Prometheus metric source is tested against a real Prometheus; the tests start their own.
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
# The store tests also run against a real PostgreSQL 15; scripts/test-postgres.sh starts a private one below.
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || missing+=(postgresql-15)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # The package starts its own Prometheus on :9090; the tests do not need it.
  if [[ " ${missing[*]} " == *" prometheus "* ]]; then
    (systemctl stop prometheus || service prometheus stop || pkill -x prometheus) >/dev/null 2>&1 || true
  fi
fi

echo "== build ($CONFIGURATION)"
if ! dotnet build Failsafe.sln -c "$CONFIGURATION" --nologo -v q -clp:ErrorsOnly; then
  echo "Tests: 0 passed, 1 failed, 0 skipped (the build failed)"
  exit 1
fi

echo "== style (dotnet format --verify-no-changes)"
format_failed=0
if ! dotnet format Failsafe.sln --verify-no-changes --no-restore -v q; then
  echo "test.sh: 'dotnet format' would change files; run 'dotnet format Failsafe.sln'"
  format_failed=1
fi

echo "== postgresql (a private server for the store tests, stopped on every exit)"
postgres_dir=""
stop_postgres() {
  if [ -n "$postgres_dir" ]; then scripts/test-postgres.sh stop "$postgres_dir"; postgres_dir=""; fi
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if postgres_env="$(scripts/test-postgres.sh start)"; then
  eval "$postgres_env"
  postgres_dir="$FAILSAFE_TEST_POSTGRES_DIR"
  echo "PostgreSQL on 127.0.0.1:$(echo "$FAILSAFE_TEST_POSTGRES" | sed -n 's/.*Port=\([0-9]*\).*/\1/p') ($postgres_dir)"
else
  echo "test.sh: could not start PostgreSQL; the PostgreSQL tests will fail"
fi

passed=0; failed=$format_failed; skipped=0; broken=0
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  [ "$name" = "Failsafe.Tests.Common" ] && continue
  echo "== $name"
  dotnet test "$project" -c "$CONFIGURATION" --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" -- RunConfiguration.TestSessionTimeout=1500000
  trx="$RESULTS/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "test.sh: $name produced no results"; broken=$((broken + 1)); continue
  fi
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${total:-0} - ${executed:-0}))
done

failed=$((failed + broken))
echo "Tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
