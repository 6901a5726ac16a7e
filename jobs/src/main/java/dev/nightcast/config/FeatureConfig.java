package dev.nightcast.config;

import java.util.List;
import java.util.Set;

/**
 * A model input: a Spark SQL expression over the source columns. Numeric features feed the model
 * as doubles, clipped to {@code clip} when given, with missing values imputed by {@code impute}
 * (mean, median, most_frequent: learned on the training window inside the model; constant:
 * {@code impute_value}); categorical ones are indexed and one-hot encoded inside the model
 * pipeline; with {@code max_categories}, only that many of its values most frequent in the training
 * window keep a category of their own, the rest share one with values unseen in training. With
 * {@code history}, the feature is instead the mean of {@code expr} over the history
 * source's rows of the {@code days} dates strictly before the row's date, per {@code by} columns.
 */
public record FeatureConfig(
    String name,
    String expr,
    String type,
    List<Double> clip,
    String impute,
    Double imputeValue,
    HistoryConfig history,
    Integer maxCategories) {
  private static final Set<String> TYPES = Set.of("numeric", "categorical");
  public static final Set<String> LEARNED_IMPUTATIONS = Set.of("mean", "median", "most_frequent");
  public static final String CONSTANT = "constant";

  /**
   * A trailing aggregate such as the 28-day delay rate per origin.
   *
   * @param source the source whose rows are aggregated (its raw table); must carry the {@code by} columns
   * @param days optional in YAML, 28 when absent (four whole weeks, so every weekday counts alike)
   */
  public record HistoryConfig(String source, List<String> by, Integer days) {
    public HistoryConfig {
      Check.identifier(source, "history.source");
      Check.present(by, "history.by");
      Check.that(!by.isEmpty(), "'history.by' must list at least one column");
      by.forEach(column -> Check.identifier(column, "history.by"));
      by = List.copyOf(by);
      days = days == null ? 28 : days;
      Check.that(days >= 1 && days <= 366, "'history.days' must be within 1..366 (got " + days + ")");
    }
  }

  public FeatureConfig {
    Check.identifier(name, "name");
    Check.present(expr, "expr");
    Check.that(!expr.isBlank(), "'expr' of feature '" + name + "' must be a Spark SQL expression, not empty");
    Check.present(type, "type");
    Check.that(TYPES.contains(type), "'type' must be one of " + TYPES + " (got '" + type + "')");
    boolean numeric = type.equals("numeric");
    if (clip != null) {
      Check.that(numeric, "'clip' of feature '" + name + "' needs type numeric");
      Check.that(
          clip.size() == 2 && clip.get(0) != null && clip.get(1) != null && clip.get(0) <= clip.get(1),
          "'clip' of feature '" + name + "' must be [min, max] with min <= max (got " + clip + ")");
      clip = List.copyOf(clip);
    }
    if (numeric) {
      impute = impute == null ? "median" : impute;
      Check.that(
          LEARNED_IMPUTATIONS.contains(impute) || impute.equals(CONSTANT),
          "'impute' of feature '" + name + "' must be one of mean, median, most_frequent, constant (got '" + impute + "')");
      Check.that(
          impute.equals(CONSTANT) == (imputeValue != null),
          "'impute_value' of feature '" + name + "' is set only with impute: constant, and then required");
    } else {
      Check.that(impute == null && imputeValue == null, "'impute' of feature '" + name + "' applies to numeric features only");
    }
    Check.that(history == null || numeric, "'history' of feature '" + name + "' needs type numeric");
    if (maxCategories != null) {
      Check.that(!numeric, "'max_categories' of feature '" + name + "' needs type categorical");
      Check.that(maxCategories >= 2, "'max_categories' of feature '" + name + "' must be at least 2 (got " + maxCategories + ")");
    }
  }

  public boolean categorical() {
    return type.equals("categorical");
  }

  /** Whether the model learns this feature's missing-value replacement on the training window. */
  public boolean learnedImputation() {
    return !categorical() && LEARNED_IMPUTATIONS.contains(impute);
  }
}
