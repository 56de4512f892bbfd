#!/usr/bin/env bash
# `npm run cluster`: the production topology on this machine without Docker (scripts/cluster.ts): the real
# Temporal server split into its services, PostgreSQL, two workers and two web servers, then the lifecycle
# benchmark with one worker, two, and a history process killed.
set -euo pipefail
cd "$(dirname "$0")/.."
# Only when absent: a worktree whose node_modules links to another checkout's must not have npm ci empty it.
if [[ ! -e node_modules ]]; then
  echo "Installing npm packages (npm ci)..."
  npm ci --no-audit --no-fund
fi
TEMPORAL_SERVER_DIR="$(bash scripts/ensure-temporal-server.sh)"
# The schema files ship in the server module's source, which `go install` left in the module cache.
TEMPORAL_SCHEMA_DIR="$(go env GOMODCACHE)/go.temporal.io/server@v1.32.2/schema/postgresql/v12"
if [[ ! -d "$TEMPORAL_SCHEMA_DIR" ]]; then
  GOTOOLCHAIN=go1.27.3 go mod download go.temporal.io/server@v1.32.2 >&2
fi
TEMPORAL_CLI="$(bash scripts/ensure-temporal.sh)"
export TEMPORAL_SERVER_DIR TEMPORAL_SCHEMA_DIR TEMPORAL_CLI
exec node --import tsx scripts/cluster.ts
