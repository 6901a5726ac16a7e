#!/usr/bin/env bash
# Publish benchmark: nightcast's publish vs Spark's JDBC writer vs one raw COPY (the floor), and
# reader key-lookup latency and throughput idle vs during a publish, all in one run on one embedded Postgres.
#   bench/publish.sh [ROWS ...]        default: 1000000 3000000
#   COPY_STREAMS=4 bench/publish.sh    nightcast's parallel COPY streams (default 2)
#   READERS=32 bench/publish.sh        concurrent reader connections doing key lookups (default 16)
# Prints rows/s and ratios against the baselines measured in the same run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests test-compile
mvn -B -q -pl jobs dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
exec java -Xmx6g @"$root/conf/spark-java17.jvmopts" -Dcopy.streams="${COPY_STREAMS:-2}" -Dreaders="${READERS:-16}" \
  -cp "jobs/target/test-classes:jobs/target/classes:$(cat jobs/target/bench-classpath.txt)" \
  dev.nightcast.serving.PublishBenchmark "$@"
