#!/usr/bin/env bash
# What `nightcast maintain` does to a warehouse that ran for months (issue 30): on two copies of a
# backfilled state, one maintained, files and bytes per table before and after, and analyst queries'
# seconds on both copies in the same JVM (bench/MaintainBench.java).
#
#   STATE=/work/bench-state/six-month bench/maintain.sh [RETENTION_HOURS]
#
# STATE is a var dir a backfill left (warehouse/, postgres/, metastore/; e.g. bench/backfill.sh's
# $BENCH_DIR/state, or `NIGHTCAST_VAR_DIR=... bin/nightcast backfill --from 2001-01-01 --to 2001-06-29`).
# It is copied, never changed. A backfill's months of nights are written within an hour or two of wall
# clock, so the default retention here is 0 hours: what a week's retention does to a warehouse whose
# nights really were a week apart. Kept models still pin the versions they were trained from.
set -euo pipefail
state="${STATE:?set STATE to the var dir of a backfilled warehouse}"
retention="${1:-0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${BENCH_DIR:-$(mktemp -d /tmp/nightcast-maintain.XXXXXX)}"
[[ -d "$state/warehouse/flight_delay" ]] || { echo "maintain.sh: no $state/warehouse/flight_delay" >&2; exit 2; }

# cp -a keeps the files' times: VACUUM compares them (and the log's removal times) with now
rm -rf "$work/before" "$work/after"
cp -a "$state" "$work/before"
cp -a "$state" "$work/after"
pipeline="$work/pipeline.yaml"
cp "$root/conf/pipelines/flight_delay.yaml" "$pipeline"
printf '\nmaintenance:\n  retention_hours: %s\n' "$retention" >> "$pipeline"

export NIGHTCAST_HOME="$root" SPARK_LOCAL_IP=127.0.0.1
timing="$work/maintain.time"
NIGHTCAST_VAR_DIR="$work/after" NIGHTCAST_PG_PORT="${PG_PORT:-54393}" NIGHTCAST_LOG_DIR="$work/logs" \
  /usr/bin/time -o "$timing" -f "%e %M" "$root/bin/nightcast" maintain --pipeline "$pipeline" > "$work/maintain.out" 2> "$work/maintain.err" \
  || { cat "$work/maintain.err" >&2; echo "maintain.sh: nightcast maintain failed, see $work/maintain.err" >&2; exit 1; }
# bin/nightcast built the jar when it was missing or stale
classpath="$root/jobs/target/nightcast.jar:$(cat "$root/jobs/target/classpath-runtime.txt"):$(cat "$root/jobs/target/classpath-provided.txt")"
nights="$(ls "$state/warehouse/flight_delay/predictions" | grep -c '^ds=' || true)"

echo
echo "nightcast maintain benchmark ($(date -u +%F), $(nproc) cores, local[2]): $state, $nights nights of predictions, retention ${retention} h"
awk '{printf "  nightcast maintain: %.1f s, peak %.0f MB\n", $1, $2 / 1024}' "$timing"
sed 's/^/  /' "$work/maintain.out"
java -Xmx4g @"$root/conf/spark-java17.jvmopts" -Dlog4j.configurationFile="$root/conf/log4j2.properties" \
  -cp "$classpath" "$root/bench/MaintainBench.java" \
  "$work/before/warehouse/flight_delay" "$work/after/warehouse/flight_delay" 2> "$work/bench.err"
echo "  work dir: $work"
