package dev.nightcast.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.config.MonitoringConfig;
import dev.nightcast.monitoring.AlertsTable.Alert;
import dev.nightcast.monitoring.DriftDailyTable.DriftMetric;
import dev.nightcast.training.ImportancesTable.Importance;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class AlertsTest {
  private static final LocalDate D = LocalDate.parse("2001-03-10");

  private static MonitoringConfig config(List<MonitoringConfig.RetrainRule> rules) {
    return new MonitoringConfig(null, null, null, null, null, null, null, null, null, rules, 14, null);
  }

  private static TreeMap<LocalDate, Map<String, Double>> auc(double... values) {
    TreeMap<LocalDate, Map<String, Double>> history = new TreeMap<>();
    for (int i = 0; i < values.length; i++) {
      history.put(D.minusDays(values.length - 1 - i), Map.of("roc_auc", values[i]));
    }
    return history;
  }

  @Test
  void retrainFiresWhenTheMetricBreachesOnKOfTheLastNNights() {
    MonitoringConfig config = config(List.of(new MonitoringConfig.RetrainRule("roc_auc", 0.6, 2, 3)));
    // the last 3 nights: 0.59, 0.61, 0.58 -> 2 breaches
    List<Alert> alerts = Alerts.retrain(D, auc(0.50, 0.50, 0.59, 0.61, 0.58), config);
    assertThat(alerts).hasSize(1);
    Alert alert = alerts.get(0);
    assertThat(alert.kind()).isEqualTo("retrain");
    assertThat(alert.value()).isEqualTo(2);
    assertThat(alert.message()).contains("training is due on 2001-03-11");
    // the older breaches are outside the window: 1 breach in the last 3 nights
    assertThat(Alerts.retrain(D, auc(0.50, 0.50, 0.61, 0.62, 0.58), config)).isEmpty();
  }

  @Test
  void lowerIsBetterMetricsBreachAboveTheirThreshold() {
    MonitoringConfig config = config(List.of(new MonitoringConfig.RetrainRule("log_loss", 0.5, 1, 1)));
    TreeMap<LocalDate, Map<String, Double>> history = new TreeMap<>(Map.of(D, Map.of("log_loss", 0.7)));
    assertThat(Alerts.retrain(D, history, config)).hasSize(1);
    history.put(D, Map.of("log_loss", 0.3));
    assertThat(Alerts.retrain(D, history, config)).isEmpty();
  }

  @Test
  void regressionErrorsBreachAboveTheirCeilingAndR2BelowItsFloor() {
    MonitoringConfig config =
        new MonitoringConfig(null, null, null, null, null, null, null, null, Map.of("rmse", 20.0, "r2", 0.0), List.of(), 14, null)
            .forTask(dev.nightcast.config.Task.REGRESSION);
    PerformanceDailyTable.DailyPerformance night = new PerformanceDailyTable.DailyPerformance(
        D, 3, D.minusDays(1), 500, 80L, null, null, null, "realised", null, null, null, null, null, null, null, null, 0.5, null, null, null,
        23.0, 14.0, -0.05, 1.5, null);
    List<Alert> alerts = Alerts.performance(D, List.of(night), config);
    assertThat(alerts).extracting(Alert::metric).containsExactly("r2", "rmse");
    // R²'s floor is 0: its shortfall is absolute (0.05, medium); RMSE's is relative (3 / 20 = 0.15, high)
    assertThat(alerts).extracting(Alert::severity).containsExactly("medium", "high");
    assertThat(alerts.get(1).message()).contains("realised rmse of model v3", "23.0000, worse than 20.0000");

    TreeMap<LocalDate, Map<String, Double>> history = new TreeMap<>(Map.of(D, Map.of("rmse", 19.0)));
    MonitoringConfig rule = config(List.of(new MonitoringConfig.RetrainRule("rmse", 20.0, 1, 1))).forTask(dev.nightcast.config.Task.REGRESSION);
    assertThat(Alerts.retrain(D, history, rule)).isEmpty();
    history.put(D, Map.of("rmse", 21.0));
    assertThat(Alerts.retrain(D, history, rule)).singleElement().satisfies(alert -> assertThat(alert.metric()).isEqualTo("rmse"));
  }

  /** A realised row of model v3 on D: the whole population (key null) or one slice. */
  private static PerformanceDailyTable.DailyPerformance realised(String key, String value, long rows, Double auc, Double tpr, Double fpr) {
    return new PerformanceDailyTable.DailyPerformance(
        D, 3, D.minusDays(1), rows, null, null, null, auc, Performance.REALISED, key, value, null, null, null, null, tpr, null, 0.5, null,
        null, null, null, null, null, null, fpr);
  }

  private static MonitoringConfig sliced(Integer minRows, Map<String, Double> maxGap) {
    return new MonitoringConfig(null, null, null, null, null, null, List.of(new MonitoringConfig.SliceConfig("origin", 5, minRows, maxGap)),
        null, null, null, null, null);
  }

  @Test
  void aSliceGapBeyondItsThresholdRaisesAMediumAlertNamingBothValues() {
    MonitoringConfig config = sliced(null, Map.of("roc_auc", 0.10, "recall", 0.15, "false_positive_rate", 0.15));
    List<PerformanceDailyTable.DailyPerformance> rows = List.of(
        realised(null, null, 10_000, 0.70, 0.40, 0.10),
        // AUC 0.12 below, TPR 0.20 above, FPR 0.05 above: two gaps beyond, one within
        realised("origin", "ORD", 900, 0.58, 0.60, 0.15),
        // within every threshold
        realised("origin", "ATL", 800, 0.79, 0.30, 0.20));
    List<Alert> alerts = Alerts.sliceGap(D, rows, config);
    assertThat(alerts).extracting(Alert::metric).containsExactly("roc_auc", "recall");
    assertThat(alerts).allSatisfy(alert -> {
      assertThat(alert.kind()).isEqualTo("slice_gap");
      assertThat(alert.severity()).isEqualTo("medium");
      assertThat(alert.columnName()).isEqualTo("origin=ORD");
      assertThat(alert.ds()).isEqualTo(D);
    });
    Alert auc = alerts.get(0);
    assertThat(auc.value()).isCloseTo(-0.12, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(auc.threshold()).isEqualTo(0.10);
    assertThat(auc.message()).isEqualTo("realised roc_auc of origin=ORD (900 rows) is 0.5800 against 0.7000 for the whole population of model v3"
        + " on 2001-03-10: a gap of -0.1200, beyond the allowed 0.1000");
  }

  @Test
  void aSliceWithTooFewLabelledRowsOrWithoutTheMetricNeverAlerts() {
    List<PerformanceDailyTable.DailyPerformance> rows = List.of(
        realised(null, null, 10_000, 0.70, 0.40, 0.10),
        realised("origin", "BOS", 199, 0.40, 0.90, 0.60),    // far off, but below min_rows
        realised("origin", "LAX", 200, null, 0.90, null),    // AUC undefined (one class), FPR too
        realised("origin", "SFO", 300, 0.69, null, 0.12));
    List<Alert> alerts = Alerts.sliceGap(D, rows, sliced(200, Map.of("roc_auc", 0.05, "recall", 0.15, "false_positive_rate", 0.15)));
    assertThat(alerts).extracting(Alert::columnName, Alert::metric).containsExactly(org.assertj.core.groups.Tuple.tuple("origin=LAX", "recall"));
    // the small slice is still reported (judged false), with its gaps
    assertThat(SliceGaps.of(rows, sliced(200, Map.of("roc_auc", 0.05)).slices()))
        .filteredOn(gap -> gap.sliceValue().equals("BOS") && gap.metric().equals("roc_auc"))
        .singleElement().satisfies(gap -> {
          assertThat(gap.judged()).isFalse();
          assertThat(gap.gap()).isCloseTo(-0.30, org.assertj.core.api.Assertions.within(1e-12));
          assertThat(gap.beyond()).isFalse();
        });
  }

  @Test
  void noSliceGapAlertsWithoutThresholdsOrWithoutTheWholePopulation() {
    List<PerformanceDailyTable.DailyPerformance> rows = List.of(realised(null, null, 10_000, 0.70, 0.40, 0.10), realised("origin", "ORD", 900, 0.40, 0.9, 0.6));
    assertThat(Alerts.sliceGap(D, rows, sliced(null, null))).isEmpty();
    assertThat(Alerts.sliceGap(D, rows.subList(1, 2), sliced(null, Map.of("roc_auc", 0.1)))).isEmpty();
    // estimated rows are not judged: the gap is of realised metrics
    PerformanceDailyTable.DailyPerformance estimated = new PerformanceDailyTable.DailyPerformance(D, 3, D.minusDays(1), 900, null, null, null, 0.40, Performance.ESTIMATED, "origin",
        "ORD", null, null, null, null, 0.9, null, 0.5, null, null, null, null, null, null, null, 0.6);
    assertThat(Alerts.sliceGap(D, List.of(rows.get(0), estimated), sliced(null, Map.of("roc_auc", 0.1)))).isEmpty();
  }

  @Test
  void aFeatureWhosePermutationIntervalIncludesZeroRaisesALowAlert() {
    List<Importance> importances = List.of(
        new Importance(D, 4, "gbt", "distance", "builtin", "gain", 0.0, null, null, null),
        new Importance(D, 4, "gbt", "hour_of_day", "permutation", "auc", 0.04, 0.03, 0.05, 5),
        new Importance(D, 4, "gbt", "day_of_week", "permutation", "auc", 0.001, -0.0005, 0.0025, 5),
        new Importance(D, 4, "gbt", "distance", "permutation", "auc", -0.002, -0.004, 0.0, 5));
    List<Alert> alerts = Alerts.featureImportance(D, importances);
    assertThat(alerts).extracting(Alert::columnName).containsExactly("day_of_week", "distance");
    assertThat(alerts).allSatisfy(alert -> {
      assertThat(alert.kind()).isEqualTo("feature_importance");
      assertThat(alert.severity()).isEqualTo("low");
      assertThat(alert.metric()).isEqualTo("auc_drop");
      assertThat(alert.threshold()).isZero();
    });
    assertThat(alerts.get(0).value()).isEqualTo(0.001);
    assertThat(alerts.get(0).message())
        .isEqualTo("day_of_week may not help model v4 (gbt): its permutation importance (how much worse auc gets on the validation window with"
            + " the feature shuffled) is +0.0010, 95% interval [-0.0005, +0.0025] over 5 blocks, which includes 0");
  }

  @Test
  void stalenessCountsTheModelAgeByLogicalDate() {
    MonitoringConfig config = config(List.of());
    assertThat(Alerts.staleness(D, 3, D.minusDays(14), config)).isEmpty();
    assertThat(Alerts.staleness(D, 3, D.minusDays(15), config)).singleElement().satisfies(alert -> assertThat(alert.severity()).isEqualTo("medium"));
    assertThat(Alerts.staleness(D, 3, D.minusDays(29), config)).singleElement().satisfies(alert -> assertThat(alert.severity()).isEqualTo("high"));
  }

  @Test
  void severityGrowsWithTheRatioToTheThreshold() {
    assertThat(DriftReport.severity(0.05, 0.2, false)).isEqualTo("none");
    assertThat(DriftReport.severity(0.1, 0.2, false)).isEqualTo("low");
    assertThat(DriftReport.severity(-0.2, 0.2, false)).isEqualTo("medium");
    assertThat(DriftReport.severity(0.4, 0.2, false)).isEqualTo("high");
    assertThat(DriftReport.severity(0.04, 0.05, true)).isEqualTo("medium");
    assertThat(DriftReport.severity(0.0, 0.05, true)).isEqualTo("high");
    assertThat(DriftReport.severity(0.5, 0.05, true)).isEqualTo("none");
  }

  private static DriftMetric drift(String column, String comparison, String sliceKey, String metric, double value, double threshold) {
    String severity = DriftReport.severity(value, threshold, metric.endsWith("_p_value"));
    return new DriftMetric(D, 2, sliceKey, sliceKey == null ? null : "ATL", column, comparison, metric, value, threshold,
        severity, severity.equals("medium") || severity.equals("high"));
  }

  @Test
  void driftRaisesOneAlertPerDriftedColumnWithItsWorstMetric() {
    List<DriftMetric> rows =
        List.of(
            drift("distance", "BASELINE", null, "psi", 0.3, 0.2),          // 1.5x: medium
            drift("distance", "BASELINE", null, "wasserstein", 0.45, 0.1), // 4.5x: high, the worst
            drift("distance", "BASELINE", null, "ks", 0.05, 0.1),          // not drifted: not listed
            drift("origin", "BASELINE", null, "psi", 0.1, 0.2),            // no drifted metric: no alert
            drift("hour_of_day", "CONSECUTIVE", null, "psi", 0.9, 0.2),    // vs yesterday: no alert
            drift("route", "BASELINE", "origin", "psi", 0.9, 0.2),         // a slice: no alert
            drift("*", "BASELINE", null, "drift_share", 0.6, 0.5));        // the dataset
    List<Alert> alerts = Alerts.drift(D, rows);
    assertThat(alerts).extracting(Alert::columnName).containsExactly("distance", "*");
    Alert distance = alerts.get(0);
    assertThat(distance.kind()).isEqualTo("drift");
    assertThat(distance.severity()).isEqualTo("high");
    assertThat(distance.metric()).isEqualTo("wasserstein");
    assertThat(distance.value()).isEqualTo(0.45);
    assertThat(distance.message()).contains("distance drifted", "model v2", "psi 0.3000", "wasserstein 0.4500").doesNotContain("ks");
    assertThat(alerts.get(1).message()).startsWith("the dataset drifted").contains("drift_share 0.6000");
  }
}
