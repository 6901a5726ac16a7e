#!/usr/bin/env bash
# Ordered vs nominal quantile buckets for the tree candidates (issue 29): on the training window
# ending at each NIGHT, every tree candidate's grid fitted with the numeric features' buckets marked
# nominal (as shipped) and marked numeric; per layout the best validation AUC's grid point and its
# test AUC, then the means over the windows (bench/BucketsBench.java). Reads STATE, never writes it.
#
#   STATE=/path/to/var bench/buckets.sh NIGHT [NIGHT ...]   # e.g. five training nights of a six-month state
#
# PIPELINE (default conf/pipelines/flight_delay.yaml) decides the features, windows and candidates.
set -euo pipefail
state="${STATE:?set STATE to a var dir whose warehouse has the features table}"
[[ $# -ge 1 ]] || { echo "buckets.sh: give one or more training nights (YYYY-MM-DD)" >&2; exit 2; }
source "$(dirname "${BASH_SOURCE[0]}")/javabench.sh"
pipeline="${PIPELINE:-$root/conf/pipelines/flight_delay.yaml}"
name="$(sed -n 's/^name: *//p' "$pipeline")"
features="$state/warehouse/$name/features"
[[ -d "$features/_delta_log" ]] || { echo "buckets.sh: no features table at $features" >&2; exit 2; }
echo "buckets benchmark ($(date -u +%F), $(nproc) cores, local[2]): $features, $(basename "$pipeline"), windows ending $*"
java_bench 6g BucketsBench.java "$features" "$pipeline" "$@"
