package dev.nightcast.config;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Monitoring settings. Every key is optional, and so is the whole section; the defaults are listed
 * here and in {@code conf/README.md}.
 *
 * <ul>
 *   <li>{@code psi_bins} (10): PSI groups of numeric columns, cut at reference quantiles.
 *   <li>{@code fine_bins} (100): reference-quantile bins of numeric columns for KS and Wasserstein.
 *   <li>{@code top_categories} (30): categorical values kept by name; the rest share "other".
 *   <li>{@code score_bins} (1000): equal-width probability bins for AUC, PR AUC and calibration.
 *   <li>{@code calibration_bins} (10): equal-width bins of the expected calibration error.
 *   <li>{@code decision_threshold} (0.5): probability at or above which a prediction is positive.
 *   <li>{@code slices} (none): columns to slice by, each with its {@code top} busiest values, and
 *       optionally the allowed gaps of a value's realised metrics to the whole population's.
 *   <li>{@code drift}: thresholds per metric and per column (see {@link DriftConfig}).
 *   <li>{@code performance_floors} (classification: roc_auc 0.6; regression: r2 0): a performance
 *       alert when a realised metric is below its floor (for log_loss, brier, ece, false_positive_rate, rmse and mae:
 *       above it).
 *   <li>{@code retrain_rules} (classification: roc_auc below 0.6, regression: r2 below 0, in 3 of
 *       the last 5 nights): the retrain signal.
 *   <li>{@code max_model_age_days} (30): a staleness alert when the serving model is older.
 *   <li>{@code max_missing_ratio} (0.1): a data-quality alert when a source column's profiled
 *       missing ratio is above it.
 * </ul>
 */
public record MonitoringConfig(
    Integer psiBins,
    Integer fineBins,
    Integer topCategories,
    Integer scoreBins,
    Integer calibrationBins,
    Double decisionThreshold,
    List<SliceConfig> slices,
    DriftConfig drift,
    Map<String, Double> performanceFloors,
    List<RetrainRule> retrainRules,
    Integer maxModelAgeDays,
    Double maxMissingRatio) {

  /** Performance metrics where a lower value is worse (the rest, lower is better). */
  public static final Set<String> HIGHER_IS_BETTER = Set.of("roc_auc", "pr_auc", "accuracy", "precision", "recall", "f1", "r2");
  public static final Set<String> LOWER_IS_BETTER = Set.of("log_loss", "brier", "ece", "false_positive_rate", "rmse", "mae");
  private static final Set<String> REGRESSION_METRICS = Set.of("rmse", "mae", "r2");

  /**
   * Default floor and rule metric per task. R² is the regression default because it needs no
   * knowledge of the label's scale: below 0, the model predicts worse than the night's mean would.
   */
  private static final Map<Task, Map.Entry<String, Double>> DEFAULT_BOUND =
      Map.of(Task.BINARY_CLASSIFICATION, Map.entry("roc_auc", 0.6), Task.REGRESSION, Map.entry("r2", 0.0));

  /**
   * One slicing column: metrics are computed for its {@code top} most frequent values. {@code max_gap}
   * (metric -> allowed |gap|, none by default) raises a slice_gap alert when a value's realised
   * metric is further than that from the whole population's; a value with fewer than
   * {@code min_rows} (200) labelled rows that night is reported but not judged.
   */
  public record SliceConfig(String column, Integer top, Integer minRows, Map<String, Double> maxGap) {
    public SliceConfig {
      Check.identifier(column, "slices.column");
      top = top == null ? 10 : top;
      Check.that(top >= 1 && top <= 100, "'slices.top' must be within 1..100 (got " + top + ")");
      minRows = Check.positive(minRows == null ? 200 : minRows, "slices.min_rows");
      maxGap = Check.numbers(maxGap, "slices.max_gap");
      // a gap of 0 would alert on every slice every night
      maxGap.forEach((metric, gap) -> Check.that(gap > 0, "'slices.max_gap." + metric + "' must be positive (got " + gap + ")"));
    }
  }

  /**
   * The degradation rule: the retrain signal is raised on night D when the realised whole-population
   * {@code metric} breached {@code threshold} (below it; above it for lower-is-better metrics) on
   * at least {@code breaches} of the last {@code lookback_nights} nights ending at D.
   */
  public record RetrainRule(String metric, Double threshold, Integer breaches, Integer lookbackNights) {
    public RetrainRule {
      Check.present(metric, "retrain_rules.metric");
      Check.that(
          HIGHER_IS_BETTER.contains(metric) || LOWER_IS_BETTER.contains(metric),
          "'retrain_rules.metric' must be one of " + new TreeMap<>(Map.of("higher", HIGHER_IS_BETTER, "lower", LOWER_IS_BETTER)) + " (got '" + metric + "')");
      Check.present(threshold, "retrain_rules.threshold");
      breaches = breaches == null ? 3 : breaches;
      lookbackNights = Check.positive(lookbackNights == null ? 5 : lookbackNights, "retrain_rules.lookback_nights");
      Check.that(
          breaches >= 1 && breaches <= lookbackNights,
          "'retrain_rules.breaches' must be within 1..lookback_nights (got " + breaches + " of " + lookbackNights + ")");
    }
  }

  /** Every default: a pipeline without a {@code monitoring} section (floors and rules: {@link #forTask}). */
  public static final MonitoringConfig DEFAULTS = new MonitoringConfig(null, null, null, null, null, null, null, null, null, null, null, null);

  public MonitoringConfig {
    psiBins = psiBins == null ? 10 : psiBins;
    fineBins = fineBins == null ? 100 : fineBins;
    topCategories = topCategories == null ? 30 : topCategories;
    scoreBins = scoreBins == null ? 1000 : scoreBins;
    calibrationBins = calibrationBins == null ? 10 : calibrationBins;
    decisionThreshold = decisionThreshold == null ? 0.5 : decisionThreshold;
    slices = slices == null ? List.of() : List.copyOf(slices);
    drift = drift == null ? new DriftConfig(null, null, null, null, null) : drift;
    // absent floors and rules stay null here: their defaults depend on the task (forTask)
    performanceFloors = performanceFloors == null ? null : Check.numbers(performanceFloors, "performance_floors");
    retrainRules = retrainRules == null ? null : List.copyOf(retrainRules);
    maxModelAgeDays = maxModelAgeDays == null ? 30 : maxModelAgeDays;
    maxMissingRatio = maxMissingRatio == null ? 0.1 : maxMissingRatio;
    Check.that(psiBins >= 2 && psiBins <= 100, "'psi_bins' must be within 2..100 (got " + psiBins + ")");
    Check.that(
        fineBins >= psiBins && fineBins <= 1000, "'fine_bins' must be within psi_bins..1000 (got " + fineBins + ")");
    Check.that(topCategories >= 1 && topCategories <= 200, "'top_categories' must be within 1..200 (got " + topCategories + ")");
    Check.that(scoreBins >= 10 && scoreBins <= 100_000, "'score_bins' must be within 10..100000 (got " + scoreBins + ")");
    Check.that(
        calibrationBins >= 1 && calibrationBins <= scoreBins && scoreBins % calibrationBins == 0,
        "'calibration_bins' must divide 'score_bins' (got " + calibrationBins + " and " + scoreBins + ")");
    Check.that(
        decisionThreshold > 0 && decisionThreshold < 1,
        "'decision_threshold' must be between 0 and 1 exclusive (got " + decisionThreshold + ")");
    for (String metric : performanceFloors == null ? Set.<String>of() : performanceFloors.keySet()) {
      Check.that(
          HIGHER_IS_BETTER.contains(metric) || LOWER_IS_BETTER.contains(metric),
          "'performance_floors' has an unknown metric '" + metric + "' (known: " + new TreeMap<>(Map.of("higher", HIGHER_IS_BETTER, "lower", LOWER_IS_BETTER)) + ")");
    }
    Check.that(maxModelAgeDays >= 1, "'max_model_age_days' must be positive (got " + maxModelAgeDays + ")");
    Check.that(maxMissingRatio >= 0 && maxMissingRatio <= 1, "'max_missing_ratio' must be within 0..1 (got " + maxMissingRatio + ")");
  }

  /** The performance_daily metrics a pipeline of {@code task} has (the ones floors and rules may watch). */
  public static Set<String> metrics(Task task) {
    Set<String> out = new java.util.TreeSet<>(task == Task.REGRESSION ? REGRESSION_METRICS : HIGHER_IS_BETTER);
    if (task != Task.REGRESSION) {
      out.addAll(LOWER_IS_BETTER);
      out.removeAll(REGRESSION_METRICS);
    }
    return out;
  }

  /**
   * This config for a pipeline of {@code task}: absent floors and rules take the task's defaults,
   * and every floor and rule must watch a metric the task has (a regression has no roc_auc).
   */
  public MonitoringConfig forTask(Task task) {
    Map.Entry<String, Double> bound = DEFAULT_BOUND.get(task);
    Map<String, Double> floors = performanceFloors == null ? Map.of(bound.getKey(), bound.getValue()) : performanceFloors;
    List<RetrainRule> rules = retrainRules == null ? List.of(new RetrainRule(bound.getKey(), bound.getValue(), 3, 5)) : retrainRules;
    Set<String> known = metrics(task);
    for (String metric : new java.util.TreeSet<>(floors.keySet())) {
      Check.that(known.contains(metric), "'monitoring.performance_floors." + metric + "' is not a " + task.yaml() + " metric " + known);
    }
    for (int i = 0; i < rules.size(); i++) {
      Check.that(
          known.contains(rules.get(i).metric()),
          "'monitoring.retrain_rules[" + i + "].metric' " + rules.get(i).metric() + " is not a " + task.yaml() + " metric " + known);
    }
    for (int i = 0; i < slices.size(); i++) {
      for (String metric : new java.util.TreeSet<>(slices.get(i).maxGap().keySet())) {
        Check.that(known.contains(metric), "'monitoring.slices[" + i + "].max_gap." + metric + "' is not a " + task.yaml() + " metric " + known);
      }
    }
    return new MonitoringConfig(
        psiBins, fineBins, topCategories, scoreBins, calibrationBins, decisionThreshold, slices, drift, floors, rules, maxModelAgeDays,
        maxMissingRatio);
  }

  /** Whether {@code value} of a performance metric is worse than {@code threshold}. */
  public static boolean breaches(String metric, double value, double threshold) {
    return LOWER_IS_BETTER.contains(metric) ? value > threshold : value < threshold;
  }
}
