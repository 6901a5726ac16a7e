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

/** The pure parts of training: the gate, the slice selection, the schedule (no Spark). */
@Tag("unit")
class GateTest {
  private static final Gate.Evaluation GOOD = new Gate.Evaluation(Map.of("auc", 0.70), Map.of());
  private static final Gate.Evaluation BASELINE = new Gate.Evaluation(Map.of("auc", 0.65), Map.of());

  private static GateConfig gate(GateConfig.Mode mode, Double maxRegression, Double maxRelative, GateConfig.SliceGate slices) {
    return new GateConfig(mode, Map.of("auc", 0.60), true, maxRegression, maxRelative, slices);
  }

  /** A champion with its AUC and the paired interval of the pick's improvement over it: [lower, upper] around the difference. */
  private static Optional<Gate.ChampionEvaluation> champion(double auc, double difference, double lower, double upper) {
    return Optional.of(
        new Gate.ChampionEvaluation(
            1, new Gate.Evaluation(Map.of("auc", auc), Map.of()), new Gate.Paired(new Gate.Interval(difference, lower, upper, PairedComparison.DELONG, 2000), Map.of())));
  }

  @Test
  void theFirstModelSkipsTheChampionChecksExplicitly() {
    Gate.Decision decision = Gate.decide(gate(GateConfig.Mode.ENABLED, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", false, GOOD, Map.of(), BASELINE, Optional.empty());
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
    Gate.Decision decision = Gate.decide(gate(GateConfig.Mode.ENABLED, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", false, weak, Map.of(), BASELINE, Optional.empty());
    assertThat(decision.promote()).isFalse();
    assertThat(decision.summary()).startsWith("rejected: FAIL test auc 0.5800 >= 0.6000; FAIL test auc 0.5800 vs baseline 0.6500");
    // the baseline itself needs no win over itself
    Gate.Decision baseline = Gate.decide(gate(GateConfig.Mode.ENABLED, null, null, null), Task.BINARY_CLASSIFICATION, "lr", true, BASELINE, Map.of(), BASELINE, Optional.empty());
    assertThat(baseline.promote()).isTrue();
  }

  @Test
  void changeThresholdsVsTheChampionAreAbsoluteAndRelativeAndBothMustHold() {
    GateConfig both = gate(GateConfig.Mode.ENABLED, 0.02, 0.01, null);
    // 0.70 vs 0.71, the interval [-0.012, -0.008]: worse by at least 0.008, within 0.02 absolute but above 1% of 0.71 (0.0071)
    Gate.Decision worse = Gate.decide(both, Task.BINARY_CLASSIFICATION, "gbt", false, GOOD, Map.of(), BASELINE, champion(0.71, -0.01, -0.012, -0.008));
    assertThat(worse.passed()).isFalse();
    assertThat(worse.reasons()).contains(
        "FAIL test auc 0.7000 vs champion v1 0.7100: paired difference -0.0100, 95% DeLong interval [-0.0120, -0.0080] over 2000"
            + " rows; worse by at least 0.0080 (allowed: 0.0200 absolute, 1.0% relative)");
    assertThat(Gate.decide(gate(GateConfig.Mode.ENABLED, 0.02, 0.02, null), Task.BINARY_CLASSIFICATION, "gbt", false, GOOD, Map.of(), BASELINE,
        champion(0.71, -0.01, -0.012, -0.008)).passed()).isTrue();
    // no tolerance configured: must not be shown worse at all
    GateConfig none = gate(GateConfig.Mode.ENABLED, null, null, null);
    assertThat(Gate.decide(none, Task.BINARY_CLASSIFICATION, "gbt", false, GOOD, Map.of(), BASELINE, champion(0.7001, -0.0001, -0.0002, -0.00005)).passed()).isFalse();
    assertThat(Gate.decide(none, Task.BINARY_CLASSIFICATION, "gbt", false, GOOD, Map.of(), BASELINE, champion(0.69, 0.01, 0.005, 0.015)).passed()).isTrue();
  }

  @Test
  void aPickWorseOnTheWindowButNotShownWorseByItsPairedIntervalPasses() {
    // 0.70 vs 0.72 on one hard window, yet the interval [-0.045, +0.004] reaches past the allowed -0.01: not shown worse
    Gate.Decision decision =
        Gate.decide(gate(GateConfig.Mode.ENABLED, 0.01, null, null), Task.BINARY_CLASSIFICATION, "gbt", false, GOOD, Map.of(), BASELINE,
            champion(0.72, -0.02, -0.045, 0.004));
    assertThat(decision.passed()).isTrue();
    assertThat(decision.reasons()).anyMatch(r -> r.startsWith("PASS test auc 0.7000 vs champion v1 0.7200") && r.endsWith("worse by at least 0.0000 (allowed: 0.0100 absolute)"));
  }

  @Test
  void floorsApplyToTheBacktestMeanWhenThereIsOne() {
    Gate.Evaluation hardWindow = new Gate.Evaluation(Map.of("auc", 0.58), Map.of());
    Map<String, Backtest.Summary> backtest =
        Map.of("auc", new Backtest.Summary(0.66, 0.62, 0.70, 3), "average_precision", new Backtest.Summary(0.30, 0.25, 0.35, 3));
    Gate.Decision decision = Gate.decide(gate(GateConfig.Mode.ENABLED, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", true, hardWindow, backtest, BASELINE, Optional.empty());
    assertThat(decision.passed()).isTrue();
    assertThat(decision.reasons()).first().isEqualTo("PASS backtest mean auc 0.6600 >= 0.6000 (3 folds, 95% t interval [0.6200, 0.7000]; test window 0.5800)");
    Map<String, Backtest.Summary> weak = Map.of("auc", new Backtest.Summary(0.59, null, null, 1));
    assertThat(Gate.decide(gate(GateConfig.Mode.ENABLED, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", true, GOOD, weak, BASELINE, Optional.empty()).reasons())
        .first().isEqualTo("FAIL backtest mean auc 0.5900 >= 0.6000 (1 folds, 95% t interval n/a (one fold); test window 0.7000)");
  }

  @Test
  void theBacktestIntervalIsStudentTOverTheFolds() {
    // mean 0.72, sd 0.02, t(0.975, 2) = 4.3027 (tables): half width 4.3027 * 0.02 / sqrt(3) = 0.04968
    Backtest.Summary summary = Backtest.summarize(new double[] {0.70, 0.74, 0.72});
    assertThat(summary.mean()).isCloseTo(0.72, within(1e-12));
    assertThat(summary.lower()).isCloseTo(0.72 - 0.04968, within(1e-5));
    assertThat(summary.upper()).isCloseTo(0.72 + 0.04968, within(1e-5));
    assertThat(Backtest.summarize(new double[] {0.7})).isEqualTo(new Backtest.Summary(0.7, null, null, 1));
    assertThat(Backtest.summarize(new double[0]).mean()).isNull();
  }

  @Test
  void directionIsAwareOfLowerIsBetterMetrics() {
    GateConfig rmse = new GateConfig(GateConfig.Mode.ENABLED, Map.of("rmse", 30.0), true, 1.0, null, null);
    Gate.Evaluation candidate = new Gate.Evaluation(Map.of("rmse", 25.0), Map.of());
    Gate.Evaluation baseline = new Gate.Evaluation(Map.of("rmse", 26.0), Map.of());
    // improvement = champion's RMSE minus the pick's: -0.5 in [-0.7, -0.3]; -2.0 in [-2.3, -1.7]
    Optional<Gate.ChampionEvaluation> better = Optional.of(new Gate.ChampionEvaluation(1, new Gate.Evaluation(Map.of("rmse", 24.5), Map.of()),
        new Gate.Paired(new Gate.Interval(-0.5, -0.7, -0.3, PairedComparison.DELTA_METHOD, 300), Map.of())));
    Optional<Gate.ChampionEvaluation> muchBetter = Optional.of(new Gate.ChampionEvaluation(1, new Gate.Evaluation(Map.of("rmse", 23.0), Map.of()),
        new Gate.Paired(new Gate.Interval(-2.0, -2.3, -1.7, PairedComparison.DELTA_METHOD, 300), Map.of())));
    assertThat(Gate.decide(rmse, Task.REGRESSION, "gbt", false, candidate, Map.of(), baseline, better).reasons())
        .containsExactly("PASS test rmse 25.0000 <= 30.0000", "PASS test rmse 25.0000 vs baseline 26.0000: must be better",
            "PASS test rmse 25.0000 vs champion v1 24.5000: paired difference -0.5000, 95% delta-method interval [-0.7000, -0.3000] over 300"
                + " rows; worse by at least 0.3000 (allowed: 1.0000 absolute)");
    assertThat(Gate.decide(rmse, Task.REGRESSION, "gbt", false, candidate, Map.of(), baseline, muchBetter).passed()).isFalse();
    assertThat(Gate.decide(rmse, Task.REGRESSION, "gbt", false, baseline, Map.of(), candidate, Optional.empty()).passed()).isFalse();
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
        Optional.of(new Gate.ChampionEvaluation(4, new Gate.Evaluation(Map.of("auc", 0.69), Map.of("ORD", Map.of("auc", 0.72))),
            new Gate.Paired(new Gate.Interval(0.01, 0.0, 0.02, PairedComparison.DELONG, 2000),
                Map.of("ORD", new Gate.Interval(-0.06, -0.08, -0.055, PairedComparison.DELONG, 400)))));
    Gate.Decision decision = Gate.decide(gate(GateConfig.Mode.ENABLED, 0.01, null, slices), Task.BINARY_CLASSIFICATION, "gbt", false, candidate, Map.of(), BASELINE, current);
    assertThat(decision.reasons()).filteredOn(r -> r.startsWith("FAIL")).containsExactly(
        "FAIL slice origin=ORD auc 0.6600 vs champion v4 0.7200: paired difference -0.0600, 95% DeLong interval [-0.0800, -0.0550] over"
            + " 400 rows; worse by at least 0.0550 (allowed: 0.0500 absolute)",
        "FAIL slice origin=ATL auc 0.5900 >= 0.6000");
    assertThat(decision.reasons()).contains("PASS slice origin=ATL auc 0.5900 vs champion v4 n/a: the champion's value is undefined, nothing to compare");
  }

  @Test
  void dryRunPromotesAFailedPickAndDisabledChecksNothing() {
    Gate.Evaluation weak = new Gate.Evaluation(Map.of("auc", 0.55), Map.of());
    Gate.Decision dryRun = Gate.decide(gate(GateConfig.Mode.DRY_RUN, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", false, weak, Map.of(), BASELINE, champion(0.7, -0.15, -0.2, -0.1));
    assertThat(dryRun.passed()).isFalse();
    assertThat(dryRun.promote()).isTrue();
    assertThat(dryRun.label()).isEqualTo("promoted_dry_run");
    Gate.Decision disabled = Gate.decide(gate(GateConfig.Mode.DISABLED, null, null, null), Task.BINARY_CLASSIFICATION, "gbt", false, weak, Map.of(), BASELINE, champion(0.7, -0.15, -0.2, -0.1));
    assertThat(disabled.promote()).isTrue();
    assertThat(disabled.reasons()).containsExactly("PASS gate disabled: no checks run");
  }

  @Test
  void slicesAreTheBusiestWithEnoughRows() {
    // groups as Metrics.compute returns them over Metrics.scopes: the whole window and "=" + slice
    Map<String, Metrics.Evaluated> groups = Map.of(
        Metrics.ALL, new Metrics.Evaluated(9, Map.of("auc", 0.7)),
        "=B", new Metrics.Evaluated(3, Map.of("auc", 0.8)),
        "=A", new Metrics.Evaluated(3, Map.of("auc", 0.6)),
        "=D", new Metrics.Evaluated(2, Map.of("auc", 0.5)),
        "=C", new Metrics.Evaluated(1, Map.of()));
    assertThat(Metrics.perSlice(groups, 5, 2)).containsExactly(
        Map.entry("A", Map.of("auc", 0.6)), Map.entry("B", Map.of("auc", 0.8)), Map.entry("D", Map.of("auc", 0.5)));
    assertThat(Metrics.perSlice(groups, 1, 2).keySet()).containsExactly("A");
  }

  @Test
  void theSampleVarianceOfIntegersIsExact() {
    // 1, 2, 3, 4: mean 2.5, squares 30 -> (4 * 30 - 100) / 12
    assertThat(PairedComparison.variance(10, java.math.BigDecimal.valueOf(30), 4)).isEqualTo(20.0 / 12);
    // a sum of squares past a long's range: 3 values of 4e9 and one of -4e9 (not representable by the sum of squares in a long)
    long big = 4_000_000_000L;
    java.math.BigDecimal squares = java.math.BigDecimal.valueOf(big).pow(2).multiply(java.math.BigDecimal.valueOf(4));
    assertThat(PairedComparison.variance(2 * big, squares, 4)).isCloseTo((double) big * big, org.assertj.core.api.Assertions.withinPercentage(1e-12));
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
