package dev.nightcast.monitoring;

import dev.nightcast.config.DriftConfig;
import dev.nightcast.config.MonitoringConfig;
import dev.nightcast.monitoring.AlertsTable.Alert;
import dev.nightcast.monitoring.DriftDailyTable.DriftMetric;
import dev.nightcast.monitoring.PerformanceDailyTable.DailyPerformance;
import dev.nightcast.training.ImportancesTable.Importance;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;

/**
 * Pure alert rules over the night's monitoring results. {@code kind} is one of drift, performance,
 * slice_gap, data_quality, numerical_stability, staleness, feature_importance, and retrain: a row of kind
 * {@code retrain} on night D is the retrain signal (training is due on night D + 1).
 */
public final class Alerts {
  public static final String DRIFT = "drift";
  public static final String PERFORMANCE = "performance";
  public static final String SLICE_GAP = "slice_gap";
  public static final String DATA_QUALITY = "data_quality";
  public static final String NUMERICAL_STABILITY = "numerical_stability";
  public static final String STALENESS = "staleness";
  public static final String FEATURE_IMPORTANCE = "feature_importance";
  public static final String RETRAIN = "retrain";

  private Alerts() {}

  /**
   * One alert per column of the whole population that drifted from the training baseline (and one
   * for the dataset when the drifted share reaches {@code drift_share}), not one per metric: a
   * shifted column moves PSI, KS, Wasserstein and JS together, and an analyst acts per column. The
   * alert carries the column's worst metric (highest ratio to its threshold) and severity; the
   * message lists every drifted metric.
   */
  public static List<Alert> drift(LocalDate ds, List<DriftMetric> driftRows) {
    Map<String, List<DriftMetric>> drifted = new LinkedHashMap<>();
    for (DriftMetric row : driftRows) {
      if (row.sliceKey() == null && row.comparison().equals(DriftReport.BASELINE) && row.drifted()) {
        drifted.computeIfAbsent(row.columnName(), c -> new ArrayList<>()).add(row);
      }
    }
    List<Alert> out = new ArrayList<>();
    drifted.forEach(
        (column, rows) -> {
          DriftMetric worst = rows.stream().max(Comparator.comparingDouble(Alerts::thresholdRatio)).orElseThrow();
          String metrics =
              rows.stream()
                  .map(r -> String.format("%s %.4f (threshold %s)", r.metric(), r.value(), r.threshold()))
                  .collect(Collectors.joining(", "));
          String subject = column.equals(DriftReport.ALL_COLUMNS) ? "the dataset" : column;
          out.add(
              alert(ds, DRIFT, worst.severity(), worst.metric(), column, worst.value(), worst.threshold(),
                  String.format("%s drifted from the training reference of model v%d: %s", subject, worst.modelVersion(), metrics)));
        });
    return out;
  }

  private static double thresholdRatio(DriftMetric row) {
    return DriftReport.ratio(row.value(), row.threshold(), DriftConfig.isPValue(row.metric()));
  }

  /** Realised whole-population metrics worse than their floors. */
  public static List<Alert> performance(LocalDate ds, List<DailyPerformance> performanceRows, MonitoringConfig config) {
    List<Alert> out = new ArrayList<>();
    for (DailyPerformance row : performanceRows) {
      if (!row.kind().equals(Performance.REALISED) || row.sliceKey() != null) {
        continue;
      }
      for (Map.Entry<String, Double> floor : new java.util.TreeMap<>(config.performanceFloors()).entrySet()) {
        Double metric = row.metric(floor.getKey());
        if (metric == null) {
          continue;
        }
        double value = metric;
        if (MonitoringConfig.breaches(floor.getKey(), value, floor.getValue())) {
          // relative to the floor; a floor of 0 (R²'s default) measures the shortfall absolutely
          double shortfall = Math.abs(value - floor.getValue()) / (floor.getValue() == 0 ? 1 : Math.abs(floor.getValue()));
          out.add(
              alert(ds, PERFORMANCE, shortfall >= 0.1 ? "high" : "medium", floor.getKey(), null, value, floor.getValue(),
                  String.format("realised %s of model v%d on %s is %.4f, worse than %.4f", floor.getKey(),
                      row.modelVersion(), row.ds(), value, floor.getValue())));
        }
      }
    }
    return out;
  }

  /**
   * One alert (severity medium) per declared slice value and metric whose realised value is further
   * from the whole population's (same ds and model version) than its column's {@code max_gap}, in
   * either direction: a segment served much worse, or much differently, than the rest. Slices with
   * fewer than {@code min_rows} labelled rows are left out: their metrics are mostly noise.
   */
  public static List<Alert> sliceGap(LocalDate ds, List<DailyPerformance> performanceRows, MonitoringConfig config) {
    List<Alert> out = new ArrayList<>();
    for (SliceGaps.Gap gap : SliceGaps.of(performanceRows, config.slices())) {
      if (gap.beyond()) {
        String slice = gap.sliceKey() + "=" + gap.sliceValue();
        out.add(
            alert(ds, SLICE_GAP, "medium", gap.metric(), slice, gap.gap(), gap.threshold(),
                String.format(java.util.Locale.ROOT,
                    "realised %s of %s (%d rows) is %.4f against %.4f for the whole population of model v%d on %s: a gap of %+.4f,"
                        + " beyond the allowed %.4f",
                    gap.metric(), slice, gap.rows(), gap.value(), gap.whole(), gap.modelVersion(), gap.ds(), gap.gap(), gap.threshold())));
      }
    }
    return out;
  }

  /** NaN or infinite values in a feature or the probability of the night's rows (always high). */
  public static List<Alert> numericalStability(LocalDate ds, List<Binning.Spec> specs, Map<String, Binning.ColumnState> current) {
    List<Alert> out = new ArrayList<>();
    for (Binning.Spec spec : specs) {
      Binning.ColumnState state = current.get(spec.column());
      if (state != null && state.nonFinite(spec) > 0) {
        out.add(
            alert(ds, NUMERICAL_STABILITY, "high", "non_finite_rows", spec.column(), (double) state.nonFinite(spec), 0.0,
                String.format("%d of %d values of %s are NaN or infinite", state.nonFinite(spec), state.rows(), spec.column())));
      }
    }
    return out;
  }

  /** The serving model is older than {@code max_model_age_days} (high beyond twice that). */
  public static List<Alert> staleness(LocalDate ds, int modelVersion, LocalDate trainedOn, MonitoringConfig config) {
    long age = ds.toEpochDay() - trainedOn.toEpochDay();
    if (age <= config.maxModelAgeDays()) {
      return List.of();
    }
    return List.of(
        alert(ds, STALENESS, age > 2L * config.maxModelAgeDays() ? "high" : "medium", "model_age_days", null, (double) age,
            (double) config.maxModelAgeDays(), String.format("model v%d was trained on %s, %d days ago", modelVersion, trainedOn, age)));
  }

  /**
   * One alert (severity low: a warning, nothing breaks) per feature of a model trained on night D
   * whose permutation importance interval includes 0: on the validation window, shuffling the
   * feature did not measurably hurt the model, so it may cost compute and bytes for nothing.
   */
  public static List<Alert> featureImportance(LocalDate ds, List<Importance> importances) {
    List<Alert> out = new ArrayList<>();
    for (Importance importance : importances) {
      if (importance.isPermutation() && importance.lower() != null && importance.lower() <= 0) {
        out.add(
            alert(ds, FEATURE_IMPORTANCE, "low", importance.metric() + "_drop", importance.feature(), importance.value(), 0.0,
                String.format(java.util.Locale.ROOT,
                    "%s may not help model v%d (%s): its permutation importance (how much worse %s gets on the validation window with"
                        + " the feature shuffled) is %+.4f, 95%% interval [%+.4f, %+.4f] over %d blocks, which includes 0",
                    importance.feature(), importance.version(), importance.candidate(), importance.metric(), importance.value(),
                    importance.lower(), importance.upper(), importance.repeats())));
      }
    }
    return out;
  }

  /** Profiled missing ratios of the sources above {@code max_missing_ratio} (high beyond twice). */
  public static List<Alert> dataQuality(LocalDate ds, List<Row> profileRows, MonitoringConfig config) {
    List<Alert> out = new ArrayList<>();
    for (Row row : profileRows) {
      int valueIndex = row.fieldIndex("value");
      if (!row.getString(row.fieldIndex("metric")).equals("missing_ratio") || row.isNullAt(valueIndex)) {
        continue;
      }
      double value = row.getDouble(valueIndex);
      if (value > config.maxMissingRatio()) {
        String column = row.getString(row.fieldIndex("source")) + "." + row.getString(row.fieldIndex("column_name"));
        out.add(
            alert(ds, DATA_QUALITY, value > 2 * config.maxMissingRatio() ? "high" : "medium", "missing_ratio", column, value,
                config.maxMissingRatio(), String.format("%.2f%% of %s is missing", 100 * value, column)));
      }
    }
    return out;
  }

  /**
   * The degradation rules over the realised whole-population metric of the nights up to D
   * ({@code history}: ds -> metric -> value): a rule fires when its metric breached the threshold
   * on at least {@code breaches} of the last {@code lookback_nights} nights ending at D.
   */
  public static List<Alert> retrain(LocalDate ds, SortedMap<LocalDate, Map<String, Double>> history, MonitoringConfig config) {
    List<Alert> out = new ArrayList<>();
    for (MonitoringConfig.RetrainRule rule : config.retrainRules()) {
      LocalDate from = ds.minusDays(rule.lookbackNights() - 1L);
      long breaches =
          history.subMap(from, ds.plusDays(1)).values().stream()
              .map(metrics -> metrics.get(rule.metric()))
              .filter(value -> value != null && MonitoringConfig.breaches(rule.metric(), value, rule.threshold()))
              .count();
      if (breaches >= rule.breaches()) {
        out.add(
            alert(ds, RETRAIN, "high", rule.metric(), null, (double) breaches, rule.threshold(),
                String.format("%s breached %.4f on %d of the last %d nights (rule: %d): training is due on %s", rule.metric(),
                    rule.threshold(), breaches, rule.lookbackNights(), rule.breaches(), ds.plusDays(1))));
      }
    }
    return out;
  }

  private static Alert alert(LocalDate ds, String kind, String severity, String metric, String column, Double value, Double threshold, String message) {
    return new Alert(ds, kind, severity, metric, column, value, threshold, message);
  }
}
