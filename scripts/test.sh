#!/usr/bin/env bash
# `npm test`: every test, against the real components (Temporal dev server, PostgreSQL, SMTP, pdfsig, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing npm packages (npm ci)..."
  npm ci --no-audit --no-fund
fi
bash scripts/ensure-system-tools.sh
bash scripts/ensure-temporal.sh >/dev/null
bash scripts/ensure-pades-tools.sh >/dev/null
bash scripts/ensure-dss-tools.sh >/dev/null
npx tsc --noEmit -p tsconfig.json
mkdir -p .data && rm -f .data/test-results.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile=.data/test-results.json "$@" || status=$?
if [[ -f .data/test-results.json ]]; then
  node scripts/test-summary.cjs .data/test-results.json || status=1
else
  echo "No test report was written." >&2
  status=1
fi
exit $status
