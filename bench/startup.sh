#!/usr/bin/env bash
# What class-data sharing saves each start: the same commands alternately without and with a
# class-data archive, PAIRS times, medians and their ratio from this one run (the machines are
# shared and noisy). Both ways nightcast starts: bin/nightcast (local mode, the jar's archive that
# it writes itself) and spark-submit (the driver archive of bin/driver-archive, which the Airflow
# DAG takes from NIGHTCAST_DRIVER_CLASS_ARCHIVE). ~12 min on 2 cores with PAIRS=2.
#
#   bench/startup.sh
#   PAIRS=3 BENCH_DIR=/tmp/startup bench/startup.sh
#
#   hello  `nightcast sql "select 1"` on an empty warehouse: JVM and Spark session start, one tiny job
#   night  `nightcast run --date 2001-01-01` on an empty warehouse: a whole first night (ingest with
#          its checks and profile, features; no model yet), with its embedded PostgreSQL
set -euo pipefail
pairs="${PAIRS:-2}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
landing="$root/data-samples/flights"
bin/nightcast --version >/dev/null  # writes the jar's archive when it is missing or older than the jar
local_archive="$root/jobs/target/nightcast.jsa"
driver_archive="$(bin/driver-archive "$work/driver.jsa")"

# local_run LABEL ARCHIVE ARGS...: one bin/nightcast command on a fresh var dir, prints its seconds
local_run() {
  local label="$1" archive="$2"; shift 2
  rm -rf "$work/var"
  NIGHTCAST_VAR_DIR="$work/var" NIGHTCAST_PG_PORT="${PG_PORT:-54390}" NIGHTCAST_CLASS_ARCHIVE="$archive" \
    /usr/bin/time -o "$work/$label.time" -f "%e" bin/nightcast "$@" > "$work/$label.log" 2>&1 \
    || { echo "bench: $label failed, see $work/$label.log" >&2; exit 1; }
  cat "$work/$label.time"
}

# submit_run LABEL ARCHIVE ARGS...: the same through spark-submit (bench/lib.sh), prints its seconds
submit_run() {
  local label="$1" archive="$2"; shift 2
  rm -rf "$work/var"
  DRIVER_JAVA_OPTS="${archive:+-XX:SharedArchiveFile=$archive -Xlog:cds*=off}" run "$label" "$work/var" "$landing" "$@" | cut -d' ' -f1
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "nightcast start-up benchmark ($(date -u +%F), $(nproc) cores, local[2], $pairs pairs)"
for launcher in local submit; do
  if [[ "$launcher" == local ]]; then archive="$local_archive"; else archive="$driver_archive"; fi
  for command in hello night; do
    if [[ "$command" == hello ]]; then args=(sql "select 1"); else args=(run --date 2001-01-01); fi
    without=() with=()
    for ((i = 1; i <= pairs; i++)); do
      without+=("$("${launcher}_run" "$launcher-$command-without-$i" "" "${args[@]}")")
      with+=("$("${launcher}_run" "$launcher-$command-with-$i" "$archive" "${args[@]}")")
    done
    a="$(printf '%s\n' "${without[@]}" | median)" b="$(printf '%s\n' "${with[@]}" | median)"
    printf "  %-6s %-6s without archive %6.1f s (%s)   with %6.1f s (%s)   = %.2fx\n" \
      "$launcher" "$command" "$a" "${without[*]}" "$b" "${with[*]}" "$(echo "$b / $a" | bc -l)"
  done
done
echo "  archives: $(du -m "$local_archive" | cut -f1) MB (bin/nightcast), $(du -m "$driver_archive" | cut -f1) MB (driver); logs: $work"
