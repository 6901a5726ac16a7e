# Sourced by the benchmarks that run a Java file of bench/ from source against the project's jar
# (features.sh, staleness.sh, buckets.sh). `java_bench HEAP FILE ARGS...` builds the jar when it is
# missing or older than the sources, then runs bench/FILE with the jar and its classpath.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

java_bench() {
  local heap="$1" source="$2"; shift 2
  local jar="$root/jobs/target/nightcast.jar"
  local runtime="$root/jobs/target/classpath-runtime.txt" provided="$root/jobs/target/classpath-provided.txt"
  if [[ ! -f "$jar" || ! -f "$provided" || -n "$(find "$root/jobs/src/main" -newer "$jar" -print -quit)" ]]; then
    (cd "$root" && mvn -B -q -DskipTests package) >&2
  fi
  java "-Xmx$heap" @"$root/conf/spark-java17.jvmopts" -Dlog4j.configurationFile="$root/conf/log4j2.properties" \
    -cp "$jar:$(cat "$runtime"):$(cat "$provided")" "$root/bench/$source" "$@"
}
