#!/usr/bin/env bash
# The tests check signatures with poppler's pdfsig, PDFs with qpdf, trust a test CA with NSS certutil, keep
# seal keys in a SoftHSM2 PKCS#11 token, build the EU DSS validator with Maven, and drive Debian's Chromium. Installs the Debian packages when run as root with apt; otherwise says what is missing.
set -euo pipefail
declare -A need=( [pdfsig]=poppler-utils [pdftotext]=poppler-utils [qpdf]=qpdf [certutil]=libnss3-tools [chromium]=chromium [softhsm2-util]=softhsm2 [pkcs11-tool]=opensc [mvn]=maven [javac]=openjdk-17-jdk-headless )
missing=()
for tool in "${!need[@]}"; do command -v "$tool" >/dev/null 2>&1 || missing+=("${need[$tool]}"); done
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
if (( ${#missing[@]} == 0 )); then exit 0; fi
pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages needed by the tests: $pkgs"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
else
  echo "MISSING TOOLS for the tests: install the Debian packages: $pkgs" >&2
  exit 1
fi
