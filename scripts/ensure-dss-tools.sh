#!/usr/bin/env bash
# Prints the folder of the EU DSS validator judge the tests use (lib/testing/dss-judge: DssJudge.java on DSS's Maven
# classpath), building it if needed: Maven resolves the pinned DSS modules into ~/.m2, the classpath is written to a
# file and the one class compiled. Under .data/tools (ignored), as the pyHanko venv is. Run from the classpath, not a
# shaded jar: shading drops DSS's META-INF/services files and DSS then finds no PDF implementation.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/lib/testing/dss-judge"
VERSION="$(sed -n 's:.*<dss.version>\(.*\)</dss.version>.*:\1:p' "$SRC/pom.xml")"
DEST="$ROOT/.data/tools/dss-$VERSION"
STAMP="$DEST/.stamp"
want="$(cat "$SRC/pom.xml" "$SRC/DssJudge.java" | sha256sum | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" && -f "$DEST/classpath" && -f "$DEST/classes/DssJudge.class" ]] \
  && tr ':' '\n' < "$DEST/classpath" | while read -r jar; do [[ -f "$jar" ]] || exit 1; done; then
  echo "$DEST"; exit 0
fi
fail() {
  cat >&2 <<MSG
Could not build the EU DSS judge into $DEST: $1.
It needs Maven (mvn) and a JDK 17+ (javac), and access to Maven Central the first time (then ~/.m2 is enough).
MSG
  exit 1
}
command -v mvn >/dev/null || fail "mvn is not installed (Debian: maven)"
command -v javac >/dev/null || fail "javac is not installed (Debian: openjdk-17-jdk-headless)"
echo "Building the EU DSS judge (DSS $VERSION) into $DEST" >&2
rm -rf "$DEST" && mkdir -p "$DEST/classes"
# Offline first: once ~/.m2 holds the modules, no network is needed.
cp_args=(-q -B -f "$SRC/pom.xml" dependency:build-classpath "-Dmdep.outputFile=$DEST/classpath")
mvn -o "${cp_args[@]}" >/dev/null 2>&1 || mvn "${cp_args[@]}" > "$DEST/mvn.log" 2>&1 \
  || { cat "$DEST/mvn.log" >&2; fail "Maven could not resolve the DSS modules"; }
javac -nowarn -encoding UTF-8 -d "$DEST/classes" -cp "$(cat "$DEST/classpath")" "$SRC/DssJudge.java" >&2 || fail "javac failed"
echo "$want" > "$STAMP" # written last: a half-done build is redone next time
echo "$DEST"
