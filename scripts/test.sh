#!/usr/bin/env bash
# `npm test`: type check, production build, then every vitest project (unit, db-sqlite,
# db-postgresql, e2e). PostgreSQL: FACET_TEST_PG_URL if set, else a throwaway local cluster
# when PostgreSQL is installed (FACET_REQUIRE_PG=1 makes its absence an error, as in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1

if [ -z "${FACET_TEST_PG_URL:-}" ]; then
  # shellcheck source=scripts/pg-throwaway.sh
  source scripts/pg-throwaway.sh
  if pg_throwaway_start; then
    trap pg_throwaway_stop EXIT
  elif [ "${FACET_REQUIRE_PG:-0}" = 1 ]; then
    exit 1
  else
    echo "WARNING: PostgreSQL not found; the db-postgresql suite is skipped (CI runs it)." >&2
  fi
fi

echo "== type check"
npx tsc --noEmit -p .
echo "== production build (for the browser tests)"
npx next build >/tmp/facet-test-build.log 2>&1 || { tail -50 /tmp/facet-test-build.log; exit 1; }
echo "== tests"
npx vitest run "$@"
