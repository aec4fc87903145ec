#!/usr/bin/env bash
# The test command of the README: every test, against SQLite and PostgreSQL.
# PostgreSQL: uses TEST_DATABASE_URL when set; otherwise starts a throwaway server with
# scripts/pg-temp.sh when PostgreSQL is installed (apt-get install -y postgresql), and
# stops it afterwards. Without PostgreSQL the storage tests run on SQLite only (and say so).
set -euo pipefail
cd "$(dirname "$0")/.."
started=""
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    eval "$(scripts/pg-temp.sh start)"
    started="$PGTEMP_DIR"
    trap 'scripts/pg-temp.sh stop "$started"' EXIT
  else
    echo "note: PostgreSQL is not installed; storage tests run on SQLite only" >&2
  fi
fi
[ -n "${TEST_DATABASE_URL:-}" ] && echo "PostgreSQL tests: ${TEST_DATABASE_URL%%@*}@…" >&2
cargo test --workspace "$@"
