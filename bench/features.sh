#!/usr/bin/env bash
# What each declared feature costs (issue 29): the training fits on the window ending at DATE with
# all features vs with each feature dropped (seconds, ratio to the all-features mean of the same run,
# and the best validation AUC's change), and the bytes each feature's column takes in the features
# table (bench/FeatureCostBench.java). Reads STATE, never writes it.
#
#   STATE=/path/to/var bench/features.sh [DATE]    # DATE: default 2001-01-14, the sample's first training
#
# STATE is a var dir whose warehouse holds the features of the window ending at DATE, e.g. one made by
# `NIGHTCAST_VAR_DIR=/tmp/nc-features bin/nightcast backfill --from 2001-01-01 --to 2001-01-14`.
# PIPELINE (default conf/pipelines/flight_delay.yaml) decides the features, window and candidates;
# a copy with a shorter training.window_days makes a quicker run.
set -euo pipefail
state="${STATE:?set STATE to a var dir whose warehouse has the features table}"
date="${1:-2001-01-14}"
source "$(dirname "${BASH_SOURCE[0]}")/javabench.sh"
pipeline="${PIPELINE:-$root/conf/pipelines/flight_delay.yaml}"
name="$(sed -n 's/^name: *//p' "$pipeline")"
features="$state/warehouse/$name/features"
[[ -d "$features/_delta_log" ]] || { echo "features.sh: no features table at $features" >&2; exit 2; }
echo "feature cost benchmark ($(date -u +%F), $(nproc) cores, local[2]): $features, window ending $date, $(basename "$pipeline")"
java_bench 4g FeatureCostBench.java "$features" "$pipeline" "$date"
