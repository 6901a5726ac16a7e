package dev.nightcast.ops;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One night's operational metrics in the Prometheus text exposition format (version 0.0.4), as
 * batch jobs hand them to a Pushgateway: the night's logical date and outcome, each stage's
 * duration, outcome and row counts, each source's rows and quarantined rows, and the night's alerts
 * by kind and severity. Pure.
 */
public final class RunMetrics {
  private RunMetrics() {}

  /** A stage attempt of the night (from the runs rows it also writes). */
  public record Stage(String name, boolean succeeded, double seconds, Long rowsIn, Long rowsOut) {}

  /** A source's drop of the night. */
  public record Source(String name, long rowsIn, long rowsQuarantined) {}

  public static String text(LocalDate ds, List<Stage> stages, List<Source> sources, Map<String, Long> alertsByKindAndSeverity) {
    StringBuilder out = new StringBuilder();
    gauge(out, "nightcast_run_logical_date_seconds", "Logical date of the night pushed last (Unix seconds at midnight UTC).");
    sample(out, "nightcast_run_logical_date_seconds", Map.of(), ds.atStartOfDay(ZoneOffset.UTC).toEpochSecond());
    gauge(out, "nightcast_run_success", "1 when every stage of the night succeeded, 0 when one failed.");
    sample(out, "nightcast_run_success", Map.of(), stages.stream().allMatch(Stage::succeeded) ? 1 : 0);

    gauge(out, "nightcast_stage_duration_seconds", "Wall-clock duration of each stage of the night.");
    stages.forEach(s -> sample(out, "nightcast_stage_duration_seconds", Map.of("stage", s.name()), s.seconds()));
    gauge(out, "nightcast_stage_success", "1 when the stage succeeded, 0 when it failed.");
    stages.forEach(s -> sample(out, "nightcast_stage_success", Map.of("stage", s.name()), s.succeeded() ? 1 : 0));
    gauge(out, "nightcast_stage_rows_in", "Rows the stage read (stages that count them).");
    stages.stream().filter(s -> s.rowsIn() != null).forEach(s -> sample(out, "nightcast_stage_rows_in", Map.of("stage", s.name()), s.rowsIn()));
    gauge(out, "nightcast_stage_rows_out", "Rows the stage wrote.");
    stages.stream().filter(s -> s.rowsOut() != null).forEach(s -> sample(out, "nightcast_stage_rows_out", Map.of("stage", s.name()), s.rowsOut()));

    gauge(out, "nightcast_source_rows_in", "Rows in the source's drop of the night.");
    sources.forEach(s -> sample(out, "nightcast_source_rows_in", Map.of("source", s.name()), s.rowsIn()));
    gauge(out, "nightcast_source_rows_quarantined", "Rows of the source's drop that went to quarantine.");
    sources.forEach(s -> sample(out, "nightcast_source_rows_quarantined", Map.of("source", s.name()), s.rowsQuarantined()));

    gauge(out, "nightcast_open_alerts", "Alerts the night raised, by kind and severity (no series: none of that kind).");
    new TreeMap<>(alertsByKindAndSeverity).forEach((key, count) -> {
      String[] parts = key.split("/", 2);
      sample(out, "nightcast_open_alerts", Map.of("kind", parts[0], "severity", parts[1]), count);
    });
    gauge(out, "nightcast_open_alerts_count", "All alerts the night raised.");
    sample(out, "nightcast_open_alerts_count", Map.of(), alertsByKindAndSeverity.values().stream().mapToLong(Long::longValue).sum());
    return out.toString();
  }

  /** The key of {@code alertsByKindAndSeverity} for one kind and severity. */
  public static String alertKey(String kind, String severity) {
    return kind + "/" + severity;
  }

  private static void gauge(StringBuilder out, String name, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
  }

  private static void sample(StringBuilder out, String name, Map<String, String> labels, double value) {
    out.append(name);
    if (!labels.isEmpty()) {
      out.append('{');
      String separator = "";
      for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
        out.append(separator).append(label.getKey()).append("=\"").append(escape(label.getValue())).append('"');
        separator = ",";
      }
      out.append('}');
    }
    out.append(' ').append(value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value) : Double.toString(value))
        .append('\n');
  }

  /** Label values escape backslash, double quote and line feed (the text format's rules). */
  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
