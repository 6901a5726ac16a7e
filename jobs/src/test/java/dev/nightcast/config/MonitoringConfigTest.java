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
  void driftExcludesOnlyFeatures() {
    assertThat(TestPipelines.flightDelay(dir, Map.of()).config().monitoring().drift().exclude()).containsExactly("day_of_week");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("monitoring.drift.exclude", List.of("day_of_wek"))))
        .isInstanceOf(NightcastException.class)
        .hasMessageContaining("'monitoring.drift.exclude' names 'day_of_wek', which is not a feature");
  }
}
