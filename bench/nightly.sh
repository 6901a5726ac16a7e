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
#   cold    one night (2001-01-15, no training due) as its own application, from a prepared state
#   backfill NIGHTS nights (2001-01-15 ..) in one application, from the same prepared state
#   scale   the cold night at SCALES x the data (every flight copied with new keys)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nights="${NIGHTS:-6}"
scales="${SCALES:-1 2 4}"
work="${BENCH_DIR:-$(mktemp -d /tmp/nightcast-bench.XXXXXX)}"
mkdir -p "$work"
cd "$root"

bin/setup-python >/dev/null
mvn -B -q -DskipTests package
spark_submit="$root/.venv/bin/spark-submit"
jar="$root/jobs/target/nightcast.jar"
# the venv's pyspark is the Spark distribution (its spark-submit needs SPARK_HOME outside an activated venv)
export SPARK_HOME="$("$root/.venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
export NIGHTCAST_HOME="$root" SPARK_LOCAL_IP=127.0.0.1

# run LABEL VAR_DIR LANDING ARGS...: one spark-submit, prints "seconds peak_rss_mb" to stdout
run() {
  local label="$1" var="$2" landing="$3"; shift 3
  local timing="$work/$label.time"
  NIGHTCAST_VAR_DIR="$var" NIGHTCAST_LANDING="$landing" NIGHTCAST_PG_PORT="${PG_PORT:-54390}" \
    /usr/bin/time -o "$timing" -f "%e %M" \
    "$spark_submit" --master 'local[2]' --driver-memory 6g \
      --driver-java-options "-Dlog4j.configurationFile=$root/conf/log4j2.properties" \
      --class dev.nightcast.cli.Nightcast "$jar" "$@" > "$work/$label.log" 2>&1 \
    || { echo "bench: $label failed, see $work/$label.log" >&2; exit 1; }
  awk '{printf "%.1f %.0f\n", $1, $2/1024}' "$timing"
}

first_night=2001-01-15
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
  # the state every measurement starts from: 14 nights ingested, the first model trained
  if [[ ! -d "$work/state-x$k" ]]; then
    echo "bench: preparing the state at ${k}x (14 nights + first training)..." >&2
    run "prepare-x$k" "$work/state-x$k" "${landing[$k]}" backfill --from 2001-01-01 --to 2001-01-14 >/dev/null
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
  NIGHTCAST_VAR_DIR="$work/$state" NIGHTCAST_PG_PORT="${PG_PORT:-54390}" "$root/bin/nightcast" sql --tsv \
    "select stage, round(sum(unix_micros(ended_at) - unix_micros(started_at)) / 1e6, 1) as seconds,
            round(sum(unix_micros(ended_at) - unix_micros(started_at)) / (select sum(unix_micros(ended_at) - unix_micros(started_at)) from runs where ds >= '$first_night'), 2) as share
     from runs where ds >= '$first_night' group by stage order by seconds desc" 2>/dev/null \
    | sed "s/^/    $state\t/"
done
echo "  logs: $work"
