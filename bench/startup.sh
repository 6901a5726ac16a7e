#!/usr/bin/env bash
# What class-data sharing saves each bin/nightcast start: the same commands alternately without
# and with the jar's class-data archive (NIGHTCAST_CLASS_ARCHIVE), PAIRS times, medians and their
# ratio from this one run (the machines are shared and noisy). ~6 min on 2 cores with PAIRS=2.
#
#   bench/startup.sh
#   PAIRS=3 BENCH_DIR=/tmp/startup bench/startup.sh
#
#   hello  `nightcast sql "select 1"` on an empty warehouse: JVM and Spark session start, one tiny job
#   night  `nightcast run --date 2001-01-01` on an empty warehouse: a whole first night (ingest,
#          validate, features; no model yet), with its embedded PostgreSQL
set -euo pipefail
pairs="${PAIRS:-2}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${BENCH_DIR:-$(mktemp -d /tmp/nightcast-startup.XXXXXX)}"
mkdir -p "$work"
cd "$root"
bin/nightcast --version >/dev/null  # builds the jar and writes its archive when either is missing or stale
archive="$root/jobs/target/nightcast.jsa"
[[ -f "$archive" ]] || { echo "bench: no class-data archive at $archive" >&2; exit 1; }

# timed LABEL ARCHIVE ARGS...: one bin/nightcast command on a fresh var dir, prints its seconds
timed() {
  local label="$1" class_archive="$2"; shift 2
  rm -rf "$work/var"
  NIGHTCAST_VAR_DIR="$work/var" NIGHTCAST_PG_PORT="${PG_PORT:-54393}" NIGHTCAST_CLASS_ARCHIVE="$class_archive" \
    /usr/bin/time -o "$work/$label.time" -f "%e" bin/nightcast "$@" > "$work/$label.log" 2>&1 \
    || { echo "bench: $label failed, see $work/$label.log" >&2; exit 1; }
  cat "$work/$label.time"
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "nightcast start-up benchmark ($(date -u +%F), $(nproc) cores, bin/nightcast on local[2], $pairs pairs)"
for command in hello night; do
  if [[ "$command" == hello ]]; then args=(sql "select 1"); else args=(run --date 2001-01-01); fi
  without=() with=()
  for ((i = 1; i <= pairs; i++)); do
    without+=("$(timed "$command-without-$i" "" "${args[@]}")")
    with+=("$(timed "$command-with-$i" "$archive" "${args[@]}")")
  done
  a="$(printf '%s\n' "${without[@]}" | median)" b="$(printf '%s\n' "${with[@]}" | median)"
  printf "  %-6s without archive %6.1f s (%s)   with %6.1f s (%s)   = %.2fx\n" \
    "$command" "$a" "${without[*]}" "$b" "${with[*]}" "$(echo "$b / $a" | bc -l)"
done
echo "  archive: $(du -m "$archive" | cut -f1) MB; logs: $work"
