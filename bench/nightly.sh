#!/usr/bin/env bash
# How long a night takes, how much of it is start-up, what a backfill night costs, and how cost
# grows with data (issue 9). Every figure is a ratio against a baseline measured in this same run,
# because these machines are shared and noisy. Wall time and peak RSS come from /usr/bin/time.
#
#   bench/nightly.sh            # ~30-40 min on 2 cores
#   NIGHTS=3 SCALES="1 2" bench/nightly.sh   # quicker
#
# What it runs, all with the venv's real spark-submit on --master local[2]:
#   hello   spark-submit of `nightcast sql "select 1"` on an empty warehouse: session start,
#           one tiny job, stop (the floor any night pays)
#   cold    one night (2001-01-22, no training due) as its own application, from a prepared state
#   backfill NIGHTS nights (2001-01-22 ..) in one application, from the same prepared state
#   scale   the cold night at SCALES x the data (every flight copied with new keys)
set -euo pipefail
nights="${NIGHTS:-6}"
scales="${SCALES:-1 2 4}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

first_night=2001-01-22
last_night="$(date -d "$first_night + $((nights - 1)) days" +%F)"
last_flight="$(date -d "$last_night + 1 day" +%F)"

declare -A landing
for k in $scales; do
  if [[ "$k" == 1 ]]; then
    landing[$k]="$root/data-samples/flights"
  else
    landing[$k]="$work/flights-x$k"
    [[ -d "${landing[$k]}" ]] || data-samples/derive.sh 2001-01-01 "$last_flight" "${landing[$k]}" "$k" >/dev/null 2>&1
  fi
  # the state every measurement starts from: 21 nights ingested, the first model trained (night 21:
  # the first 14-day window of days with complete 7-day rates)
  if [[ ! -d "$work/state-x$k" ]]; then
    echo "bench: preparing the state at ${k}x (21 nights + first training)..." >&2
    run "prepare-x$k" "$work/state-x$k" "${landing[$k]}" backfill --from 2001-01-01 --to 2001-01-21 >/dev/null
  fi
done

fresh() { rm -rf "$2"; cp -a "$work/state-x$1" "$2"; }

read -r hello_s hello_mb < <(run hello "$work/empty" "${landing[1]}" sql "select 1")
fresh 1 "$work/cold"; read -r cold_s cold_mb < <(run cold "$work/cold" "${landing[1]}" run --date "$first_night")
fresh 1 "$work/backfill"; read -r backfill_s backfill_mb < <(run backfill "$work/backfill" "${landing[1]}" backfill --from "$first_night" --to "$last_night")

echo
echo "nightcast nightly benchmark ($(date -u +%F), $(nproc) cores, local[2])"
printf "  hello world (session + tiny job):   %6.1f s\n" "$hello_s"
printf "  cold single night %s:     %6.1f s  peak %s MB   start-up share %.2f\n" "$first_night" "$cold_s" "$cold_mb" "$(echo "$hello_s / $cold_s" | bc -l)"
per_night="$(echo "$backfill_s / $nights" | bc -l)"
printf "  backfill %d nights in one app:      %6.1f s  peak %s MB   per night %.1f s = %.2f x cold night\n" "$nights" "$backfill_s" "$backfill_mb" "$per_night" "$(echo "$per_night / $cold_s" | bc -l)"
for k in $scales; do
  [[ "$k" == 1 ]] && { base="$cold_s"; continue; }
  fresh "$k" "$work/cold-x$k"; read -r s mb < <(run "cold-x$k" "$work/cold-x$k" "${landing[$k]}" run --date "$first_night")
  printf "  cold night at %dx data:             %6.1f s  peak %s MB   time ratio %.2f (data ratio %d)\n" "$k" "$s" "$mb" "$(echo "$s / $base" | bc -l)" "$k"
done
echo "  stage shares (from the runs table):"
for state in cold backfill; do
  stage_shares "$work/$state" "$first_night" "$state"
done
echo "  logs: $work"
