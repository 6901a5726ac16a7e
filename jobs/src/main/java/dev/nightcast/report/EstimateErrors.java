package dev.nightcast.report;

import dev.nightcast.monitoring.OfflineOnline;
import dev.nightcast.monitoring.Performance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How far the label-free estimate was from what the labels later said, per metric: over the outcome
 * dates (and model versions) that have both an estimated and a realised row, the bias (the mean of
 * estimate - realised), the mean absolute error and the Pearson correlation across those days. A
 * level-right estimate can still miss every day-to-day move, so the correlation decides whether an
 * estimate tracks. Pure.
 */
public final class EstimateErrors {
  /** The correlation from which an estimate counts as tracking the realised value day to day. */
  public static final double TRACKS_FROM = 0.5;

  /** The metrics the estimate has, as the report reads them. */
  static final Map<String, Function<ReportData.PerformancePoint, Double>> METRICS = new LinkedHashMap<>();

  static {
    METRICS.put("roc_auc", ReportData.PerformancePoint::rocAuc);
    METRICS.put("accuracy", ReportData.PerformancePoint::accuracy);
    METRICS.put("precision", ReportData.PerformancePoint::precision);
    METRICS.put("recall", ReportData.PerformancePoint::recall);
    METRICS.put("f1", ReportData.PerformancePoint::f1);
  }

  private EstimateErrors() {}

  /** One metric's error; correlation NaN with fewer than two days or no spread on a side. */
  public record EstimateError(String metric, int days, double bias, double meanAbsoluteError, double correlation) {
    public boolean tracks() {
      return correlation >= TRACKS_FROM;
    }
  }

  /** Per metric with at least one paired day, in {@link #METRICS} order. */
  public static List<EstimateError> of(List<ReportData.PerformancePoint> points) {
    Map<String, ReportData.PerformancePoint> realised = new HashMap<>();
    points.stream().filter(p -> p.kind().equals(Performance.REALISED)).forEach(p -> realised.put(p.ds() + "|" + p.modelVersion(), p));
    List<EstimateError> out = new ArrayList<>();
    METRICS.forEach(
        (metric, value) -> {
          List<double[]> pairs = new ArrayList<>();
          for (ReportData.PerformancePoint estimate : points) {
            ReportData.PerformancePoint actual = realised.get(estimate.ds() + "|" + estimate.modelVersion());
            if (estimate.kind().equals(Performance.ESTIMATED) && actual != null && finite(value.apply(estimate)) && finite(value.apply(actual))) {
              pairs.add(new double[] {value.apply(estimate), value.apply(actual)});
            }
          }
          if (!pairs.isEmpty()) {
            out.add(error(metric, pairs));
          }
        });
    return out;
  }

  private static EstimateError error(String metric, List<double[]> pairs) {
    int n = pairs.size();
    double bias = 0;
    double absolute = 0;
    for (double[] pair : pairs) {
      bias += (pair[0] - pair[1]) / n;
      absolute += Math.abs(pair[0] - pair[1]) / n;
    }
    return new EstimateError(metric, n, bias, absolute, OfflineOnline.correlation(pairs));
  }

  private static boolean finite(Double value) {
    return value != null && Double.isFinite(value);
  }
}
