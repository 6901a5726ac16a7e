package dev.nightcast.training;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Model metrics, computed by Spark aggregations so that only a few rows per group reach the driver,
 * and so that the same (score, label) pairs give bit-identical values whatever their order or
 * partitioning: integer counts are summed as integers, floating-point terms by {@link #exactSum}.
 * Classification: {@code auc} (ROC, ties count one half) and {@code average_precision} (a tie group
 * is one threshold: precision at it, weighted by the recall it adds); both are undefined (absent)
 * when a group holds a single class. Regression: {@code rmse}, {@code mae}, {@code r2} (absent when
 * every label of the group is the same).
 */
public final class Metrics {
  /** The score column of scored rows ({@link Train#scoreTest}). */
  public static final String SCORE = "__score";
  /** The group of every row when no group column is given. */
  static final String ALL = "*";
  static final String GROUP = "__group";
  /** The prefix of a slice's group ({@link #scopes}). */
  static final String SLICE = "=";
  static final String LABEL = "__label";
  private static final String POSITIVES = "__positives";
  private static final String NEGATIVES = "__negatives";

  private Metrics() {}

  /** One group's rows and every metric defined on them. */
  public record Evaluated(long rows, Map<String, Double> metrics) {}

  /**
   * Every metric of {@code task} per value of {@code groupColumn} (cast to a string; rows whose group
   * is null count in no group), or over all rows under the key {@link #ALL} when it is null. Cost: one
   * job. Classification aggregates the rows to (group, score) -> (positives, negatives), a running
   * window per group ordered by score (Spark's window operator spills) and one aggregate per group;
   * regression one aggregate per group. One row per group reaches the driver.
   */
  public static Map<String, Evaluated> compute(Task task, Dataset<Row> scored, Column score, String groupColumn) {
    Dataset<Row> pairs =
        scored
            .select(
                (groupColumn == null ? lit(ALL) : col(groupColumn).cast("string")).as(GROUP), scoreOrNaN(score).as(SCORE),
                col(Features.LABEL).cast("double").as(LABEL))
            .where(col(GROUP).isNotNull());
    Map<String, Evaluated> out = new TreeMap<>();
    if (task == Task.REGRESSION) {
      regression(pairs).forEach(row -> out.put(row.getAs(GROUP), regression(row)));
    } else {
      classification(pairs).forEach(row -> out.put(row.getAs(GROUP), classification(row)));
    }
    return out;
  }

  /** Every metric of {@code task} over all rows of {@code scored}. Cost: one job. */
  public static Evaluated overall(Task task, Dataset<Row> scored, Column score) {
    return compute(task, scored, score, null).getOrDefault(ALL, new Evaluated(0, Map.of()));
  }

  /**
   * {@code rows} with a {@link #GROUP} column: every row in group {@link #ALL}, and a row whose value
   * of {@code sliceColumn} (may be null: no slices) is in {@code slices} (null: any value) also in
   * that slice's group, "=" + value. Metrics of the whole window and of its slices then take one job.
   */
  static Dataset<Row> scopes(Dataset<Row> rows, String sliceColumn, Collection<String> slices) {
    if (sliceColumn == null) {
      return rows.withColumn(GROUP, lit(ALL));
    }
    Column slice = col(sliceColumn).cast("string");
    Column kept = slices == null ? slice.isNotNull() : slice.isin(slices.toArray());
    return rows.withColumn(GROUP, explode(array(lit(ALL), when(kept, concat(lit(SLICE), slice))))).where(col(GROUP).isNotNull());
  }

  /**
   * Pure: the slice groups of {@code groups} ({@link #scopes}) for the {@code topN} slice values with
   * the most rows (ties by value), each with at least {@code minRows} rows; ordered by rows descending.
   */
  static Map<String, Map<String, Double>> perSlice(Map<String, Evaluated> groups, int topN, int minRows) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    groups.entrySet().stream()
        .filter(e -> e.getKey().startsWith(SLICE) && e.getValue().rows() >= minRows)
        .sorted(Comparator.comparingLong((Map.Entry<String, Evaluated> e) -> -e.getValue().rows()).thenComparing(Map.Entry::getKey))
        .limit(topN)
        .forEach(e -> out.put(e.getKey().substring(SLICE.length()), e.getValue().metrics()));
    return out;
  }

  /** A missing score sorts and counts as NaN. */
  static Column scoreOrNaN(Column score) {
    return coalesce(score.cast("double"), lit(Double.NaN));
  }

  /**
   * The tie groups of {@code score} within each {@link #GROUP} of {@code rows} (columns GROUP, the
   * score column and {@link Features#LABEL} or LABEL), highest score first with NaN last (below every
   * score): per (group, score) its positives and negatives, the positives and negatives at or above
   * it ({@code positivesUpTo}, {@code negativesUpTo}) and the group's negatives. A label of 1 is
   * positive, any other negative.
   */
  static Dataset<Row> tieGroups(Dataset<Row> rows, String score, String label) {
    WindowSpec upTo =
        Window.partitionBy(col(GROUP)).orderBy(isnan(col(score)), col(score).desc()).rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    Column positive = col(label).equalTo(1.0);
    return rows
        .groupBy(col(GROUP), col(score))
        .agg(sum(when(positive, 1L).otherwise(0L)).as(POSITIVES), sum(when(positive, 0L).otherwise(1L)).as(NEGATIVES))
        .withColumn("positivesUpTo", sum(col(POSITIVES)).over(upTo))
        .withColumn("negativesUpTo", sum(col(NEGATIVES)).over(upTo))
        .withColumn("groupNegatives", sum(col(NEGATIVES)).over(Window.partitionBy(col(GROUP))));
  }

  /**
   * Per positive of a tie group, its DeLong component V10 times 2n (n: the group's negatives): twice
   * the negatives below it plus the negatives tied with it (one half each), an integer.
   */
  static Column positiveComponent() {
    return col("groupNegatives").minus(col("negativesUpTo")).multiply(2).plus(col(NEGATIVES));
  }

  /**
   * Per negative of a tie group, its DeLong component V01 times 2m (m: the group's positives): twice
   * the positives above it plus the positives tied with it, an integer.
   */
  static Column negativeComponent() {
    return col("positivesUpTo").multiply(2).minus(col(POSITIVES));
  }

  /** Twice the ROC wins of a tie group's positives (the sum of their {@link #positiveComponent}): an integer, so its sum is exact. */
  private static Column twiceWins() {
    return col(POSITIVES).multiply(positiveComponent());
  }

  private static List<Row> classification(Dataset<Row> pairs) {
    // a tie group is one threshold: precision at it, weighted by the recall it adds
    Column precisionTerm =
        when(col(POSITIVES).gt(0),
            col(POSITIVES).cast("double").multiply(
                col("positivesUpTo").cast("double").divide(col("positivesUpTo").plus(col("negativesUpTo")).cast("double"))))
            .otherwise(lit(0.0));
    Column[] precision = exactSum(precisionTerm, "precision");
    return tieGroups(pairs, SCORE, LABEL)
        .groupBy(col(GROUP))
        .agg(sum(col(POSITIVES)).as(POSITIVES), sum(col(NEGATIVES)).as(NEGATIVES), sum(twiceWins()).as("twice_wins"), precision[0], precision[1])
        .collectAsList();
  }

  private static Evaluated classification(Row row) {
    long positives = row.<Long>getAs(POSITIVES);
    long negatives = row.<Long>getAs(NEGATIVES);
    Map<String, Double> metrics = new TreeMap<>();
    if (positives > 0 && negatives > 0) {
      metrics.put("auc", auc(row.<Long>getAs("twice_wins"), positives, negatives));
      metrics.put("average_precision", exact(row, "precision").doubleValue() / positives);
    }
    return new Evaluated(positives + negatives, metrics);
  }

  /** AUC = P(score of a positive > score of a negative) + 0.5 P(equal), from twice the wins. */
  static double auc(long twiceWins, long positives, long negatives) {
    return (twiceWins / 2.0) / ((double) positives * negatives);
  }

  private static List<Row> regression(Dataset<Row> pairs) {
    Column error = col(SCORE).minus(col(LABEL));
    Column[] squared = exactSum(error.multiply(error), "squared");
    Column[] absolute = exactSum(org.apache.spark.sql.functions.abs(error), "absolute");
    Column[] labels = exactSum(col(LABEL), "labels");
    Column[] labelSquares = exactSum(col(LABEL).multiply(col(LABEL)), "label_squares");
    return pairs
        .groupBy(col(GROUP))
        .agg(
            count(lit(1)).as("n"), squared[0], squared[1], absolute[0], absolute[1], labels[0], labels[1], labelSquares[0], labelSquares[1],
            min(col(LABEL)).equalTo(max(col(LABEL))).as("constant"))
        .collectAsList();
  }

  private static Evaluated regression(Row row) {
    long n = row.<Long>getAs("n");
    BigDecimal squared = exact(row, "squared");
    Map<String, Double> metrics = new TreeMap<>();
    metrics.put("rmse", Math.sqrt(squared.doubleValue() / n));
    metrics.put("mae", exact(row, "absolute").doubleValue() / n);
    // total sum of squares = sum(y^2) - sum(y)^2 / n, from exact sums; labels all equal have none (checked exactly)
    if (!row.<Boolean>getAs("constant")) {
      BigDecimal labels = exact(row, "labels");
      BigDecimal squaredMean = labels.multiply(labels).divide(BigDecimal.valueOf(n), MathContext.DECIMAL128);
      double total = exact(row, "label_squares").subtract(squaredMean).doubleValue();
      if (total > 0) {
        metrics.put("r2", 1 - squared.doubleValue() / total);
      }
    }
    return new Evaluated(n, metrics);
  }

  /**
   * A sum of the double {@code term} that does not depend on the rows' order or partitioning: the
   * term's integral part summed as decimal(38,0) (exact up to 1e38) and its fraction as
   * decimal(38,18) (each rounded once, to 1e-18, then summed exactly). Splitting them keeps a
   * decimal(38,18)'s resolution without its 1e20 range limit, which squared errors of a regression
   * on large labels would reach (the regression monitor sums with it too; a classification's
   * bounded terms take the cheaper {@code Performance.exactSum}). Read back with {@link #exact}.
   */
  public static Column[] exactSum(Column term, String name) {
    // fmod is exact, and so is the term minus its fraction (an integer-valued double)
    Column fraction = term.mod(lit(1.0));
    return new Column[] {
      sum(term.minus(fraction).cast("decimal(38,0)")).as(name + "_integral"), sum(fraction.cast("decimal(38,18)")).as(name + "_fraction")
    };
  }

  /** The sum {@link #exactSum} aggregated under {@code name}. */
  public static BigDecimal exact(Row row, String name) {
    return row.<BigDecimal>getAs(name + "_integral").add(row.<BigDecimal>getAs(name + "_fraction"));
  }
}
