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
class CandidateConfigTest {
  @TempDir Path dir;

  @Test
  void gridPointsAreEveryCombinationInAFixedOrder() {
    CandidateConfig gbt =
        new CandidateConfig("gbt", "gbt_classifier", Map.of("stepSize", 0.2), Map.of("maxIter", List.of(10, 20), "maxDepth", List.of(3, 5)), null);
    assertThat(gbt.gridPoints()).containsExactly(
        Map.of("stepSize", 0.2, "maxDepth", 3, "maxIter", 10), Map.of("stepSize", 0.2, "maxDepth", 3, "maxIter", 20),
        Map.of("stepSize", 0.2, "maxDepth", 5, "maxIter", 10), Map.of("stepSize", 0.2, "maxDepth", 5, "maxIter", 20));
    assertThat(new CandidateConfig("lr", "logistic_regression", null, null, true).gridPoints()).containsExactly(Map.of());
  }

  @Test
  void theShippedPipelineLoadsAndMismatchesFailWithTheKey() {
    PipelineConfig shipped = ConfigLoader.loadPipeline(TestPipelines.root().resolve("conf/pipelines/flight_delay.yaml")).config();
    assertThat(shipped.training().task()).isEqualTo(Task.BINARY_CLASSIFICATION);
    assertThat(shipped.gate().mode()).isEqualTo(GateConfig.Mode.ENABLED);
    assertThat(shipped.gate().slices().column()).isEqualTo("origin");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("training.task", "regression")))
        .isInstanceOf(NightcastException.class).hasMessageContaining("a binary_classification algorithm, but 'training.task' is regression");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("gate.thresholds", Map.of("rmse", 3))))
        .isInstanceOf(NightcastException.class).hasMessageContaining("'gate.thresholds.rmse' is not a binary_classification metric");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("gate.mode", "sometimes")))
        .isInstanceOf(NightcastException.class).hasMessageContaining("'gate.mode' must be one of [enabled, dry_run, disabled]");
    assertThatThrownBy(() -> TestPipelines.flightDelay(dir, Map.of("candidates.1.algorithm", "xgboost")))
        .isInstanceOf(NightcastException.class).hasMessageContaining("'candidates[1].algorithm' must be one of");
  }
}
