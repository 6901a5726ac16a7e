#!/usr/bin/env bash
# What a long backfill costs (issue 9): every night FROM..TO in one application from an empty
# warehouse (training every retrain_every_days included), then the last night and the last night
# that trained re-run each as its own cold application on the state the backfill left, and a Spark
# hello world, all in this run. Two ratios: per backfill night against the cold night without
# training, and like for like, the backfill against the same nights run one by one cold (the
# nights without training at the first cold figure, those that trained at the second).
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
trained="$(sed -nE 's/.*NightlyRun: ([0-9-]+) train: started$/\1/p' "$work/backfill.log")"
trainings="$(echo "$trained" | grep -c . || true)"
last_trained="$(echo "$trained" | tail -n 1)"
per_night="$(echo "$backfill_s / $nights" | bc -l)"
if [[ -n "$last_trained" ]]; then
  # the last training night, re-run: its retraining is due again (the one before it is 7 days older)
  read -r cold_train_s cold_train_mb < <(run cold-train "$work/state" "$landing" run --date "$last_trained")
  grep -q "$last_trained train: started" "$work/cold-train.log" || { echo "bench: the re-run of $last_trained did not train" >&2; exit 1; }
  one_by_one="$(echo "($nights - $trainings) * $cold_s + $trainings * $cold_train_s" | bc -l)"
  printf -v cold_train_line "  cold training night %s:   %7.1f s  peak %s MB (a re-run: ingest to monitor, with training)" \
    "$last_trained" "$cold_train_s" "$cold_train_mb"
  printf -v like_line "  like for like: the backfill / the same nights run cold (%d x %.1f s + %d x %.1f s = %.0f s) = %.2f x" \
    "$((nights - trainings))" "$cold_s" "$trainings" "$cold_train_s" "$one_by_one" "$(echo "$backfill_s / $one_by_one" | bc -l)"
else
  cold_train_line="  cold training night: none, no night of $from..$to trained (training needs its window's labelled days)"
  like_line="  like for like: as per backfill night (no training)"
fi

echo
echo "nightcast backfill benchmark ($(date -u +%F), $(nproc) cores, local[2]): $from .. $to"
printf "  hello world (session + tiny job):   %7.1f s\n" "$hello_s"
printf "  cold single night %s:     %7.1f s  peak %s MB (a re-run as its own application)\n" "$to" "$cold_s" "$cold_mb"
echo "$cold_train_line"
printf "  backfill of %d nights, one app:    %7.1f s  peak %s MB   %d trainings\n" "$nights" "$backfill_s" "$backfill_mb" "$trainings"
printf "  per backfill night:                 %7.1f s = %.2f x the cold night\n" "$per_night" "$(echo "$per_night / $cold_s" | bc -l)"
echo "$like_line"
echo "  stage shares over the backfill (from the runs table):"
echo "$shares"
echo "  logs: $work"
