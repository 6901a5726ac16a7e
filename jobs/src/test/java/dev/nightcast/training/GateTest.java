package dev.nightcast.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.nightcast.config.GateConfig;
import dev.nightcast.config.Task;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The pure parts of training: the gate, the metrics and the schedule (no Spark). */
@Tag("unit")
class GateTest {
  private static final Gate.Evaluation GOOD = new Gate.Evaluation(Map.of("auc", 0.70), Map.of());
  private static final Gate.Evaluation BASELINE = new Gate.Evaluation(Map.of("auc", 0.65), Map.of());

  private static GateConfig gate(GateConfig.Mode mode, Double maxRegression, Double maxRelative, GateConfig.SliceGate slices) {
    return new GateConfig(mode, Map.of("auc", 0.60), true, maxRegression, maxRelative, slices);
  }

  private static Optional<Gate.ChampionEvaluation> champion(double auc) {
    return Optional.of(new Gate.ChampionEvaluation(1, new Gate.Evaluation(Map.of("auc", auc), Map.of())));
  }

  @Test
  void theFirstModelSkipsTheChampionChecksExplicitly() {
    Gate.Decision decision = Gate.decide(gate(GateConfig.Mode.ENABLED, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", false, GOOD, BASELINE, Optional.empty());
    assertThat(decision.promote()).isTrue();
    assertThat(decision.label()).isEqualTo("promoted");
    assertThat(decision.reasons()).containsExactly(
        "PASS test auc 0.7000 >= 0.6000",
        "PASS test auc 0.7000 vs baseline 0.6500: must be better",
        "PASS first model: no champion yet, change thresholds vs the champion do not apply");
  }

  @Test
  void absoluteThresholdAndBaselineFailuresReject() {
    Gate.Evaluation weak = new Gate.Evaluation(Map.of("auc", 0.58), Map.of());
    Gate.Decision decision = Gate.decide(gate(GateConfig.Mode.ENABLED, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", false, weak, BASELINE, Optional.empty());
    assertThat(decision.promote()).isFalse();
    assertThat(decision.summary()).startsWith("rejected: FAIL test auc 0.5800 >= 0.6000; FAIL test auc 0.5800 vs baseline 0.6500");
    // the baseline itself needs no win over itself
    Gate.Decision baseline = Gate.decide(gate(GateConfig.Mode.ENABLED, null, null, null), Task.BINARY_CLASSIFICATION, "lr", true, BASELINE, BASELINE, Optional.empty());
    assertThat(baseline.promote()).isTrue();
  }

  @Test
  void changeThresholdsVsTheChampionAreAbsoluteAndRelativeAndBothMustHold() {
    GateConfig both = gate(GateConfig.Mode.ENABLED, 0.02, 0.01, null);
    // 0.70 vs 0.71: worse by 0.01, within 0.02 absolute but above 1% of 0.71 (0.0071)
    assertThat(Gate.decide(both, Task.BINARY_CLASSIFICATION, "gbt", false, GOOD, BASELINE, champion(0.71)).passed()).isFalse();
    assertThat(Gate.decide(gate(GateConfig.Mode.ENABLED, 0.02, 0.02, null), Task.BINARY_CLASSIFICATION, "gbt", false, GOOD, BASELINE, champion(0.71)).passed()).isTrue();
    // no tolerance configured: must not be worse at all
    assertThat(Gate.decide(gate(GateConfig.Mode.ENABLED, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", false, GOOD, BASELINE, champion(0.7001)).passed()).isFalse();
    assertThat(Gate.decide(gate(GateConfig.Mode.ENABLED, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", false, GOOD, BASELINE, champion(0.69)).passed()).isTrue();
  }

  @Test
  void directionIsAwareOfLowerIsBetterMetrics() {
    GateConfig rmse = new GateConfig(GateConfig.Mode.ENABLED, Map.of("rmse", 30.0), true, 1.0, null, null);
    Gate.Evaluation candidate = new Gate.Evaluation(Map.of("rmse", 25.0), Map.of());
    Gate.Evaluation baseline = new Gate.Evaluation(Map.of("rmse", 26.0), Map.of());
    Optional<Gate.ChampionEvaluation> better = Optional.of(new Gate.ChampionEvaluation(1, new Gate.Evaluation(Map.of("rmse", 24.5), Map.of())));
    Optional<Gate.ChampionEvaluation> muchBetter = Optional.of(new Gate.ChampionEvaluation(1, new Gate.Evaluation(Map.of("rmse", 23.0), Map.of())));
    assertThat(Gate.decide(rmse, Task.REGRESSION, "gbt", false, candidate, baseline, better).reasons())
        .containsExactly("PASS test rmse 25.0000 <= 30.0000", "PASS test rmse 25.0000 vs baseline 26.0000: must be better",
            "PASS test rmse 25.0000 vs champion v1 24.5000: worse by 0.5000 (allowed: 1.0000 absolute)");
    assertThat(Gate.decide(rmse, Task.REGRESSION, "gbt", false, candidate, baseline, muchBetter).passed()).isFalse();
    assertThat(Gate.decide(rmse, Task.REGRESSION, "gbt", false, baseline, candidate, Optional.empty()).passed()).isFalse();
  }

  @Test
  void slicesAreCheckedOneByOne() {
    GateConfig.SliceGate slices = new GateConfig.SliceGate("origin", 2, 10, Map.of("auc", 0.6), 0.05);
    // slices arrive busiest first (Metrics.perSlice); Map.of would iterate in a random order
    Map<String, Map<String, Double>> bySlice = new java.util.LinkedHashMap<>();
    bySlice.put("ORD", Map.of("auc", 0.66));
    bySlice.put("ATL", Map.of("auc", 0.59));
    Gate.Evaluation candidate = new Gate.Evaluation(Map.of("auc", 0.70), bySlice);
    Optional<Gate.ChampionEvaluation> current =
        Optional.of(new Gate.ChampionEvaluation(4, new Gate.Evaluation(Map.of("auc", 0.69), Map.of("ORD", Map.of("auc", 0.72)))));
    Gate.Decision decision = Gate.decide(gate(GateConfig.Mode.ENABLED, 0.01, null, slices), Task.BINARY_CLASSIFICATION, "gbt", false, candidate, BASELINE, current);
    assertThat(decision.reasons()).filteredOn(r -> r.startsWith("FAIL")).containsExactly(
        "FAIL slice origin=ORD auc 0.6600 vs champion v4 0.7200: worse by 0.0600 (allowed: 0.0500 absolute)",
        "FAIL slice origin=ATL auc 0.5900 >= 0.6000");
    assertThat(decision.reasons()).contains("PASS slice origin=ATL auc 0.5900 vs champion v4 n/a: the champion's value is undefined, nothing to compare");
  }

  @Test
  void dryRunPromotesAFailedPickAndDisabledChecksNothing() {
    Gate.Evaluation weak = new Gate.Evaluation(Map.of("auc", 0.55), Map.of());
    Gate.Decision dryRun = Gate.decide(gate(GateConfig.Mode.DRY_RUN, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", false, weak, BASELINE, champion(0.7));
    assertThat(dryRun.passed()).isFalse();
    assertThat(dryRun.promote()).isTrue();
    assertThat(dryRun.label()).isEqualTo("promoted_dry_run");
    Gate.Decision disabled = Gate.decide(gate(GateConfig.Mode.DISABLED, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", false, weak, BASELINE, champion(0.7));
    assertThat(disabled.promote()).isTrue();
    assertThat(disabled.reasons()).containsExactly("PASS gate disabled: no checks run");
  }

  @Test
  void metricsMatchHandComputedValuesWhateverTheRowOrder() {
    // scores 0.9(1) 0.8(0) 0.8(1) 0.3(0): of 4 positive/negative pairs, 3 won, 1 tied -> AUC 3.5/4
    double[] scores = {0.3, 0.8, 0.9, 0.8};
    double[] labels = {0, 1, 1, 0};
    Map<String, Double> metrics = Metrics.compute(Task.BINARY_CLASSIFICATION, scores, labels);
    assertThat(metrics.get("auc")).isEqualTo(0.875);
    // thresholds: 0.9 -> precision 1 (recall +1/2); 0.8 group -> precision 2/3 (recall +1/2)
    assertThat(metrics.get("average_precision")).isCloseTo((1.0 + 2.0 / 3) / 2, within(1e-12));
    assertThat(Metrics.compute(Task.BINARY_CLASSIFICATION, new double[] {0.8, 0.3, 0.8, 0.9}, new double[] {0, 0, 1, 1})).isEqualTo(metrics);
    assertThat(Metrics.compute(Task.BINARY_CLASSIFICATION, new double[] {0.2, 0.4}, new double[] {1, 1})).isEmpty();
    Map<String, Double> regression = Metrics.compute(Task.REGRESSION, new double[] {1, 2, 5}, new double[] {1, 4, 4});
    assertThat(regression.get("mae")).isEqualTo(1.0);
    assertThat(regression.get("rmse")).isCloseTo(Math.sqrt(5.0 / 3), within(1e-12));
    assertThat(regression.get("r2")).isCloseTo(1 - 5.0 / 6, within(1e-12));
  }

  @Test
  void slicesAreTheBusiestWithEnoughRows() {
    Metrics.Scored scored =
        new Metrics.Scored(new double[] {0.9, 0.1, 0.8, 0.2, 0.7, 0.5}, new double[] {1, 0, 1, 0, 0, 1}, new String[] {"B", "B", "A", "A", "A", "C"});
    Map<String, Map<String, Double>> slices = Metrics.perSlice(Task.BINARY_CLASSIFICATION, scored, 5, 2);
    assertThat(slices.keySet()).containsExactly("A", "B");
    assertThat(slices.get("B").get("auc")).isEqualTo(1.0);
    assertThat(slices.get("A").get("auc")).isEqualTo(1.0);
  }

  @Test
  void trainingIsDueFirstOnAFullWindowThenOnScheduleOrOnASignal() {
    LocalDate ds = LocalDate.parse("2001-01-10");
    assertThat(TrainingSchedule.due(ds, false, Optional.empty(), 7, Optional.empty(), 13, 14)).isEmpty();
    assertThat(TrainingSchedule.due(ds, false, Optional.empty(), 7, Optional.empty(), 14, 14)).isPresent();
    assertThat(TrainingSchedule.due(ds, true, Optional.of(ds.minusDays(6)), 7, Optional.empty(), 0, 14)).isEmpty();
    assertThat(TrainingSchedule.due(ds, true, Optional.of(ds.minusDays(7)), 7, Optional.empty(), 0, 14)).contains(
        "the last training was 7 days ago (retrain_every_days 7)");
    assertThat(TrainingSchedule.due(ds, true, Optional.of(ds.minusDays(1)), 7, Optional.of("psi 0.4 on origin"), 0, 14)).contains(
        "monitoring raised a retrain signal on 2001-01-09: psi 0.4 on origin");
  }
}
