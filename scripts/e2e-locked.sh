#!/usr/bin/env bash
# Build and run the browser tests while holding a machine-wide lock, so several people (or agents)
# working in one checkout never test against each other's half-finished `.next` build.
# Usage: bash scripts/e2e-locked.sh [vitest filters...]
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
exec flock /tmp/facet-next-build.lock bash -c '
  npx next build >/tmp/facet-e2e-build.log 2>&1 || { tail -60 /tmp/facet-e2e-build.log; exit 1; }
  npx vitest run --project e2e "$@"' _ "$@"
