#!/usr/bin/env bash
# Crash consistency (issue 10): SIGKILL the nightly run at random moments of every stage, re-run
# the night, and compare every Delta table and the serving table with a clean run of the same
# night; a reader polls the serving view the whole time and counts partial or mixed reads.
#
#   bench/crash.sh                 # 20 kills, ~40 min on 2 cores
#   TRIALS=8 CRASH_SEED=7 bench/crash.sh
#   CRASH_BUDGET_MIN=60 bench/crash.sh   # start no trial after 60 min (a loaded machine); reports the trials done
#
# Setup, all in a work dir of its own (CRASH_DIR, default a fresh /tmp dir; port CRASH_PG_PORT):
#   - a cheap variant of conf/pipelines/flight_delay.yaml: 3-day training window, 1-day delay rates
#     (the 2nd is the first day with complete history), the logistic baseline alone, retraining
#     every night (so the night under test runs every stage)
#   - the serving database as its own process (`nightcast db start`, embedded), as in production,
#     so the reader keeps polling while runs are killed; runs reach it by URL (production-shaped profile)
#   - history 2001-01-01..04 (the first model is trained and published on the 4th), then the
#     night under test 2001-01-05 once cleanly: the reference
# Each trial restores the warehouse to the history, rolls the serving view back to the 4th's
# version, starts the night, kills it (kill -9) at a random moment inside one stage (stages taken
# in turn; once the stage has started, after a random share of its duration in the clean run),
# re-runs it, and compares.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
trials="${TRIALS:-20}"
budget_s=$((${CRASH_BUDGET_MIN:-1000000} * 60))
RANDOM="${CRASH_SEED:-42}"
port="${CRASH_PG_PORT:-54371}"
work="${CRASH_DIR:-$(mktemp -d /tmp/nightcast-crash.XXXXXX)}"
night=2001-01-05
previous=2001-01-04
view=serving.flight_delay_predictions
cd "$root"

jar="$root/jobs/target/nightcast.jar"
if [[ ! -f "$jar" || ! -f jobs/target/classpath-provided.txt || -n "$(find jobs/src/main sql pom.xml jobs/pom.xml -newer "$jar" -print -quit)" ]]; then
  mvn -B -q -DskipTests -Dgit.commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)" package >&2
fi
# a private copy: editing the sources while this runs must not rebuild the jar under the runs
mkdir -p "$work/app" "$work/trials" "$work/logs"
cp "$jar" "$work/app/nightcast.jar"
classpath="$work/app/nightcast.jar:$(cat jobs/target/classpath-runtime.txt):$(cat jobs/target/classpath-provided.txt)"
export NIGHTCAST_HOME="$root" SPARK_LOCAL_IP=127.0.0.1 NIGHTCAST_PG_USER=postgres NIGHTCAST_PG_PASSWORD=unused-by-the-embedded-server
java_cmd=(java -Xmx2g @"$root/conf/spark-java17.jvmopts" -Dlog4j.configurationFile="$root/conf/log4j2.properties" -cp "$classpath")
nightcast=("${java_cmd[@]}" dev.nightcast.cli.Nightcast)
probe=("${java_cmd[@]}" "$root/bench/CrashProbe.java")
url="jdbc:postgresql://localhost:$port/postgres"
sql() { psql -h localhost -p "$port" -U postgres -d postgres -Atc "$1"; }
# row count and digest of every row of the serving view, in key order
serving_digest() { sql "SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY flight_id)) FROM $view t"; }

python3 - "$root/conf/pipelines/flight_delay.yaml" "$work/pipeline.yaml" <<'EOF'
import sys, yaml
pipeline = yaml.safe_load(open(sys.argv[1]))
pipeline["training"].update(window_days=3, validation_days=0.3, test_days=0.3, retrain_every_days=1)
for feature in pipeline["features"]:
    if "history" in feature:
        feature["history"]["days"] = 1
pipeline["candidates"] = [c for c in pipeline["candidates"] if c.get("baseline")]
pipeline["gate"]["thresholds"] = {"auc": 0.5}
pipeline["gate"].pop("slices", None)
yaml.safe_dump(pipeline, open(sys.argv[2], "w"), sort_keys=False)
EOF
cat > "$work/env.yaml" <<EOF
warehouse: $work/warehouse
landing: $root/data-samples/flights
spark:
  master: local[2]
  conf: {spark.sql.shuffle.partitions: "4", spark.ui.enabled: "false"}
postgres: {url: "$url", user_env: NIGHTCAST_PG_USER, password_env: NIGHTCAST_PG_PASSWORD}
EOF
cat > "$work/db.yaml" <<EOF
warehouse: $work/warehouse
landing: $root/data-samples/flights
spark: {master: "local[1]"}
postgres: {embedded: {data_dir: $work/postgres, port: $port}}
EOF
opts=(--pipeline "$work/pipeline.yaml" --env "$work/env.yaml")

stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
pids=()
cleanup() {
  touch "$work/stop-reader"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

"${nightcast[@]}" db start --env "$work/db.yaml" > "$work/logs/db.log" 2>&1 &
pids+=($!)
until grep -q "serving database up" "$work/logs/db.log"; do
  kill -0 "${pids[0]}" 2>/dev/null || { echo "crash.sh: the serving database did not start, see $work/logs/db.log" >&2; exit 1; }
  sleep 1
done

echo "crash.sh: history 2001-01-01..$previous (work dir $work)" >&2
"${nightcast[@]}" backfill "${opts[@]}" --from 2001-01-01 --to "$previous" > "$work/logs/history.log" 2>&1 \
  || { echo "crash.sh: history failed, see $work/logs/history.log" >&2; exit 1; }
cp -a "$work/warehouse" "$work/history"

rm -f "$work/stop-reader"
"${probe[@]}" reader "$url" "$view" "$work/stop-reader" "$work/reader.txt" > "$work/logs/reader.log" 2>&1 &
pids+=($!)

# run_night LOG: runs the night in the background with time-stamped log lines; sets $pid and $began
run_night() {
  began="$EPOCHREALTIME"
  "${nightcast[@]}" run "${opts[@]}" --date "$night" > >(stamp > "$1") 2>&1 &
  pid=$!
}

# rolls the serving view back until it shows the history's last night again
roll_back() {
  for _ in 1 2 3 4; do
    [[ "$(sql "select min(ds) from $view")" == "$previous" ]] && return 0
    "${nightcast[@]}" publish rollback "${opts[@]}" >> "$work/logs/rollback.log" 2>&1
  done
  echo "crash.sh: cannot roll the serving view back to $previous, see $work/logs/rollback.log" >&2
  exit 1
}

echo "crash.sh: clean reference run of $night" >&2
run_night "$work/logs/reference.log"
wait "$pid" || { echo "crash.sh: the reference night failed, see $work/logs/reference.log" >&2; exit 1; }
ended="$EPOCHREALTIME"
reference_serving="$(serving_digest)"
mv "$work/warehouse" "$work/reference"

# the clean run's timeline: seconds from launch at which each stage started, and the end
stages=(startup)
starts=(0)
while read -r at stage; do
  stages+=("$stage")
  starts+=("$(echo "$at - $began" | bc -l)")
done < <(awk '/NightlyRun: [0-9-]+ [a-z]+: started$/ {sub(":", "", $6); print $1, $6}' "$work/logs/reference.log")
total="$(echo "$ended - $began" | bc -l)"
starts+=("$total")
echo "crash.sh: reference night took ${total%.*} s; stages: ${stages[*]}" >&2

results=()
for ((k = 1; k <= trials; k++)); do
  if ((SECONDS > budget_s)); then
    echo "crash.sh: time budget of ${CRASH_BUDGET_MIN} min used up after $((k - 1)) trials" >&2
    trials=$((k - 1))
    break
  fi
  rm -rf "$work/warehouse"
  cp -a "$work/history" "$work/warehouse"
  roll_back
  i=$(((k - 1) % ${#stages[@]}))
  from="${starts[$i]}" to="${starts[$((i + 1))]}"
  log="$work/logs/trial-$k.log"
  run_night "$log"
  # aimed by progress, not by the clock (a loaded machine stretches every stage): wait for the
  # stage to start, then a random share of its duration in the clean run
  if [[ "${stages[$i]}" != startup ]]; then
    until grep -q "NightlyRun: $night ${stages[$i]}: started" "$log" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  sleep "$(echo "($to - $from) * $RANDOM / 32767" | bc -l)"
  at="$(echo "$EPOCHREALTIME - $began" | bc -l)"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    sleep 0.2 # the stamp loop flushes the last lines
    killed_in="$(awk '/NightlyRun: [0-9-]+ [a-z]+: started$/ {sub(":", "", $6); s = $6} END {print s ? s : "startup"}' "$log")"
    outcome=killed
  else
    wait "$pid" && outcome=finished-first || outcome="exit-$?"
    killed_in=-
  fi
  rerun_log="$work/logs/rerun-$k.log"
  rerun=0
  "${nightcast[@]}" run "${opts[@]}" --date "$night" > "$rerun_log" 2>&1 || rerun=$?
  serving="$(serving_digest)"
  mv "$work/warehouse" "$work/trials/$k"
  serving_match=$([[ "$serving" == "$reference_serving" ]] && echo yes || echo NO)
  results+=("$k ${stages[$i]} $(printf %.1f "$at") $killed_in $outcome $rerun $serving_match")
  echo "crash.sh: trial $k: aimed at ${stages[$i]} +$(printf %.1f "$at") s, $outcome in $killed_in, re-run exit $rerun, serving match $serving_match" >&2
done

touch "$work/stop-reader"
wait "${pids[1]}" || true

# every Delta table of every trial against the reference, in one Spark application
"${probe[@]}" delta "$work/reference/flight_delay" $(for ((k = 1; k <= trials; k++)); do echo "$work/trials/$k/flight_delay"; done) > "$work/delta.txt" 2> "$work/logs/delta.log"
awk -v ref="$work/reference/flight_delay" '$1 == ref {digest[$2] = $3}
  $1 != ref {n = split($1, p, "/"); k = p[n - 1]; tables[k]++; if (digest[$2] == $3) same[k]++; else diff[k] = diff[k] " " $2}
  END {for (k in tables) print k, same[k] + 0, tables[k], (diff[k] == "" ? "-" : diff[k])}' "$work/delta.txt" | sort -n > "$work/delta-summary.txt"
reference_tables="$(awk -v ref="$work/reference/flight_delay" '$1 == ref' "$work/delta.txt" | wc -l)"

echo
echo "nightcast crash consistency ($(date -u +%F), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)): night $night, $trials kills, reference night ${total%.*} s"
printf "%-5s %-9s %-8s %-9s %-14s %-7s %-8s %s\n" trial aimed-at "kill(s)" killed-in outcome "rerun" serving delta-tables
for line in "${results[@]}"; do
  read -r k aimed at killed_in outcome rerun serving_match <<<"$line"
  read -r _ same count diff < <(awk -v k="$k" '$1 == k' "$work/delta-summary.txt")
  mark=$([[ "$same" == "$reference_tables" && "$count" == "$reference_tables" ]] && echo "$same/$reference_tables same" || echo "$same/$reference_tables same, differ:$diff")
  printf "%-5s %-9s %-8s %-9s %-14s %-7s %-8s %s\n" "$k" "$aimed" "$at" "$killed_in" "$outcome" "exit $rerun" "$serving_match" "$mark"
done
echo "reference: $reference_tables Delta tables (runs left out: one row per attempt), serving $reference_serving"
echo "serving-view reader (one statement per poll: view vs publish log):"
sed 's/^/  /' "$work/reader.txt"
echo "logs: $work/logs"
