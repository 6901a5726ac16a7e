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
    Integer[] order = new Integer[scores.length];
    Arrays.setAll(order, i -> i);
    // descending score, then label: a fixed order makes every floating-point sum reproducible
    Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingDouble(i -> labels[i]));
    double[] s = new double[scores.length];
    double[] y = new double[scores.length];
    for (int k = 0; k < order.length; k++) {
      s[k] = scores[order[k]];
      y[k] = labels[order[k]];
    }
    Map<String, Double> metrics = new TreeMap<>();
    if (task == Task.REGRESSION) {
      regression(s, y, metrics);
    } else {
      classification(s, y, metrics);
    }
    return metrics;
  }

  /** Pairs sorted by descending score; equal scores form one group (ties). */
  private static void classification(double[] s, double[] y, Map<String, Double> metrics) {
    long positives = Arrays.stream(y).filter(v -> v == 1.0).count();
    long negatives = y.length - positives;
    if (positives == 0 || negatives == 0) {
      return;
    }
    // AUC = P(score of a positive > score of a negative) + 0.5 P(equal)
    double wins = 0;
    double averagePrecision = 0;
    long negativesAbove = 0;
    long positivesSoFar = 0;
    int k = 0;
    while (k < s.length) {
      int end = k;
      long groupPositives = 0;
      while (end < s.length && s[end] == s[k]) {
        groupPositives += y[end] == 1.0 ? 1 : 0;
        end++;
      }
      long groupNegatives = (end - k) - groupPositives;
      wins += groupPositives * (negatives - negativesAbove - groupNegatives) + 0.5 * groupPositives * groupNegatives;
      positivesSoFar += groupPositives;
      negativesAbove += groupNegatives;
      // a tie group is one threshold: precision at it, weighted by the recall it adds
      averagePrecision += groupPositives * ((double) positivesSoFar / (positivesSoFar + negativesAbove));
      k = end;
    }
    metrics.put("auc", wins / ((double) positives * negatives));
    metrics.put("average_precision", averagePrecision / positives);
  }

  private static void regression(double[] s, double[] y, Map<String, Double> metrics) {
    if (y.length == 0) {
      return;
    }
    double squared = 0;
    double absolute = 0;
    double mean = 0;
    for (int i = 0; i < y.length; i++) {
      double error = s[i] - y[i];
      squared += error * error;
      absolute += Math.abs(error);
      mean += y[i];
    }
    mean /= y.length;
    double total = 0;
    for (double label : y) {
      total += (label - mean) * (label - mean);
    }
    metrics.put("rmse", Math.sqrt(squared / y.length));
    metrics.put("mae", absolute / y.length);
    if (total > 0) {
      metrics.put("r2", 1 - squared / total);
    }
  }
}
