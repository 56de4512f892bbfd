#!/usr/bin/env bash
# Prints the folder holding the real Temporal server (`server`) and its SQL schema tool (`sql`), pinned to
# v1.32.2, building them project-locally with Go when missing (about 7 minutes on 2 cores). v1.32.2 needs
# Go >= 1.26.10: GOTOOLCHAIN fetches the pinned go1.27.3 from the Go proxy when the installed Go is older.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION=1.32.2
DEST="$ROOT/.data/tools/temporal-server-$VERSION"
if [[ -x "$DEST/server" && -x "$DEST/sql" ]]; then echo "$DEST"; exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  echo "The Temporal server $VERSION is not built in $DEST and Go is not installed: install Go (>= 1.21, which can fetch toolchains), then run again." >&2
  exit 1
fi
echo "Building the Temporal server $VERSION and its SQL tool into $DEST (about 7 minutes)..." >&2
mkdir -p "$DEST"
GOTOOLCHAIN=go1.27.3 GOBIN="$DEST" go install \
  "go.temporal.io/server/cmd/server@v$VERSION" "go.temporal.io/server/cmd/tools/sql@v$VERSION" >&2
echo "$DEST"
