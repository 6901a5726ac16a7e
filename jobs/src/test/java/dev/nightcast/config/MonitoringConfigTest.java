package dev.nightcast.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.NightcastException;
import dev.nightcast.testing.TestPipelines;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class MonitoringConfigTest {
  @TempDir Path dir;

  @Test
  void theSamplePipelineDeclaresSlicesThresholdsAndRules() {
    MonitoringConfig monitoring = TestPipelines.flightDelay(dir, Map.of()).config().monitoring();
    Map<String, Double> busy = Map.of("roc_auc", 0.10, "recall", 0.15, "false_positive_rate", 0.15);
    assertThat(monitoring.slices()).containsExactly(
        new MonitoringConfig.SliceConfig("origin", 5, 200, busy),
        new MonitoringConfig.SliceConfig("daypart", 4, 200, Map.of("roc_auc", 0.15, "recall", 0.15, "false_positive_rate", 0.15)));
    assertThat(monitoring.drift().threshold("distance", "psi")).isEqualTo(0.2);
    assertThat(monitoring.drift().threshold("distance", "chi2_p_value")).isEqualTo(0.05); // a documented default
    assertThat(monitoring.retrainRules()).containsExactly(new MonitoringConfig.RetrainRule("roc_auc", 0.55, 3, 5));
  }

  @Test
  void columnOverridesWinOverTheMetricThreshold() {
    MonitoringConfig monitoring =
        TestPipelines.flightDelay(dir, Map.of("monitoring.drift.columns", Map.of("distance", Map.of("psi", 0.35)))).config().monitoring();
    assertThat(monitoring.drift().threshold("distance", "psi")).isEqualTo(0.35);
    assertThat(monitoring.drift().threshold("origin", "psi")).isEqualTo(0.2);
  }

  @Test
  void unknownKeysAndMetricsFailWithTheKeyPath() {
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.psi_treshold", 0.3)))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("unknown key 'monitoring.psi_treshold'");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.drift.thresholds", Map.of("kl", 0.1))))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("unknown metric 'kl'");
    assertThatThrownBy(
            () -> TestPipelines.flightDelay(dir, Map.of("monitoring.retrain_rules", List.of(Map.of("metric", "roc_auc", "threshold", 0.6, "breaches", 6, "lookback_nights", 5)))))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'monitoring.retrain_rules[0].breaches' must be within 1..lookback_nights");
  }

  @Test
  void floorsAndRulesDefaultPerTaskAndWatchOnlyTheTasksMetrics() {
    Map<String, Object> regression = regression(List.of(Map.of("column", "origin", "top", 5)));
    Map<String, Object> regressionDefaults = new java.util.HashMap<>(regression);
    regressionDefaults.put("monitoring.performance_floors", null);
    regressionDefaults.put("monitoring.retrain_rules", null);
    MonitoringConfig monitoring = TestPipelines.flightDelay(dir, regressionDefaults).config().monitoring();
    // R² needs no knowledge of the label's scale: below 0, worse than predicting the night's mean
    assertThat(monitoring.performanceFloors()).isEqualTo(Map.of("r2", 0.0));
    assertThat(monitoring.retrainRules()).containsExactly(new MonitoringConfig.RetrainRule("r2", 0.0, 3, 5));

    // the sample's roc_auc floor and rule mean nothing to a regression
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, regression))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'monitoring.performance_floors.roc_auc' is not a regression metric [mae, r2, rmse]");
    Map<String, Object> auc = new java.util.HashMap<>(regression);
    auc.put("monitoring.performance_floors", Map.of("rmse", 30.0));
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, auc))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'monitoring.retrain_rules[0].metric' roc_auc is not a regression metric");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.performance_floors", Map.of("rmse", 30.0))))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'monitoring.performance_floors.rmse' is not a binary_classification metric");
  }

  @Test
  void sliceGapsNeedPositiveGapsOfTheTasksMetricsAndAPositiveMinRows() {
    MonitoringConfig plain = TestPipelines.flightDelay(dir, Map.of("monitoring.slices", List.of(Map.of("column", "origin")))).config().monitoring();
    assertThat(plain.slices()).containsExactly(new MonitoringConfig.SliceConfig("origin", 10, 200, Map.of()));

    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.slices.1.max_gap", Map.of("tpr", 0.1))))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'monitoring.slices[1].max_gap.tpr' is not a binary_classification metric");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.slices.0.max_gap", Map.of("roc_auc", 0.0))))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'monitoring.slices[0].max_gap.roc_auc' must be positive (got 0.0)");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.slices.0.min_rows", 0)))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'monitoring.slices[0].min_rows' must be positive (got 0)");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.slices.0.max_gaps", Map.of("roc_auc", 0.1))))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("unknown key 'monitoring.slices[0].max_gaps'");
    // a regression has no false positive rate; its gaps are of its own metrics
    Map<String, Object> regression = regression(List.of(Map.of("column", "origin", "max_gap", Map.of("false_positive_rate", 0.1))));
    regression.put("monitoring.performance_floors", Map.of("rmse", 30.0));
    regression.put("monitoring.retrain_rules", List.of());
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, regression))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'monitoring.slices[0].max_gap.false_positive_rate' is not a regression metric [mae, r2, rmse]");
    regression.put("monitoring.slices", List.of(Map.of("column", "origin", "max_gap", Map.of("rmse", 5.0))));
    assertThat(TestPipelines.flightDelay(dir, regression).config().monitoring().slices().get(0).maxGap()).isEqualTo(Map.of("rmse", 5.0));
  }

  /** The sample pipeline as a regression of the delay minutes, with {@code slices} (the sample's gaps are classification metrics). */
  private static Map<String, Object> regression(List<Map<String, Object>> slices) {
    return new java.util.HashMap<>(Map.of(
        "training.task", "regression", "label.threshold", 15.0, "gate.thresholds", Map.of("rmse", 60.0), "gate.slices", Map.of(
            "column", "origin", "thresholds", Map.of("rmse", 80.0)),
        "candidates", List.of(Map.of("name", "linear", "algorithm", "linear_regression", "baseline", true)), "monitoring.slices", slices));
  }

  @Test
  void driftExcludesOnlyFeatures() {
    assertThat(TestPipelines.flightDelay(dir, Map.of()).config().monitoring().drift().exclude()).containsExactly("day_of_week");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.drift.exclude", List.of("day_of_wek"))))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'monitoring.drift.exclude' names 'day_of_wek', which is not a feature");
  }
}
