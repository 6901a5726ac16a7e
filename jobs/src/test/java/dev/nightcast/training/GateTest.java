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

  /** A champion with its AUC and the paired interval of the pick's improvement over it: [lower, upper] around the difference. */
  private static Optional<Gate.ChampionEvaluation> champion(double auc, double difference, double lower, double upper) {
    return Optional.of(
        new Gate.ChampionEvaluation(
            1, new Gate.Evaluation(Map.of("auc", auc), Map.of()), new Gate.Paired(new Gate.Interval(difference, lower, upper, 500), Map.of())));
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
        "FAIL test auc 0.7000 vs champion v1 0.7100: paired difference -0.0100, 95% bootstrap interval [-0.0120, -0.0080] over 500"
            + " resamples; worse by at least 0.0080 (allowed: 0.0200 absolute, 1.0% relative)");
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
  void thePairedIntervalIsThePercentileIntervalOfResampledDifferences() {
    // rows with ties and two slices; the champion scores the same rows
    int n = 400;
    java.util.Random data = new java.util.Random(3);
    double[] labels = new double[n];
    double[] mine = new double[n];
    double[] theirs = new double[n];
    String[] slices = new String[n];
    for (int i = 0; i < n; i++) {
      labels[i] = data.nextDouble() < 0.25 ? 1 : 0;
      mine[i] = Math.round((labels[i] * 0.3 + data.nextDouble()) * 20) / 20.0;
      theirs[i] = Math.round((labels[i] * 0.5 + data.nextDouble()) * 20) / 20.0;
      slices[i] = i % 3 == 0 ? "A" : "B";
    }
    Metrics.Scored pick = new Metrics.Scored(mine, labels, slices);
    Metrics.Scored champion = new Metrics.Scored(theirs, labels, slices);
    Gate.Paired paired = PairedBootstrap.compare(Task.BINARY_CLASSIFICATION, pick, champion, java.util.List.of("A"), 42);
    assertThat(paired.overall()).isEqualTo(naive(pick, champion, java.util.stream.IntStream.range(0, n).toArray(), 42));
    assertThat(paired.slices().get("A")).isEqualTo(naive(pick, champion, java.util.stream.IntStream.range(0, n).filter(i -> i % 3 == 0).toArray(), 42));
    assertThat(paired.overall().lower()).isLessThan(paired.overall().estimate()).isLessThan(0);
    assertThat(paired.overall().upper()).isGreaterThan(paired.overall().estimate());
    // the same model on the same rows: every resample's difference is 0
    assertThat(PairedBootstrap.compare(Task.BINARY_CLASSIFICATION, pick, pick, java.util.List.of(), 42).overall())
        .isEqualTo(new Gate.Interval(0, 0, 0, PairedBootstrap.RESAMPLES));
  }

  /**
   * The interval by the book: each resample draws the rows (the same seeded draws), copies them out
   * and computes both AUCs with {@link Metrics#compute}; the 2.5% and 97.5% nearest-rank percentiles.
   */
  private static Gate.Interval naive(Metrics.Scored pick, Metrics.Scored champion, int[] rows, long seed) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    java.util.List<Double> differences = new java.util.ArrayList<>();
    for (int b = 0; b < PairedBootstrap.RESAMPLES; b++) {
      double[] s1 = new double[rows.length];
      double[] s2 = new double[rows.length];
      double[] y = new double[rows.length];
      for (int k = 0; k < rows.length; k++) {
        int row = rows[random.nextInt(rows.length)];
        s1[k] = pick.scores()[row];
        s2[k] = champion.scores()[row];
        y[k] = pick.labels()[row];
      }
      Double a = Metrics.compute(Task.BINARY_CLASSIFICATION, s1, y).get("auc");
      Double c = Metrics.compute(Task.BINARY_CLASSIFICATION, s2, y).get("auc");
      if (a != null && c != null) {
        differences.add(a - c);
      }
    }
    double[] sorted = differences.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double[] s1 = java.util.Arrays.stream(rows).mapToDouble(i -> pick.scores()[i]).toArray();
    double[] s2 = java.util.Arrays.stream(rows).mapToDouble(i -> champion.scores()[i]).toArray();
    double[] y = java.util.Arrays.stream(rows).mapToDouble(i -> pick.labels()[i]).toArray();
    double estimate = Metrics.compute(Task.BINARY_CLASSIFICATION, s1, y).get("auc") - Metrics.compute(Task.BINARY_CLASSIFICATION, s2, y).get("auc");
    return new Gate.Interval(estimate, sorted[(int) Math.ceil(0.025 * sorted.length) - 1], sorted[(int) Math.ceil(0.975 * sorted.length) - 1], sorted.length);
  }

  @Test
  void directionIsAwareOfLowerIsBetterMetrics() {
    GateConfig rmse = new GateConfig(GateConfig.Mode.ENABLED, Map.of("rmse", 30.0), true, 1.0, null, null);
    Gate.Evaluation candidate = new Gate.Evaluation(Map.of("rmse", 25.0), Map.of());
    Gate.Evaluation baseline = new Gate.Evaluation(Map.of("rmse", 26.0), Map.of());
    // improvement = champion's RMSE minus the pick's: -0.5 in [-0.7, -0.3]; -2.0 in [-2.3, -1.7]
    Optional<Gate.ChampionEvaluation> better = Optional.of(new Gate.ChampionEvaluation(1, new Gate.Evaluation(Map.of("rmse", 24.5), Map.of()),
        new Gate.Paired(new Gate.Interval(-0.5, -0.7, -0.3, 500), Map.of())));
    Optional<Gate.ChampionEvaluation> muchBetter = Optional.of(new Gate.ChampionEvaluation(1, new Gate.Evaluation(Map.of("rmse", 23.0), Map.of()),
        new Gate.Paired(new Gate.Interval(-2.0, -2.3, -1.7, 500), Map.of())));
    assertThat(Gate.decide(rmse, Task.REGRESSION, "gbt", false, candidate, Map.of(), baseline, better).reasons())
        .containsExactly("PASS test rmse 25.0000 <= 30.0000", "PASS test rmse 25.0000 vs baseline 26.0000: must be better",
            "PASS test rmse 25.0000 vs champion v1 24.5000: paired difference -0.5000, 95% bootstrap interval [-0.7000, -0.3000] over 500"
                + " resamples; worse by at least 0.3000 (allowed: 1.0000 absolute)");
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
            new Gate.Paired(new Gate.Interval(0.01, 0.0, 0.02, 500), Map.of("ORD", new Gate.Interval(-0.06, -0.08, -0.055, 500)))));
    Gate.Decision decision = Gate.decide(gate(GateConfig.Mode.ENABLED, 0.01, null, slices), Task.BINARY_CLASSIFICATION, "gbt", false, candidate, Map.of(), BASELINE, current);
    assertThat(decision.reasons()).filteredOn(r -> r.startsWith("FAIL")).containsExactly(
        "FAIL slice origin=ORD auc 0.6600 vs champion v4 0.7200: paired difference -0.0600, 95% bootstrap interval [-0.0800, -0.0550] over"
            + " 500 resamples; worse by at least 0.0550 (allowed: 0.0500 absolute)",
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
