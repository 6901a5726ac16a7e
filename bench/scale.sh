#!/usr/bin/env bash
# What the design does at real volume (issue 32): a cold training night, a cold night without
# training and a publish, at SCALES x the sample's daily volume, on local[2]; every figure a ratio
# against 1x (or the floor) measured in this same run. Then the goals, and the 10x night on a
# standalone cluster (a master and two workers on loopback) with STANDALONE=10 (a list: "10 30"), and with STANDALONE_TRAIN=30
# the 30x training night there too (a 2 GB driver whose heap is its own, not the executors').
#
#   bench/scale.sh                                   # SCALES="1 10 30"; hours on 2 cores
#   SCALES="1 3" STANDALONE= BENCH_DIR=/tmp/scale bench/scale.sh   # a quick pass
#   WINDOW=7 bench/scale.sh                         # a 7-day training window: half the nights to prepare
#   REUSE=1 SCALES="1 10 30" bench/scale.sh         # keeps the runs an earlier call measured in BENCH_DIR
#   PREPARE_ONLY=1 bench/scale.sh                   # data and states only (untimed), to measure later with REUSE=1
#   PROFILE=1 bench/scale.sh                        # also a JFR recording of each run, and per stage of the nights what it sampled
#
# Per scale K (data: data-samples/derive.sh from 2001-01-01 with K copies, derived once per BENCH_DIR;
# state: the nights before the first training backfilled once, untimed), each a spark-submit of its own:
#   train    the first night with WINDOW (default 14) labelled days of complete history (7-day rates:
#            2001-01-21, or 01-14 with WINDOW=7) on a copy of the state: the first training, and the rest
#   night    the night after it: no training; ingest, features, score, publish, monitor
#   publish  `nightcast publish --date` that night again, alone
# For each: wall time, time per stage (runs table), the driver's peak heap (-Xlog:gc), Spark's
# spilled bytes and the executors' peak heap (event log). Also bench/publish.sh on each night's row
# count (the raw COPY floor) and bench/drift.sh on the largest scale's data (drift vs a plain scan).
# The training uses a lighter grid (SCALE_PIPELINE, see bench/README.md): the goal is the driver's
# heap at 30x, not the grid's cost, which grows with the data as MLlib's does.
set -euo pipefail
scales="${SCALES:-1 10 30}"
standalone="${STANDALONE-10}"
standalone_train="${STANDALONE_TRAIN:-}"
window="${WINDOW:-14}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pipeline="$work/scale_pipeline.yaml"
# the shipped pipeline with the lighter grid (gbt 10 iterations at depth 3, one backtest fold) and
# the gate in dry run, so that every scale has a champion to score with whatever its AUC
sed -e 's/^  mode: enabled /  mode: dry_run /' -e 's/params: {maxIter: 30, stepSize: 0.2}/params: {maxIter: 10, stepSize: 0.2}/' -e 's/grid: {maxDepth: \[3, 5\]}/grid: {maxDepth: [3]}/' \
  -e 's/^  parallelism: 1 .*/&\n  backtest: {folds: 1}/' conf/pipelines/flight_delay.yaml > "$pipeline"
if [[ "$window" != 14 ]]; then
  # validation and test days in the shipped proportion (3 of 14), at least one each
  holdout=$(( window * 3 / 14 > 0 ? window * 3 / 14 : 1 ))
  sed -i -e "s/^  window_days: 14 /  window_days: $window /" -e "s/^  validation_days: 3 /  validation_days: $holdout /" \
    -e "s/^  test_days: 3 /  test_days: $holdout /" "$pipeline"
fi
# training waits for WINDOW labelled days whose history windows are ingested: the first such night is
# 2001-01-01 + the longest history, so the first training is WINDOW - 1 days after it
history_days="$(sed -nE 's/.*history: \{.*days: ([0-9]+).*/\1/p' "$pipeline" | sort -n | tail -1)"
train_night="$(date -d "2001-01-01 + $((${history_days:-0} + window - 1)) days" +%F)"
last_prepared="$(date -d "$train_night - 1 day" +%F)"
night="$(date -d "$train_night + 1 day" +%F)"
# the night scores the next day's flights
last_drop="$(date -d "$night + 1 day" +%F)"
grep -q 'maxIter: 10' "$pipeline" && grep -q 'folds: 1' "$pipeline" && grep -q 'mode: dry_run' "$pipeline" || { echo "bench: the scale pipeline did not take its grid" >&2; exit 1; }

# measure LABEL VAR K ARGS...: one run with GC log and event log; "seconds rss_mb heap_before_mb heap_after_mb spill_mem_mb spill_disk_mb executor_heap_mb"
measure() {
  local label="$1" var="$2" k="$3"; shift 3
  if [[ -n "${REUSE:-}" && -f "$work/$label.result" ]]; then cat "$work/$label.result"; return; fi
  rm -rf "$work/events/$label" "$work/$label".gc*; mkdir -p "$work/events/$label"
  local timing
  timing="$(DRIVER_JAVA_OPTS="-Xlog:gc:file=$work/$label.gc${PROFILE:+ -XX:StartFlightRecording=filename=$work/$label.jfr,settings=profile}" SUBMIT_OPTS="${SUBMIT_OPTS:-} --conf spark.eventLog.enabled=true
    --conf spark.eventLog.dir=file://$work/events/$label --conf spark.eventLog.compress=false
    --conf spark.eventLog.logStageExecutorMetrics=true" run "$label" "$var" "${landing[$k]}" "$@" --pipeline "$pipeline")" || exit 1
  echo "$timing $(python3 bench/sparkrun.py gc "$work/$label".gc*) $(python3 bench/sparkrun.py events "$work/events/$label")" \
    | tee "$work/$label.result"
}

# shares VAR FIRST_DS LABEL: stage_shares, kept in BENCH_DIR for REUSE
shares() {
  local file="$work/shares-${3// /-}.txt"
  [[ -n "${REUSE:-}" && -f "$file" ]] || stage_shares "$@" > "$file"
  cat "$file"
}

# profile LABEL: with PROFILE=1, what each stage of the run's log spent its samples on (sparkrun.py jfr
# over the stage's start and end), kept in BENCH_DIR for REUSE
profile() {
  local file="$work/profile-$1.txt"
  if [[ -z "${REUSE:-}" || ! -f "$file" ]]; then
    sed -nE 's/^([0-9:]{8}) INFO  NightlyRun: [0-9-]+ ([a-z]+): (started|done).*/\1 \2/p' "$work/$1.log" | paste -d ' ' - - \
      | while read -r from stage to _; do echo "  $1 $stage ($from-$to):"; python3 bench/sparkrun.py jfr "$work/$1.jfr" "$from" "$to"; done > "$file"
  fi
  cat "$file"
}

declare -A landing result rows
# first the data and the states of every scale, untimed: the states are prepared at the same time
# (each with its own Postgres port), since they are not measured
port_offset=0
for k in $scales; do
  # copy 0 is the flight itself, so 1x is the shipped January sample
  landing[$k]="$work/flights-x$k"
  [[ "$k" == 1 ]] && landing[$k]="$root/data-samples/flights"
  [[ -f "${landing[$k]}/actuals/$last_drop.parquet" ]] || data-samples/derive.sh 2001-01-01 "$last_drop" "${landing[$k]}" "$k" > "$work/derive-x$k.log" 2>&1
  # prepared in place, never moved: the catalog holds each table's absolute location, and a copy
  # re-registers its tables only while the location it was copied from still exists
  # state-xK.done holds the last night prepared: a state for another window is prepared again
  if [[ "$(cat "$work/state-x$k.done" 2>/dev/null)" != "$last_prepared" ]]; then
    echo "bench: preparing the state at ${k}x (nights 2001-01-01..$last_prepared)..." >&2
    rm -rf "$work/state-x$k"
    (PG_PORT=$(( ${PG_PORT:-54390} + port_offset )) run "prepare-x$k" "$work/state-x$k" "${landing[$k]}" \
      backfill --from 2001-01-01 --to "$last_prepared" --pipeline "$pipeline" >/dev/null && echo "$last_prepared" > "$work/state-x$k.done") &
    port_offset=$(( port_offset + 1 ))
  fi
done
wait
for k in $scales; do [[ -f "$work/state-x$k.done" ]] || { echo "bench: no state at ${k}x, see $work/prepare-x$k.log" >&2; exit 1; }; done
# the preparation is not measured and may share the machine; the measured runs need it alone
[[ -n "${PREPARE_ONLY:-}" ]] && { echo "bench: states prepared in $work; run again with REUSE=1 to measure" >&2; exit 0; }

for k in $scales; do
  [[ -n "${REUSE:-}" && -f "$work/publish-x$k.result" ]] || { rm -rf "$work/x$k"; cp -a "$work/state-x$k" "$work/x$k"; }
  echo "bench: ${k}x training night..." >&2
  result[train-$k]="$(measure "train-x$k" "$work/x$k" "$k" run --date "$train_night")"
  grep -q "$train_night train: started" "$work/train-x$k.log" || { echo "bench: night $train_night at ${k}x did not train" >&2; exit 1; }
  result[shares-train-$k]="$(shares "$work/x$k" "$train_night" "train ${k}x")"
  echo "bench: ${k}x night..." >&2
  result[night-$k]="$(measure "night-x$k" "$work/x$k" "$k" run --date "$night")"
  result[shares-night-$k]="$(shares "$work/x$k" "$night" "night ${k}x")"
  [[ -n "${PROFILE:-}" ]] && result[profile-night-$k]="$(profile "night-x$k")"
  echo "bench: ${k}x publish..." >&2
  result[publish-$k]="$(measure "publish-x$k" "$work/x$k" "$k" publish --date "$night")"
  # the command prints "publish D: Result[version=V, rows=N, loadSeconds=L, indexSeconds=I, switchSeconds=S]"
  read -r rows[$k] result[publish-parts-$k] < <(sed -nE 's/^publish .*rows=([0-9]+), loadSeconds=([0-9.]+), indexSeconds=([0-9.]+), switchSeconds=([0-9.]+).*/\1 \2+\3+\4/p' "$work/publish-x$k.log")
  [[ -n "${rows[$k]}" ]] || { echo "bench: no publish result in $work/publish-x$k.log" >&2; exit 1; }
done

declare -A floor
for k in $scales; do
  n="${rows[$k]}"
  if [[ -z "${REUSE:-}" || ! -f "$work/publish-floor-$n.log" ]]; then
    echo "bench: raw COPY floor (bench/publish.sh $n)..." >&2
    bench/publish.sh "$n" > "$work/publish-floor-$n.log" 2>&1 || { echo "bench: bench/publish.sh failed, see $work/publish-floor-$n.log" >&2; exit 1; }
  fi
  floor[$n]="$(awk '/raw COPY, 1 stream/{gsub(",", "", $7); print $7}' "$work/publish-floor-$n.log")"
done
# drift of the largest scale's data (the goal's; DRIFT_SCALES to add others)
declare -A drift
drift_scales="${DRIFT_SCALES:-$(echo "$scales" | awk '{print $NF}')}"
for k in $drift_scales; do
  if [[ -z "${REUSE:-}" || ! -f "$work/drift-x$k.log" ]]; then
    echo "bench: drift at ${k}x..." >&2
    bench/drift.sh "${landing[$k]}" > "$work/drift-x$k.log" 2>&1 || { echo "bench: drift.sh failed, see $work/drift-x$k.log" >&2; exit 1; }
  fi
  drift[$k]="$(sed -nE 's/^drift, whole population: +([0-9.]+) s +ratio ([0-9.]+)x/\2/p' "$work/drift-x$k.log")"
done

# the standalone cluster: a master and two workers (1 core, 3 GB each) on loopback, started on first use
cluster_master=""
start_cluster() {
  [[ -n "$cluster_master" ]] && return
  local spark_class="$SPARK_HOME/bin/spark-class" port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  export SPARK_LOG_DIR="$work/standalone/logs"
  mkdir -p "$SPARK_LOG_DIR"
  cluster_pids=()
  "$spark_class" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0 > "$work/standalone/master.log" 2>&1 &
  cluster_pids+=($!)
  for w in 1 2; do
    "$spark_class" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --webui-port 0 --cores 1 --memory 3g \
      --work-dir "$work/standalone/worker$w" "spark://127.0.0.1:$port" > "$work/standalone/worker$w.log" 2>&1 &
    cluster_pids+=($!)
  done
  trap 'kill "${cluster_pids[@]}" 2>/dev/null || true' EXIT
  for _ in $(seq 60); do
    [[ "$(cat "$work"/standalone/worker*.log | grep -c 'Successfully registered with master')" == 2 ]] && break
    sleep 2
  done
  cluster_master="spark://127.0.0.1:$port"
}

# on_cluster LABEL K STATE FIRST_DS ARGS...: one run measured on the cluster (executors 2 GB, a 2 GB
# driver) on a copy of STATE; sets result[LABEL], result[shares-LABEL] and result[executor-gc-LABEL]
on_cluster() {
  local label="$1" k="$2" state="$3" first_ds="$4"; shift 4
  [[ -n "${landing[$k]:-}" ]] || { echo "bench: a cluster run at ${k}x needs $k in SCALES" >&2; exit 2; }
  if [[ -z "${REUSE:-}" || ! -f "$work/$label.result" ]]; then
    echo "bench: $label on a standalone cluster..." >&2
    start_cluster
    rm -rf "$work/$label" "$work/$label"-executor-*.gc; cp -a "$state" "$work/$label"
    MASTER="$cluster_master" SUBMIT_OPTS="--deploy-mode client --executor-memory 2g --total-executor-cores 2
      --conf spark.executor.extraJavaOptions=-Xlog:gc:file=$work/$label-executor-%p.gc --driver-memory 2g" \
      measure "$label" "$work/$label" "$k" "$@" > /dev/null
  fi
  result[$label]="$(cat "$work/$label.result")"
  result[shares-$label]="$(shares "$work/$label" "$first_ds" "$label")"
  result[executor-gc-$label]="$(python3 bench/sparkrun.py gc "$work/$label"-executor-*.gc)"
}

# the night again on the state after the local night (its own night re-run in place)
for k in $standalone; do on_cluster "cluster-x$k" "$k" "$work/x$k" "$night" run --date "$night"; done
# the training night with a 2 GB driver: its executors run elsewhere, so the driver's heap is its own
[[ -n "$standalone_train" ]] && on_cluster "cluster-train-x$standalone_train" "$standalone_train" "$work/state-x$standalone_train" "$train_night" run --date "$train_night"
[[ -n "$cluster_master" ]] && { kill "${cluster_pids[@]}" 2>/dev/null || true; trap - EXIT; }

ratio() { echo "$1 / $2" | bc -l | xargs printf "%.2f"; }
echo
echo "nightcast scale benchmark ($(date -u +%F), $(nproc) cores, local[2]; scales $scales; training window $window days, trained on $train_night; night $night)"
echo "  columns: wall s (ratio to 1x) | peak RSS MB | driver heap MB, most at a GC's start / most kept after one | spilled MB memory / disk"
base_k="$(echo "$scales" | awk '{print $1}')"
for what in train night publish; do
  read -r base _ < <(echo "${result[$what-$base_k]}")
  for k in $scales; do
    read -r s rss before after spill_mem spill_disk _ < <(echo "${result[$what-$k]}")
    printf "  %-8s %3sx  %7.1f s (%5.2fx)  RSS %6s MB  heap %5s / %5s MB  spilled %s / %s MB\n" \
      "$what" "$k" "$s" "$(ratio "$s" "$base")" "$rss" "$before" "$after" "$spill_mem" "$spill_disk"
  done
done
echo "  publish vs the raw COPY floor (bench/publish.sh on the same row count, same run):"
for k in $scales; do
  seconds="$(echo "${result[publish-parts-$k]}" | bc -l)"
  printf "    %3sx  %9d rows  nightcast publish %9.0f rows/s (load+index+switch %.1f s)  raw COPY %9.0f rows/s  ratio %.2f\n" \
    "$k" "${rows[$k]}" "$(echo "${rows[$k]} / $seconds" | bc -l)" "$seconds" "${floor[${rows[$k]}]}" "$(echo "${rows[$k]} / $seconds / ${floor[${rows[$k]}]}" | bc -l)"
done
echo "  drift of the whole population / a plain scan of the same columns (bench/drift.sh):"
for k in $drift_scales; do printf "    %3sx  %sx\n" "$k" "${drift[$k]}"; done
echo "  stage shares (runs table):"
for k in $scales; do echo "${result[shares-train-$k]}"; echo "${result[shares-night-$k]}"; done
if [[ -n "${PROFILE:-}" ]]; then
  echo "  where each stage of the night spent its samples (JFR, PROFILE=1):"
  for k in $scales; do echo "${result[profile-night-$k]}"; done
fi
last_k="$(echo "$scales" | awk '{print $NF}')"
read -r night_base _ < <(echo "${result[night-$base_k]}")
read -r night_last _ < <(echo "${result[night-$last_k]}")
# on local[2] the executors share the driver's heap; the cluster's training night has the driver's alone
train_heap_of="train-$last_k" heap_where="local[2], executors included"
[[ "$standalone_train" == "$last_k" ]] && train_heap_of="cluster-train-x$last_k" heap_where="the standalone cluster's 2 GB driver"
read -r _ _ train_heap _ < <(echo "${result[$train_heap_of]}")
echo "  goals at ${last_k}x:"
printf "    night %.2fx the %sx night (goal <= 10x); training night's driver heap %s MB on %s (goal < 2048 MB)\n" \
  "$(ratio "$night_last" "$night_base")" "$base_k" "$train_heap" "$heap_where"
cluster_line() {
  read -r s rss before after spill_mem spill_disk executors < <(echo "${result[$1]}")
  read -r executor_before executor_after < <(echo "${result[executor-gc-$1]}")
  printf "    %.1f s (%.2fx the local[2] run)  driver RSS %s MB, heap %s / %s MB; executors' heap (GC logs) %s / %s MB, (event log) %s MB; spilled %s / %s MB\n" \
    "$s" "$(ratio "$s" "$2")" "$rss" "$before" "$after" "$executor_before" "$executor_after" "$executors" "$spill_mem" "$spill_disk"
  echo "${result[shares-$1]}"
}
for k in $standalone; do
  echo "  ${k}x night on a standalone cluster (2 workers x 1 core, executors 2 GB, driver 2 GB):"
  read -r local_s _ < <(echo "${result[night-$k]}")
  cluster_line "cluster-x$k" "$local_s"
done
if [[ -n "$standalone_train" ]]; then
  echo "  ${standalone_train}x training night on the standalone cluster (driver 2 GB: its heap is the driver's alone):"
  read -r local_s _ < <(echo "${result[train-$standalone_train]}")
  cluster_line "cluster-train-x$standalone_train" "$local_s"
fi
echo "  logs: $work"
