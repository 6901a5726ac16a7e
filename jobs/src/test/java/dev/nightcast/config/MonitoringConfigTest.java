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
    assertThat(monitoring.slices()).containsExactly(new MonitoringConfig.SliceConfig("origin", 5));
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
    Map<String, Object> regression = Map.of(
        "training.task", "regression", "label.threshold", 15.0, "gate.thresholds", Map.of("rmse", 60.0), "gate.slices", Map.of(
            "column", "origin", "thresholds", Map.of("rmse", 80.0)),
        "candidates", List.of(Map.of("name", "linear", "algorithm", "linear_regression", "baseline", true)));
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
  void driftExcludesOnlyFeatures() {
    assertThat(TestPipelines.flightDelay(dir, Map.of()).config().monitoring().drift().exclude()).containsExactly("day_of_week");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.drift.exclude", List.of("day_of_wek"))))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'monitoring.drift.exclude' names 'day_of_wek', which is not a feature");
  }
}
