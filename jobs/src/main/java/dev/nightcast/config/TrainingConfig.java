package dev.nightcast.config;

import java.util.Map;

/**
 * When and on what to train. The training window is the {@code windowDays} labelled days before the
 * logical date; its last {@code testDays} are the test window, the {@code validationDays} before them
 * the validation window, and the rest the train window. Fixed lengths in days, not shares of the
 * window: a gate decision rests on as many days whatever the window, and whole days hold every hour
 * of the day (a share of a 14-day window cut the test window at 09:36 on its second-to-last day).
 *
 * @param task optional in YAML, {@code binary_classification} when absent
 * @param validationDays optional, 3 when absent: days the candidates are tuned, picked and calibrated on
 * @param testDays optional, 3 when absent: days the pick and the champion are evaluated and gated on
 * @param parallelism how many grid points fit at the same time; optional, 1 when absent (each fit
 *     already uses every core of a 2-core machine, so more mostly adds memory pressure)
 * @param backtest optional, 3 folds of {@code testDays} each when absent
 * @param importance optional, 5 permutation repeats when absent
 */
public record TrainingConfig(
    Task task,
    int windowDays,
    Double validationDays,
    Double testDays,
    int retrainEveryDays,
    long seed,
    Integer parallelism,
    Backtest backtest,
    Importance importance) {
  private static final String DAYS_NOT_FRACTIONS =
      "the evaluation windows are counted in days now: write validation_days and test_days (e.g. 3 and 3) instead of"
          + " train_fraction and validation_fraction; the train window is the rest of window_days";

  /** Keys that no longer exist, with what to write instead (the loader adds it to its "unknown key" error). */
  public static final Map<String, String> RETIRED_KEYS = Map.of("train_fraction", DAYS_NOT_FRACTIONS, "validation_fraction", DAYS_NOT_FRACTIONS);

  public TrainingConfig {
    task = task == null ? Task.BINARY_CLASSIFICATION : task;
    Check.positive(windowDays, "window_days");
    validationDays = validationDays == null ? 3 : validationDays;
    testDays = testDays == null ? 3 : testDays;
    Check.that(validationDays > 0, "'validation_days' must be positive (got " + validationDays + ")");
    Check.that(testDays > 0, "'test_days' must be positive (got " + testDays + ")");
    Check.that(
        validationDays + testDays < windowDays,
        "'validation_days' + 'test_days' must leave a train window within 'window_days' " + windowDays + " (got "
            + (validationDays + testDays) + " days)");
    Check.positive(retrainEveryDays, "retrain_every_days");
    parallelism = parallelism == null ? 1 : parallelism;
    Check.that(parallelism >= 1 && parallelism <= 8, "'parallelism' must be within 1..8 (got " + parallelism + ")");
    backtest = backtest == null ? new Backtest(null, null) : backtest;
    backtest = new Backtest(backtest.folds(), backtest.horizonDays() == null ? testDays : backtest.horizonDays());
    Check.that(
        backtest.folds() * backtest.horizonDays() < windowDays,
        "'backtest' must leave train days before its first fold within 'window_days' " + windowDays + " (got folds x horizon_days = "
            + backtest.folds() + " x " + backtest.horizonDays() + " days)");
    importance = importance == null ? new Importance(null) : importance;
  }

  /**
   * The rolling-origin backtest: {@code folds} evaluation windows of {@code horizonDays} each, the
   * last ending with the training window; fold i fits the candidate's chosen parameters on the days
   * before its window (no re-tuning) and evaluates on it.
   *
   * @param folds optional, 3 when absent; 0 turns the backtest off (the gate's floors then apply to
   *     the test window)
   * @param horizonDays optional, {@code test_days} when absent
   */
  public record Backtest(Integer folds, Double horizonDays) {
    public Backtest {
      folds = folds == null ? 3 : folds;
      Check.that(folds >= 0 && folds <= 10, "'backtest.folds' must be within 0..10 (got " + folds + ")");
      Check.that(horizonDays == null || horizonDays > 0, "'backtest.horizon_days' must be positive (got " + horizonDays + ")");
    }
  }

  /**
   * Feature importances of each training's models: built-in ones for every candidate, and the
   * pick's permutation importance on the validation window, {@code repeats} seeded permutations per
   * feature (table {@code importances}).
   *
   * @param repeats optional, 5 when absent; 0 turns permutation importance off; an interval needs
   *     at least 2
   */
  public record Importance(Integer repeats) {
    public Importance {
      repeats = repeats == null ? 5 : repeats;
      Check.that(repeats == 0 || (repeats >= 2 && repeats <= 50), "'importance.repeats' must be 0 (off) or within 2..50 (got " + repeats + ")");
    }
  }
}
