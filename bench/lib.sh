# Shared by bench/nightly.sh and bench/backfill.sh (sourced): makes the work dir ($BENCH_DIR, kept
# between runs to reuse derived data and prepared states, or a fresh one), builds the jar, then
# `run` times one spark-submit of nightcast with the venv's real Spark on --master local[2].
work="${BENCH_DIR:-$(mktemp -d /tmp/nightcast-bench.XXXXXX)}"
mkdir -p "$work"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bin/setup-python >/dev/null
mvn -B -q -DskipTests package
spark_submit="$root/.venv/bin/spark-submit"
# a copy, so rebuilding the project while a long benchmark runs cannot change the code it measures
jar="$work/nightcast.jar"
cp "$root/jobs/target/nightcast.jar" "$jar"
# the venv's pyspark is the Spark distribution (its spark-submit needs SPARK_HOME outside an activated venv)
export SPARK_HOME="$("$root/.venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
export NIGHTCAST_HOME="$root" SPARK_LOCAL_IP=127.0.0.1

# run LABEL VAR_DIR LANDING ARGS...: one spark-submit, prints "seconds peak_rss_mb" to stdout
# (DRIVER_JAVA_OPTS: more options for the driver JVM; MASTER: another master than local[2];
# SUBMIT_OPTS: more spark-submit options, split on spaces)
run() {
  local label="$1" var="$2" landing="$3"; shift 3
  local timing="$work/$label.time"
  NIGHTCAST_VAR_DIR="$var" NIGHTCAST_LANDING="$landing" NIGHTCAST_PG_PORT="${PG_PORT:-54390}" \
    /usr/bin/time -o "$timing" -f "%e %M" \
    "$spark_submit" --master "${MASTER:-local[2]}" --driver-memory 6g ${SUBMIT_OPTS:-} \
      --driver-java-options "-Dlog4j.configurationFile=$root/conf/log4j2.properties ${DRIVER_JAVA_OPTS:-}" \
      --class dev.nightcast.cli.Nightcast "$jar" "$@" > "$work/$label.log" 2>&1 \
    || { echo "bench: $label failed, see $work/$label.log" >&2; exit 1; }
  awk '{printf "%.1f %.0f\n", $1, $2/1024}' "$timing"
}

# stage_shares VAR_DIR FIRST_DS LABEL: seconds and share of each stage from the runs table, over the
# latest run of each date from FIRST_DS (a night run again on the same state counts once)
stage_shares() {
  NIGHTCAST_VAR_DIR="$1" NIGHTCAST_PG_PORT="${PG_PORT:-54390}" "$root/bin/nightcast" sql --tsv \
    "with latest as (select * from runs where ds >= '$2'
       and run_id in (select max_by(run_id, started_at) from runs where ds >= '$2' group by ds))
     select stage, round(sum(unix_micros(ended_at) - unix_micros(started_at)) / 1e6, 1) as seconds,
            round(sum(unix_micros(ended_at) - unix_micros(started_at)) / (select sum(unix_micros(ended_at) - unix_micros(started_at)) from latest), 2) as share
     from latest group by stage order by seconds desc" 2>/dev/null \
    | sed "s/^/    $3\t/"
}
