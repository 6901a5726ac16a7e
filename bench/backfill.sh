#!/usr/bin/env bash
# What a long backfill costs (issue 9): every night FROM..TO in one application from an empty
# warehouse (training every retrain_every_days included), then the last night re-run as its own
# cold application on the state the backfill left, and a Spark hello world, all in this run.
#
#   bench/backfill.sh                          # Jan-Jun 2001: 180 nights, about 1 h on 2 cores
#   bench/backfill.sh 2001-01-01 2001-01-31    # a month
#
# The Jan-Jun drops are derived once with data-samples/derive.sh (about 1.5 min) into
# $BENCH_DIR/flights. The schedule drop of night D is dated D+1, so the last night is 2001-06-29.
set -euo pipefail
from="${1:-2001-01-01}"
to="${2:-2001-06-29}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

landing="$work/flights"
[[ -d "$landing" ]] || data-samples/derive.sh "$from" "$(date -d "$to + 1 day" +%F)" "$landing" >/dev/null 2>&1
nights=$(( ($(date -d "$to" +%s) - $(date -d "$from" +%s)) / 86400 + 1 ))

read -r hello_s _ < <(run hello "$work/empty" "$landing" sql "select 1")
rm -rf "$work/state"
read -r backfill_s backfill_mb < <(run backfill "$work/state" "$landing" backfill --from "$from" --to "$to")
shares="$(stage_shares "$work/state" "$from" backfill)"
read -r cold_s cold_mb < <(run cold "$work/state" "$landing" run --date "$to")
trainings="$(grep -c ' train: due' "$work/backfill.log" || true)"
per_night="$(echo "$backfill_s / $nights" | bc -l)"

echo
echo "nightcast backfill benchmark ($(date -u +%F), $(nproc) cores, local[2]): $from .. $to"
printf "  hello world (session + tiny job):   %7.1f s\n" "$hello_s"
printf "  cold single night %s:     %7.1f s  peak %s MB (a re-run as its own application)\n" "$to" "$cold_s" "$cold_mb"
printf "  backfill of %d nights, one app:    %7.1f s  peak %s MB   %d trainings\n" "$nights" "$backfill_s" "$backfill_mb" "$trainings"
printf "  per backfill night:                 %7.1f s = %.2f x the cold night\n" "$per_night" "$(echo "$per_night / $cold_s" | bc -l)"
echo "  stage shares over the backfill (from the runs table):"
echo "$shares"
echo "  logs: $work"
