#!/usr/bin/env bash
# Training benchmark: backfills the first 21 nights (training on night 21 with the shipped 14-day
# window, whose days need 7 days of history each) into a fresh warehouse, then prints every candidate's validation and test metrics, its
# training wall time (grid included) and the gate's decision, from the registry.
#   bench/train.sh                          # the January sample under data-samples/flights
#   NIGHTCAST_LANDING=/tmp/flights-full bench/train.sh 2001-01-01 2001-01-21
# Uses its own NIGHTCAST_VAR_DIR and NIGHTCAST_PG_PORT unless set.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
from="${1:-2001-01-01}"
to="${2:-2001-01-21}"
export NIGHTCAST_VAR_DIR="${NIGHTCAST_VAR_DIR:-$(mktemp -d /tmp/nightcast-bench-train.XXXXXX)}"
export NIGHTCAST_PG_PORT="${NIGHTCAST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"

echo "# warehouse $NIGHTCAST_VAR_DIR, landing ${NIGHTCAST_LANDING:-data-samples/flights}, nights $from..$to"
echo "\$ bin/nightcast backfill --from $from --to $to"
began=$(date +%s)
"$root/bin/nightcast" backfill --from "$from" --to "$to"
echo "# backfill wall time: $(( $(date +%s) - began )) s"
query="select version, candidate, algorithm, is_baseline as baseline, params,
  round(validation_metrics['auc'], 4) as val_auc, round(test_metrics['auc'], 4) as test_auc,
  round(test_metrics['average_precision'], 4) as test_ap, round(train_seconds, 1) as train_s, decision
  from models order by version"
echo "\$ bin/nightcast sql \"$(echo "$query" | tr -s ' \n' ' ')\""
"$root/bin/nightcast" sql --limit 1000 "$query"
"$root/bin/nightcast" sql "select ds, seq, event, model_version, previous_version, actor, reason from model_events order by ds, seq"
