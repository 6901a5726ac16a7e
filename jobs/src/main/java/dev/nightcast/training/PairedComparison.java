package dev.nightcast.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.nightcast.NightcastException;
import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The paired comparison of two models scored on the same test rows (joined row by row on the
 * pipeline's key and ds), so that what the rows share (a hard day, a busy airport) cancels out of
 * their difference; a normal 95% interval, difference ± {@link #Z} standard errors.
 *
 * <ul>
 *   <li>AUC: DeLong's test (DeLong, DeLong &amp; Clarke-Pearson 1988). Each positive's structural
 *       component V10 is the share of the negatives it outscores (ties one half), each negative's
 *       V01 the share of the positives that outscore it; the AUC is their mean. The variance of the
 *       difference is S10/m + S01/n, S the sample variance over the m positives (n negatives) of the
 *       two models' component difference. The components are integers over 2n (2m), so every sum is
 *       an exact integer.
 *   <li>RMSE: the delta method. The two mean squared errors are means over the same rows; their
 *       covariance matrix is the sample covariance of the per-row squared errors over n, and the
 *       difference of their square roots has the gradient (-1 / 2 RMSE_pick, 1 / 2 RMSE_champion).
 *       The sums are {@link Metrics#exactSum}s.
 * </ul>
 *
 * <p>Cost: the two scoring passes joined once and cached (a few columns a row); for AUC, each
 * model's tie groups ({@link Metrics#tieGroups}, a shuffle and a window) joined back to the rows and
 * one aggregate per group; for RMSE one aggregate per group. One row per group reaches the driver.
 */
final class PairedComparison {
  /** The 97.5th percentile of the standard normal. */
  static final double Z = 1.959963984540054;
  static final String DELONG = "DeLong";
  static final String DELTA_METHOD = "delta-method";
  private static final String PICK = "__pick";
  private static final String CHAMPION = "__champion";
  private static final String POSITIVE = "__positive";

  private PairedComparison() {}

  /**
   * The pick's paired improvement over the champion in the primary metric, over all rows and per
   * value of {@code sliceColumn} in {@code slices} (each slice on its own rows); an interval is absent
   * where the metric is undefined (one class only). {@code pick} and {@code champion} are the same
   * {@code testRows} test rows scored by each ({@link Train#scoreTest}), with the columns {@code keys}.
   */
  static Gate.Paired compare(
      Task task, Dataset<Row> pick, Dataset<Row> champion, List<String> keys, String sliceColumn, Collection<String> slices, long testRows) {
    List<Column> pickColumns = new ArrayList<>(keys.stream().map(pick::col).toList());
    if (sliceColumn != null && !keys.contains(sliceColumn)) {
      pickColumns.add(pick.col(sliceColumn));
    }
    pickColumns.add(pick.col(Features.LABEL).cast("double").as(Metrics.LABEL));
    pickColumns.add(Metrics.scoreOrNaN(pick.col(Metrics.SCORE)).as(PICK));
    Dataset<Row> left = pick.select(pickColumns.toArray(Column[]::new));
    Column[] right = new Column[keys.size() + 1];
    Column same = lit(true);
    for (int i = 0; i < keys.size(); i++) {
      right[i] = champion.col(keys.get(i)).as("__champion_" + keys.get(i));
      same = same.and(col(keys.get(i)).equalTo(col("__champion_" + keys.get(i))));
    }
    right[keys.size()] = Metrics.scoreOrNaN(champion.col(Metrics.SCORE)).as(CHAMPION);
    Dataset<Row> rows =
        Metrics.scopes(left.join(champion.select(right), same), sliceColumn, slices)
            .select(col(Metrics.GROUP), col(Metrics.LABEL), col(PICK), col(CHAMPION))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Row> groups = task == Task.REGRESSION ? squaredErrors(rows) : components(rows);
      Map<String, Gate.Interval> intervals = new LinkedHashMap<>();
      Map<String, Long> counted = new LinkedHashMap<>();
      for (Row group : groups) {
        String name = group.getAs(Metrics.GROUP);
        counted.put(name, group.<Long>getAs("n") + (task == Task.REGRESSION ? 0 : group.<Long>getAs("m")));
        Gate.Interval interval = task == Task.REGRESSION ? rmse(group) : auc(group);
        if (interval != null) {
          intervals.put(name, interval);
        }
      }
      if (counted.getOrDefault(Metrics.ALL, 0L) != testRows) {
        throw NightcastException.internal(
            "Cannot compare the pick with the champion: " + counted.getOrDefault(Metrics.ALL, 0L) + " of the " + testRows
                + " test rows pair up on " + keys + " (the keys repeat, or the models scored different rows)", null);
      }
      Map<String, Gate.Interval> bySlice = new LinkedHashMap<>();
      for (String slice : slices) {
        Gate.Interval interval = intervals.get(Metrics.SLICE + slice);
        if (interval != null) {
          bySlice.put(slice, interval);
        }
      }
      return new Gate.Paired(intervals.get(Metrics.ALL), bySlice);
    } finally {
      rows.unpersist();
    }
  }

  /**
   * Per group: m positives and n negatives, each model's twice ROC wins (the sum of its positives'
   * components) and the sum and sum of squares of the component differences, scaled to integers.
   */
  private static List<Row> components(Dataset<Row> rows) {
    Dataset<Row> pick = components(rows, PICK, "pick");
    Dataset<Row> champion = components(rows, CHAMPION, "champion");
    Column positive = col(Metrics.LABEL).equalTo(1.0);
    Column positives = col("pick_positive").minus(col("champion_positive"));
    Column negatives = col("pick_negative").minus(col("champion_negative"));
    return rows
        .withColumn(POSITIVE, positive)
        .join(pick, col(Metrics.GROUP).equalTo(col("pick_group")).and(col(PICK).equalTo(col("pick_score"))))
        .join(champion, col(Metrics.GROUP).equalTo(col("champion_group")).and(col(CHAMPION).equalTo(col("champion_score"))))
        .groupBy(col(Metrics.GROUP))
        .agg(
            sum(when(col(POSITIVE), 1L).otherwise(0L)).as("m"), sum(when(col(POSITIVE), 0L).otherwise(1L)).as("n"),
            sum(when(col(POSITIVE), col("pick_positive")).otherwise(0L)).as("pick_wins"),
            sum(when(col(POSITIVE), col("champion_positive")).otherwise(0L)).as("champion_wins"),
            sum(when(col(POSITIVE), positives).otherwise(0L)).as("positive_sum"),
            sum(when(col(POSITIVE), squared(positives)).otherwise(lit(BigDecimal.ZERO))).as("positive_squares"),
            sum(when(col(POSITIVE), 0L).otherwise(negatives)).as("negative_sum"),
            sum(when(col(POSITIVE), lit(BigDecimal.ZERO)).otherwise(squared(negatives))).as("negative_squares"))
        .collectAsList();
  }

  /** One model's components per (group, score): a positive's times 2n, a negative's times 2m. */
  private static Dataset<Row> components(Dataset<Row> rows, String score, String prefix) {
    return Metrics.tieGroups(rows, score, Metrics.LABEL)
        .select(
            col(Metrics.GROUP).as(prefix + "_group"), col(score).as(prefix + "_score"), Metrics.positiveComponent().as(prefix + "_positive"),
            Metrics.negativeComponent().as(prefix + "_negative"));
  }

  /** An exact square of an integer column (decimal: the sum of squares can pass a long's range). */
  private static Column squared(Column integer) {
    Column exact = integer.cast("decimal(20,0)");
    return exact.multiply(exact).cast("decimal(38,0)");
  }

  private static Gate.Interval auc(Row group) {
    long m = group.<Long>getAs("m");
    long n = group.<Long>getAs("n");
    if (m == 0 || n == 0) {
      return null;
    }
    double estimate = Metrics.auc(group.<Long>getAs("pick_wins"), m, n) - Metrics.auc(group.<Long>getAs("champion_wins"), m, n);
    if (m < 2 || n < 2) {
      // no sample variance: the interval is every difference two AUCs can have
      return new Gate.Interval(estimate, -1, 1, DELONG, m + n);
    }
    // components scaled by 2n (positives) and 2m (negatives): their variances by the square
    double positives = variance(group.<Long>getAs("positive_sum"), group.<BigDecimal>getAs("positive_squares"), m) / (4.0 * n * n);
    double negatives = variance(group.<Long>getAs("negative_sum"), group.<BigDecimal>getAs("negative_squares"), n) / (4.0 * m * m);
    double se = Math.sqrt(positives / m + negatives / n);
    return new Gate.Interval(estimate, estimate - Z * se, estimate + Z * se, DELONG, m + n);
  }

  /** The sample variance of k integers from their exact sum and sum of squares: (k Σx² − (Σx)²) / (k (k − 1)). */
  static double variance(long sum, BigDecimal squares, long k) {
    BigInteger total = BigInteger.valueOf(sum);
    BigInteger numerator = squares.toBigIntegerExact().multiply(BigInteger.valueOf(k)).subtract(total.multiply(total));
    return numerator.doubleValue() / ((double) k * (k - 1));
  }

  /** Per group: n rows, the sums of each model's squared errors, of their squares and of their product. */
  private static List<Row> squaredErrors(Dataset<Row> rows) {
    Column pick = col(PICK).minus(col(Metrics.LABEL)).multiply(col(PICK).minus(col(Metrics.LABEL)));
    Column champion = col(CHAMPION).minus(col(Metrics.LABEL)).multiply(col(CHAMPION).minus(col(Metrics.LABEL)));
    List<Column> sums = new ArrayList<>(List.of(count(lit(1)).as("n")));
    for (Column[] sum :
        List.of(Metrics.exactSum(pick, "p"), Metrics.exactSum(champion, "c"), Metrics.exactSum(pick.multiply(pick), "pp"),
            Metrics.exactSum(champion.multiply(champion), "cc"), Metrics.exactSum(pick.multiply(champion), "pc"))) {
      sums.addAll(List.of(sum));
    }
    return rows.groupBy(col(Metrics.GROUP)).agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new)).collectAsList();
  }

  private static Gate.Interval rmse(Row group) {
    long n = group.<Long>getAs("n");
    if (n < 2) {
      return null;
    }
    BigDecimal pick = Metrics.exact(group, "p");
    BigDecimal champion = Metrics.exact(group, "c");
    double pickRmse = Math.sqrt(pick.doubleValue() / n);
    double championRmse = Math.sqrt(champion.doubleValue() / n);
    // d(sqrt(mse)) / d(mse) = 1 / (2 sqrt(mse)); a model without any error has no variance to carry
    double pickGradient = pickRmse == 0 ? 0 : -1 / (2 * pickRmse);
    double championGradient = championRmse == 0 ? 0 : 1 / (2 * championRmse);
    double variance =
        (pickGradient * pickGradient * covariance(group, "pp", pick, pick, n)
            + championGradient * championGradient * covariance(group, "cc", champion, champion, n)
            + 2 * pickGradient * championGradient * covariance(group, "pc", pick, champion, n)) / n;
    double se = Math.sqrt(Math.max(variance, 0));
    double estimate = championRmse - pickRmse;
    return new Gate.Interval(estimate, estimate - Z * se, estimate + Z * se, DELTA_METHOD, n);
  }

  /** The sample covariance (Σxy − Σx Σy / n) / (n − 1) of two per-row terms from their exact sums. */
  private static double covariance(Row group, String products, BigDecimal x, BigDecimal y, long n) {
    MathContext context = MathContext.DECIMAL128;
    return Metrics.exact(group, products).subtract(x.multiply(y).divide(BigDecimal.valueOf(n), context)).doubleValue() / (n - 1);
  }
}
