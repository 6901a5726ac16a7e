package dev.nightcast.report;

import dev.nightcast.monitoring.OfflineOnline;

import dev.nightcast.monitoring.SliceGaps;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * What the monitoring report shows, read from the Delta tables for the dates FROM..TO: plain values,
 * so rendering and the delivery metrics are pure and testable without Spark. {@code sliceGaps}: the
 * declared slices' realised metrics against the whole population's, judged by today's config.
 */
public record ReportData(
    String pipeline,
    LocalDate from,
    LocalDate to,
    List<PerformancePoint> performance,
    List<DriftCell> drift,
    List<QualityPoint> quality,
    List<Alert> alerts,
    List<ModelEvent> modelEvents,
    List<Run> runs,
    Explanation explanation,
    List<OfflineOnline.Version> versions,
    List<SliceGaps.Gap> sliceGaps) {

  public ReportData {
    performance = List.copyOf(performance);
    drift = List.copyOf(drift);
    quality = List.copyOf(quality);
    alerts = List.copyOf(alerts);
    modelEvents = List.copyOf(modelEvents);
    runs = List.copyOf(runs);
    versions = List.copyOf(versions);
    sliceGaps = List.copyOf(sliceGaps);
  }

  /**
   * Whole-population performance of one model version on one outcome date; kind realised or
   * estimated (precision, recall and F1 at the decision threshold).
   */
  public record PerformancePoint(
      LocalDate ds, int modelVersion, String kind, long rows, Double rocAuc, Double accuracy, Double precision, Double recall, Double f1) {}

  /**
   * The worst drift severity of one feature on one day (whole population vs the training reference),
   * with the metric that set it.
   */
  public record DriftCell(LocalDate ds, String column, String severity, String metric, double value) {}

  /** One source's day: rows in the drop, rows quarantined, and the mean missing ratio of its columns. */
  public record QualityPoint(LocalDate ds, String source, Long rowsIn, Long rowsQuarantined, Double missingRatio) {
    public Double quarantineRate() {
      return rowsIn == null || rowsQuarantined == null || rowsIn == 0 ? null : (double) rowsQuarantined / rowsIn;
    }
  }

  public record Alert(LocalDate ds, String kind, String severity, String metric, String column, String message) {}

  /** An alias move (promote, reject, rollback) with the candidate's name and test AUC when known. */
  public record ModelEvent(
      LocalDate ds, int seq, String event, int modelVersion, Integer previousVersion, String reason, String actor, String candidate,
      Double testAuc) {}

  /**
   * The champion serving on TO and its feature importances (table importances, from its training
   * night): both kinds, per declared feature. No champion: a null version and no rows.
   */
  public record Explanation(Integer championVersion, String candidate, LocalDate trainedOn, List<FeatureImportance> importances) {
    public Explanation {
      importances = List.copyOf(importances);
    }

    public static Explanation none() {
      return new Explanation(null, null, null, List.of());
    }
  }

  /** One feature's importance of one kind (builtin or permutation); the interval and repeats for permutation only. */
  public record FeatureImportance(String feature, String kind, String metric, double value, Double lower, Double upper, Integer repeats) {}

  /** One stage attempt from the runs table (wall-clock times). */
  public record Run(String runId, LocalDate ds, String stage, String status, Instant startedAt, Instant endedAt, Long rowsIn,
      Long rowsOut, String message) {}
}
