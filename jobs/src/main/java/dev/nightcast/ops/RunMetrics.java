package dev.nightcast.ops;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One night's operational metrics in the Prometheus text exposition format (version 0.0.4), as
 * batch jobs hand them to a Pushgateway: the night's logical date and outcome, each stage's
 * duration, outcome and row counts, each source's rows and quarantined rows, the night's alerts by
 * kind and severity, the monitor's dataset drift share and realised performance, the serving
 * model's age, and next to each the configured threshold the night judged it by (so Prometheus'
 * rules reach the night's own verdicts). A successful night also has a last-success text, pushed
 * to a group of its own that a failed night leaves alone. Pure.
 */
public final class RunMetrics {
  private RunMetrics() {}

  /** A stage attempt of the night (from the runs rows it also writes). */
  public record Stage(String name, boolean succeeded, double seconds, Long rowsIn, Long rowsOut) {}

  /** A source's drop of the night. */
  public record Source(String name, long rowsIn, long rowsQuarantined) {}

  /** The whole population's share of drifted columns against the training reference (BASELINE) or the day before (CONSECUTIVE). */
  public record DriftShare(String comparison, int modelVersion, double share) {}

  /** A realised whole-population performance metric of the predictions a model version made the night before. */
  public record Realised(String metric, int modelVersion, double value) {}

  /** A performance floor: {@code lowerIsBetter} metrics (log_loss, say) breach it from above. */
  public record Floor(String metric, double value, boolean lowerIsBetter) {}

  /** The model serving after the night, and its age in logical days (the night's date minus its training date). */
  public record Model(int version, long ageDays) {}

  /** The pipeline's thresholds the night judged its results by. */
  public record Thresholds(double driftShare, List<Floor> floors, int maxModelAgeDays) {}

  /**
   * What a night pushes. {@code finished} is the wall clock when it ended: "last success" is an
   * operational fact about the schedule, which the logical date (keyed, and old in a backfill) is not.
   */
  public record Night(
      LocalDate ds, boolean succeeded, Instant finished, List<Stage> stages, List<Source> sources, Map<String, Long> alertsByKindAndSeverity,
      List<DriftShare> driftShares, List<Realised> realised, Optional<Model> model, Thresholds thresholds) {}

  /** The night's group: everything the night knows, replacing the previous night's as a whole. */
  public static String text(Night night) {
    StringBuilder out = new StringBuilder();
    gauge(out, "nightcast_run_logical_date_seconds", "Logical date of the night pushed last (Unix seconds at midnight UTC).");
    sample(out, "nightcast_run_logical_date_seconds", Map.of(), logicalDateSeconds(night.ds()));
    gauge(out, "nightcast_run_success", "1 when the night succeeded, 0 when a stage or the night's checks failed.");
    sample(out, "nightcast_run_success", Map.of(), night.succeeded() ? 1 : 0);

    List<Stage> stages = night.stages();
    gauge(out, "nightcast_stage_duration_seconds", "Wall-clock duration of each stage of the night.");
    stages.forEach(s -> sample(out, "nightcast_stage_duration_seconds", Map.of("stage", s.name()), s.seconds()));
    gauge(out, "nightcast_stage_success", "1 when the stage succeeded, 0 when it failed.");
    stages.forEach(s -> sample(out, "nightcast_stage_success", Map.of("stage", s.name()), s.succeeded() ? 1 : 0));
    gauge(out, "nightcast_stage_rows_in", "Rows the stage read (stages that count them).");
    stages.stream().filter(s -> s.rowsIn() != null).forEach(s -> sample(out, "nightcast_stage_rows_in", Map.of("stage", s.name()), s.rowsIn()));
    gauge(out, "nightcast_stage_rows_out", "Rows the stage wrote (publish: the rows now served).");
    stages.stream().filter(s -> s.rowsOut() != null).forEach(s -> sample(out, "nightcast_stage_rows_out", Map.of("stage", s.name()), s.rowsOut()));

    gauge(out, "nightcast_source_rows_in", "Rows in the source's drop of the night.");
    night.sources().forEach(s -> sample(out, "nightcast_source_rows_in", Map.of("source", s.name()), s.rowsIn()));
    gauge(out, "nightcast_source_rows_quarantined", "Rows of the source's drop that went to quarantine.");
    night.sources().forEach(s -> sample(out, "nightcast_source_rows_quarantined", Map.of("source", s.name()), s.rowsQuarantined()));

    gauge(out, "nightcast_open_alerts", "Alerts the night raised, by kind and severity (no series: none of that kind).");
    new TreeMap<>(night.alertsByKindAndSeverity()).forEach((key, count) -> {
      String[] parts = key.split("/", 2);
      sample(out, "nightcast_open_alerts", Map.of("kind", parts[0], "severity", parts[1]), count);
    });
    gauge(out, "nightcast_open_alerts_count", "All alerts the night raised.");
    sample(out, "nightcast_open_alerts_count", Map.of(), night.alertsByKindAndSeverity().values().stream().mapToLong(Long::longValue).sum());

    Thresholds thresholds = night.thresholds();
    gauge(out, "nightcast_drift_share", "Share of the monitored columns that drifted (whole population), by comparison and served model version.");
    night.driftShares().stream().sorted(Comparator.comparing(DriftShare::comparison).thenComparing(DriftShare::modelVersion)).forEach(d ->
        sample(out, "nightcast_drift_share", Map.of("comparison", d.comparison(), "model_version", String.valueOf(d.modelVersion())), d.share()));
    gauge(out, "nightcast_drift_share_threshold", "The dataset drifts when its BASELINE drift share reaches this (monitoring.drift.drift_share).");
    sample(out, "nightcast_drift_share_threshold", Map.of(), thresholds.driftShare());
    gauge(out, "nightcast_realised_performance", "Realised whole-population metric of the predictions made the night before, by model version.");
    night.realised().stream().sorted(Comparator.comparing(Realised::metric).thenComparing(Realised::modelVersion)).forEach(r ->
        sample(out, "nightcast_realised_performance", Map.of("metric", r.metric(), "model_version", String.valueOf(r.modelVersion())), r.value()));
    gauge(out, "nightcast_performance_floor",
        "Configured floor of a realised metric (monitoring.performance_floors); bound=upper: lower is better, the metric must not exceed it.");
    thresholds.floors().stream().sorted(Comparator.comparing(Floor::metric)).forEach(f ->
        sample(out, "nightcast_performance_floor", Map.of("metric", f.metric(), "bound", f.lowerIsBetter() ? "upper" : "lower"), f.value()));
    gauge(out, "nightcast_model_version", "Version of the model serving after the night.");
    night.model().ifPresent(m -> sample(out, "nightcast_model_version", Map.of(), m.version()));
    gauge(out, "nightcast_model_age_days", "Logical days from the serving model's training date to the night's date.");
    night.model().ifPresent(m -> sample(out, "nightcast_model_age_days", Map.of(), m.ageDays()));
    gauge(out, "nightcast_model_max_age_days", "The serving model is stale when older than this (monitoring.max_model_age_days).");
    sample(out, "nightcast_model_max_age_days", Map.of(), thresholds.maxModelAgeDays());
    return out.toString();
  }

  /** The last-success group's text: only a successful night has one. */
  public static Optional<String> lastSuccessText(Night night) {
    if (!night.succeeded()) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder();
    gauge(out, "nightcast_last_success_timestamp_seconds", "Wall-clock time the last successful night finished (Unix seconds); a failed night leaves it.");
    sample(out, "nightcast_last_success_timestamp_seconds", Map.of(), night.finished().toEpochMilli() / 1000.0);
    gauge(out, "nightcast_last_success_logical_date_seconds", "Logical date of the last successful night (Unix seconds at midnight UTC).");
    sample(out, "nightcast_last_success_logical_date_seconds", Map.of(), logicalDateSeconds(night.ds()));
    return Optional.of(out.toString());
  }

  /** The key of {@code alertsByKindAndSeverity} for one kind and severity. */
  public static String alertKey(String kind, String severity) {
    return kind + "/" + severity;
  }

  private static long logicalDateSeconds(LocalDate ds) {
    return ds.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
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
