#!/usr/bin/env bash
# What a model's age costs (issue 29): every registered pick of one candidate scores the labelled
# rows of the days after its training night, so each evaluated day is scored by models of many ages;
# per age bucket, the mean AUC and the mean difference to the freshest model on the same day
# (bench/StalenessBench.java). The figure behind monitoring.max_model_age_days. Reads STATE, never
# writes it.
#
#   STATE=/path/to/var bench/staleness.sh [FROM TO]     # default 2001-02-01 .. 2001-06-29
#
# STATE is a var dir a long backfill left (weekly trainings register a version each), e.g. bench/backfill.sh's
# $BENCH_DIR/state. CANDIDATE (default gbt), STEP (days between evaluated days, default 3), BUCKET (days per
# age bucket, default 7), TOLERANCE (AUC, default 0.01).
set -euo pipefail
state="${STATE:?set STATE to the var dir of a backfilled warehouse}"
from="${1:-2001-02-01}"
to="${2:-2001-06-29}"
source "$(dirname "${BASH_SOURCE[0]}")/javabench.sh"
pipeline="${PIPELINE:-$root/conf/pipelines/flight_delay.yaml}"
name="$(sed -n 's/^name: *//p' "$pipeline")"
warehouse="$state/warehouse/$name"
[[ -d "$warehouse/models/_delta_log" ]] || { echo "staleness.sh: no models table at $warehouse/models" >&2; exit 2; }
echo "staleness benchmark ($(date -u +%F), $(nproc) cores, local[2]): $warehouse"
java_bench 4g StalenessBench.java "$warehouse" "${CANDIDATE:-gbt}" "$from" "$to" "${STEP:-3}" "${BUCKET:-7}" "${TOLERANCE:-0.01}"
