package dev.nightcast.training;

import dev.nightcast.config.Task;
import dev.nightcast.features.Features;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Model metrics, computed by pure code from (score, label) pairs so that the same pairs give
 * bit-identical values whatever their order (pairs are sorted before any sum). Classification:
 * {@code auc} (ROC, ties count one half) and {@code average_precision}; both are undefined (absent)
 * when the rows hold a single class. Regression: {@code rmse}, {@code mae}, {@code r2}.
 */
public final class Metrics {
  private Metrics() {}

  /** Scored rows of one window: score, label and (optional) slice value, collected to the driver. */
  public record Scored(double[] scores, double[] labels, String[] slices) {
    public int size() {
      return scores.length;
    }
  }

  /**
   * Collects {@code score}, the label and {@code sliceColumn} (may be null) of {@code rows}. Cost:
   * one job; brings three values per row to the driver (about 25k rows for a 14-day flight window's
   * 10% test split).
   */
  public static Scored collect(Dataset<Row> rows, Column score, String sliceColumn) {
    Column slice = sliceColumn == null ? org.apache.spark.sql.functions.lit(null).cast("string") : rows.col(sliceColumn).cast("string");
    Dataset<Row> pairs = rows.select(score.cast("double").as("score"), rows.col(Features.LABEL).as("label"), slice.as("slice"));
    int scoreAt = pairs.schema().fieldIndex("score");
    int labelAt = pairs.schema().fieldIndex("label");
    int sliceAt = pairs.schema().fieldIndex("slice");
    List<Row> collected = pairs.collectAsList();
    double[] scores = new double[collected.size()];
    double[] labels = new double[collected.size()];
    String[] slices = new String[collected.size()];
    for (int i = 0; i < collected.size(); i++) {
      Row row = collected.get(i);
      scores[i] = row.isNullAt(scoreAt) ? Double.NaN : row.getDouble(scoreAt);
      labels[i] = row.getDouble(labelAt);
      slices[i] = row.getString(sliceAt);
    }
    return new Scored(scores, labels, slices);
  }

  /** Every metric of the task over all rows; a metric that is undefined on these rows is absent. */
  public static Map<String, Double> compute(Task task, Scored scored) {
    return compute(task, scored.scores(), scored.labels());
  }

  /**
   * Metrics per slice for the {@code topN} slice values with the most rows (ties by value), each
   * with at least {@code minRows} rows; ordered by rows descending.
   */
  public static Map<String, Map<String, Double>> perSlice(Task task, Scored scored, int topN, int minRows) {
    Map<String, List<Integer>> rowsBySlice = new TreeMap<>();
    for (int i = 0; i < scored.size(); i++) {
      if (scored.slices()[i] != null) {
        rowsBySlice.computeIfAbsent(scored.slices()[i], k -> new ArrayList<>()).add(i);
      }
    }
    List<Map.Entry<String, List<Integer>>> busiest =
        rowsBySlice.entrySet().stream()
            .filter(e -> e.getValue().size() >= minRows)
            .sorted(Comparator.comparingInt((Map.Entry<String, List<Integer>> e) -> -e.getValue().size()).thenComparing(Map.Entry::getKey))
            .limit(topN)
            .toList();
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Integer>> slice : busiest) {
      double[] scores = slice.getValue().stream().mapToDouble(i -> scored.scores()[i]).toArray();
      double[] labels = slice.getValue().stream().mapToDouble(i -> scored.labels()[i]).toArray();
      out.put(slice.getKey(), compute(task, scores, labels));
    }
    return out;
  }

  static Map<String, Double> compute(Task task, double[] scores, double[] labels) {
    int[] weights = new int[scores.length];
    Arrays.fill(weights, 1);
    return compute(task, scores, labels, descending(scores, labels, IntStream.range(0, scores.length).toArray()), weights);
  }

  /**
   * {@code rows} by descending score, then label: a fixed order makes every floating-point sum
   * reproducible, and equal scores end up next to each other (one tie group).
   */
  static int[] descending(double[] scores, double[] labels, int[] rows) {
    return Arrays.stream(rows).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingDouble(i -> labels[i]))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  /**
   * Every metric over the rows of {@code order} (sorted by {@link #descending}), row i counted
   * {@code weights[i]} times: a bootstrap resample is a vector of draw counts, so it needs no copy
   * and no sort of its own.
   */
  static Map<String, Double> compute(Task task, double[] scores, double[] labels, int[] order, int[] weights) {
    Map<String, Double> metrics = new TreeMap<>();
    if (task == Task.REGRESSION) {
      regression(scores, labels, order, weights, metrics);
    } else {
      classification(scores, labels, order, weights, metrics);
    }
    return metrics;
  }

  /** Equal scores form one group (ties). */
  private static void classification(double[] s, double[] y, int[] order, int[] w, Map<String, Double> metrics) {
    long positives = 0;
    long negatives = 0;
    for (int i : order) {
      if (y[i] == 1.0) {
        positives += w[i];
      } else {
        negatives += w[i];
      }
    }
    if (positives == 0 || negatives == 0) {
      return;
    }
    // AUC = P(score of a positive > score of a negative) + 0.5 P(equal)
    double wins = 0;
    double averagePrecision = 0;
    long negativesAbove = 0;
    long positivesSoFar = 0;
    int k = 0;
    while (k < order.length) {
      int end = k;
      long groupPositives = 0;
      long groupNegatives = 0;
      while (end < order.length && s[order[end]] == s[order[k]]) {
        if (y[order[end]] == 1.0) {
          groupPositives += w[order[end]];
        } else {
          groupNegatives += w[order[end]];
        }
        end++;
      }
      wins += groupPositives * (negatives - negativesAbove - groupNegatives) + 0.5 * groupPositives * groupNegatives;
      positivesSoFar += groupPositives;
      negativesAbove += groupNegatives;
      // a tie group is one threshold: precision at it, weighted by the recall it adds
      if (groupPositives > 0) {
        averagePrecision += groupPositives * ((double) positivesSoFar / (positivesSoFar + negativesAbove));
      }
      k = end;
    }
    metrics.put("auc", wins / ((double) positives * negatives));
    metrics.put("average_precision", averagePrecision / positives);
  }

  private static void regression(double[] s, double[] y, int[] order, int[] w, Map<String, Double> metrics) {
    long n = 0;
    double squared = 0;
    double absolute = 0;
    double mean = 0;
    for (int i : order) {
      double error = s[i] - y[i];
      squared += w[i] * error * error;
      absolute += w[i] * Math.abs(error);
      mean += w[i] * y[i];
      n += w[i];
    }
    if (n == 0) {
      return;
    }
    mean /= n;
    double total = 0;
    for (int i : order) {
      total += w[i] * (y[i] - mean) * (y[i] - mean);
    }
    metrics.put("rmse", Math.sqrt(squared / n));
    metrics.put("mae", absolute / n);
    if (total > 0) {
      metrics.put("r2", 1 - squared / total);
    }
  }
}
