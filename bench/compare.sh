#!/usr/bin/env bash
# Before/after of a change to the nightly run (issue 9): the same backfill nights from the same
# prepared state, run with the jars and conf/ of two git revisions alternately (A B A B ...) in one run, so
# the machine's drift hits both sides alike. Prints each run's time per warm night (every night
# after the first, which carries the JVM's warm-up) and the ratio of the medians, B / A.
#
#   bench/compare.sh 2c63c01 HEAD              # 3 pairs of 5 nights (2001-01-22..26): ~30 min on 2 cores
#   PAIRS=2 NIGHTS=3 bench/compare.sh A B      # quicker, coarser
#
# A single pair does not resolve a change of a few percent on a shared machine; three usually do.
set -euo pipefail
rev_a="${1:?usage: bench/compare.sh REV_A REV_B}"
rev_b="${2:?usage: bench/compare.sh REV_A REV_B}"
pairs="${PAIRS:-3}"
nights="${NIGHTS:-5}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

first_night=2001-01-22
last_night="$(date -d "$first_night + $((nights - 1)) days" +%F)"
landing="$root/data-samples/flights"
# the state both sides start from: 21 nights ingested, the first model trained (night 21: the
# first 14-day window of days with complete 7-day rates)
if [[ ! -d "$work/state-x1" ]]; then
  echo "bench: preparing the state (21 nights + first training)..." >&2
  run prepare-x1 "$work/state-x1" "$landing" backfill --from 2001-01-01 --to 2001-01-21 >/dev/null
fi

# build REV: the shaded jar built from REV in a throwaway worktree, and REV's conf/ beside it in
# $work/home-REV (each side runs with its own Spark settings, which a change may be about)
build() {
  local src="$work/src-$1"
  rm -rf "$src" "$work/home-$1"; git worktree prune
  git worktree add --detach -q "$src" "$1"
  (cd "$src" && mvn -B -q -DskipTests package) >&2
  cp "$src/jobs/target/nightcast.jar" "$work/nightcast-$1.jar"
  mkdir -p "$work/home-$1"; cp -a "$src/conf" "$work/home-$1/"
  git worktree remove --force "$src"
}
build "$rev_a"; build "$rev_b"
declare -A revs=([a]="$rev_a" [b]="$rev_b")

# warm_night LOG: wall seconds per night after the first: from the second night's first stage
# start to the last night's last stage end (stages of a night may overlap, so not their sum)
warm_night() {
  awk -v second="$(date -d "$first_night + 1 day" +%F)" -v last="$last_night" -v n="$((nights - 1))" '
    function secs(t) { split(t, p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
    $3 == "NightlyRun:" && $4 == second && $6 == "started" && !start { start = secs($1) }
    $3 == "NightlyRun:" && $4 == last && $6 == "done" { end = secs($1) }
    END { d = end - start; if (d < 0) d += 86400; printf "%.2f\n", d / n }' "$1"
}

declare -A warm
for ((k = 1; k <= pairs; k++)); do
  for side in a b; do
    rm -rf "$work/compare"; cp -a "$work/state-x1" "$work/compare"
    jar="$work/nightcast-${revs[$side]}.jar"  # the jar lib.sh's run submits, with that revision's conf/
    export NIGHTCAST_HOME="$work/home-${revs[$side]}"
    read -r seconds _ < <(run "compare-$side-$k" "$work/compare" "$landing" backfill --from "$first_night" --to "$last_night")
    night="$(warm_night "$work/compare-$side-$k.log")"
    warm[$side]+="$night "
    printf "  pair %d %s (%s): %6.1f s in all, %6.2f s per warm night\n" "$k" "$side" "${revs[$side]}" "$seconds" "$night"
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
median_a="$(echo "${warm[a]}" | median)"
median_b="$(echo "${warm[b]}" | median)"
echo
echo "nightcast before/after ($(date -u +%F), $(nproc) cores, local[2]): nights $first_night..$last_night, $pairs pairs"
printf "  median warm night: %s %.2f s, %s %.2f s, ratio %.2f\n" "$rev_a" "$median_a" "$rev_b" "$median_b" "$(echo "$median_b / $median_a" | bc -l)"
echo "  logs: $work"
