package dev.nightcast.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Drift thresholds, per metric ({@code thresholds}) with per-column overrides ({@code columns:
 * {distance: {psi: 0.3}}}). A distance metric drifts when its value reaches the threshold; a
 * p-value metric when it falls below it, and only on samples of at most {@code p_value_max_rows}
 * rows: on large samples every trivial shift is "significant", so there the distance measures
 * decide and p-values are reported for reference only.
 *
 * <p>Defaults: psi 0.2 (the usual "significant shift" line), ks 0.1, wasserstein 0.1 (in units of
 * the reference standard deviation), js 0.1 (Jensen-Shannon distance, base 2), linf 0.1,
 * chi2_p_value 0.05, ks_p_value 0.05, missing_ratio_delta 0.05 (absolute), mean_delta 0.1 (in
 * units of the reference standard deviation); p_value_max_rows 1000; drift_share 0.5 (the
 * share of drifted columns at which the whole dataset counts as drifted).
 *
 * <p>{@code exclude} names features left out of drift (no rows, not in the drift share, no
 * alerts): those whose one-night distribution differs from any multi-day reference by
 * construction, such as the day of the week, which is a single value on every night.
 */
public record DriftConfig(
    Map<String, Double> thresholds,
    Map<String, Map<String, Double>> columns,
    Long pValueMaxRows,
    Double driftShare,
    List<String> exclude) {

  public static final Map<String, Double> DEFAULTS =
      Map.of(
          "psi", 0.2, "ks", 0.1, "wasserstein", 0.1, "js", 0.1, "linf", 0.1, "chi2_p_value", 0.05, "ks_p_value", 0.05,
          "missing_ratio_delta", 0.05, "mean_delta", 0.1);

  public DriftConfig {
    Map<String, Double> merged = new LinkedHashMap<>(DEFAULTS);
    if (thresholds != null) {
      thresholds.forEach((metric, value) -> merged.put(known(metric, "drift.thresholds"), positive(value, "drift.thresholds." + metric)));
    }
    thresholds = Map.copyOf(merged);
    Map<String, Map<String, Double>> perColumn = new TreeMap<>();
    if (columns != null) {
      columns.forEach(
          (column, overrides) -> {
            Check.identifier(column, "drift.columns");
            Check.that(overrides != null, "'drift.columns." + column + "' has no thresholds: give e.g. {psi: 0.3}, or remove the column");
            Map<String, Double> checked = new TreeMap<>();
            overrides.forEach(
                (metric, value) -> checked.put(known(metric, "drift.columns." + column), positive(value, "drift.columns." + column + "." + metric)));
            perColumn.put(column, Map.copyOf(checked));
          });
    }
    columns = Map.copyOf(perColumn);
    exclude = exclude == null ? List.of() : List.copyOf(exclude);
    exclude.forEach(column -> Check.identifier(column, "drift.exclude"));
    pValueMaxRows = pValueMaxRows == null ? 1000L : pValueMaxRows;
    driftShare = driftShare == null ? 0.5 : driftShare;
    Check.that(pValueMaxRows >= 0, "'drift.p_value_max_rows' must not be negative (got " + pValueMaxRows + ")");
    Check.that(driftShare > 0 && driftShare <= 1, "'drift.drift_share' must be within (0, 1] (got " + driftShare + ")");
  }

  /** The threshold of {@code metric} for {@code column}: the column's override, else the metric's. */
  public double threshold(String column, String metric) {
    Map<String, Double> overrides = columns.get(column);
    Double value = overrides == null ? null : overrides.get(metric);
    return value != null ? value : thresholds.get(metric);
  }

  public static boolean isPValue(String metric) {
    return metric.endsWith("_p_value");
  }

  private static String known(String metric, String key) {
    Check.that(DEFAULTS.containsKey(metric), "'" + key + "' has an unknown metric '" + metric + "' (known: " + new TreeMap<>(DEFAULTS).keySet() + ")");
    return metric;
  }

  private static double positive(Double value, String key) {
    Check.that(value != null && value > 0, "'" + key + "' must be positive (got " + value + ")");
    return value;
  }
}
