#!/usr/bin/env bash
# Drift of the full Jan-Jun 2001 flights (~3M rows) against a one-month reference, vs a plain scan
# of the same columns in the same run; prints seconds and the ratio (goal: at most 3x).
#   data-samples/derive.sh 2001-01-01 2001-06-30 /tmp/flights-full   # once, ~1-2 min
#   bench/drift.sh /tmp/flights-full
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${1:-/tmp/flights-full}"
[[ -d "$data/actuals" ]] || { echo "drift.sh: no $data/actuals (derive it: data-samples/derive.sh 2001-01-01 2001-06-30 $data)" >&2; exit 2; }
jar="$root/jobs/target/nightcast.jar"
classpath_files=("$root/jobs/target/classpath-runtime.txt" "$root/jobs/target/classpath-provided.txt")
if [[ ! -f "$jar" || ! -f "${classpath_files[1]}" || -n "$(find "$root/jobs/src/main" -newer "$jar" -print -quit)" ]]; then
  (cd "$root" && mvn -B -q -DskipTests package) >&2
fi
exec java -Xmx4g @"$root/conf/spark-java17.jvmopts" -Dlog4j.configurationFile="$root/conf/log4j2.properties" \
  -cp "$jar:$(cat "${classpath_files[0]}"):$(cat "${classpath_files[1]}")" "$root/bench/DriftBench.java" "$data"
