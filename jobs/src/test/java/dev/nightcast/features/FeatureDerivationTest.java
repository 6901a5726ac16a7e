package dev.nightcast.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.testing.TestPipelines;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What makes stored feature rows another derivation: what their values depend on, and nothing else. */
@Tag("unit")
class FeatureDerivationTest {
  @TempDir Path dir;

  private String derivation(Map<String, Object> overrides) {
    return Features.derivation(TestPipelines.flightDelay(dir, overrides).config());
  }

  @Test
  void changesWithWhatTheStoredValuesDependOn() {
    String shipped = derivation(Map.of());
    assertThat(shipped).matches("[0-9a-f]{32}").isEqualTo(derivation(Map.of()));
    Map<String, Map<String, Object>> changes = Map.of(
        "a feature added", Map.of("features.10", Map.of("name", "dep_minute", "expr", "minute(dep_time)", "type", "numeric")),
        "an expr changed", Map.of("features.0.expr", "hour(dep_time) + 1"),
        "a clip changed", Map.of("features.2.clip", java.util.List.of(50, 2500)),
        "a constant imputation", Map.of("features.2.impute", "constant", "features.2.impute_value", 0),
        "a history window changed", Map.of("features.8.history.days", 14),
        "the label's threshold", Map.of("label.threshold", 30));
    changes.forEach((what, override) -> assertThat(derivation(override)).as(what).isNotEqualTo(shipped));
  }

  @Test
  void learnedImputationAndCategoryCapsActInsideTheModelAndLeaveItAlone() {
    assertThat(derivation(Map.of("features.2.impute", "mean", "features.7.max_categories", 20))).isEqualTo(derivation(Map.of()));
  }
}
