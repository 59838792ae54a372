#!/usr/bin/env bash
# `npm run bench:load`: holds the machine-wide build lock (so nobody rebuilds `.next` under the
# running servers), builds only if there is no build, then runs the bench.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
exec flock /tmp/facet-next-build.lock bash -c '
  [ -f .next/BUILD_ID ] || npx next build
  exec npx tsx bench/load/index.ts "$@"' _ "$@"
