#!/usr/bin/env bash
# Prints the path of a project-local Python venv holding the independent PAdES judges and trust-service doubles the
# tests use (pyHanko and its certificate validator, and certomancer, whose Animator serves CRLs, OCSP and an RFC 3161
# TSA), and certomancer-csc-dummy (a Cloud Signature Consortium API v2 server for the remote-signing tests), installing
# the pinned versions from PyPI if needed. Under .data/tools (ignored), as the Temporal CLI is.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PINS=("pyHanko==0.38.0" "pyhanko-certvalidator==0.33.0" "pyhanko-cli==0.6.0" "certomancer[web-api]==0.16.0")
DEST="$ROOT/.data/tools/pades-venv"
# Added after the judges: installed into an existing venv beside them (stamped apart, so the judges are not rebuilt).
EXTRA=("certomancer-csc-dummy==0.4.0")
STAMP="$DEST/.pins"
EXTRA_STAMP="$DEST/.pins-extra"
if [[ -x "$DEST/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "${PINS[*]}" ]]; then
  if [[ -f "$EXTRA_STAMP" && "$(cat "$EXTRA_STAMP")" == "${EXTRA[*]}" ]]; then echo "$DEST"; exit 0; fi
  echo "Installing ${EXTRA[*]} into $DEST" >&2
  if "$DEST/bin/pip" install --quiet --disable-pip-version-check "${PINS[@]}" "${EXTRA[@]}" >&2; then
    echo "${EXTRA[*]}" > "$EXTRA_STAMP"; echo "$DEST"; exit 0
  fi
  echo "Could not install ${EXTRA[*]} into $DEST (pip install failed; it needs access to PyPI)." >&2
  exit 1
fi
echo "Installing the PAdES judges (${PINS[*]}) into $DEST" >&2
rm -rf "$DEST"
if python3 -m venv "$DEST" >&2 && "$DEST/bin/pip" install --quiet --disable-pip-version-check "${PINS[@]}" "${EXTRA[@]}" >&2; then
  echo "${EXTRA[*]}" > "$EXTRA_STAMP"
  echo "${PINS[*]}" > "$STAMP" # written last: a half-done install is redone next time
  echo "$DEST"; exit 0
fi
rm -rf "$DEST"
cat >&2 <<MSG
Could not install the PAdES judges into $DEST: 'python3 -m venv' and 'pip install ${PINS[*]} ${EXTRA[*]}' failed.
They need Python 3.9+ with venv (Debian: python3-venv) and access to PyPI.
MSG
exit 1
