package dev.nightcast.training;

import dev.nightcast.NightcastException;
import dev.nightcast.config.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The paired comparison of two models scored on the same test rows: a seeded bootstrap resamples
 * the rows (with replacement), and each resample computes both models' primary metric on the same
 * drawn rows, so what the rows share (a hard day, a busy airport) cancels out of their difference.
 * The interval is the 2.5th and 97.5th percentile of the {@link #RESAMPLES} differences. Pure: it
 * reads the (score, label) pairs {@link Metrics#collect} already brought to the driver for the test
 * metrics and adds no Spark job; a resample is a vector of draw counts over rows sorted once per
 * model ({@link Metrics#compute(Task, double[], double[], int[], int[])}), so it costs one pass over
 * the rows, not a sort.
 */
final class PairedBootstrap {
  static final int RESAMPLES = 500;

  private PairedBootstrap() {}

  /**
   * The paired interval over all rows and per slice value in {@code slices} (each slice resampled on
   * its own rows); an interval is absent where the metric is undefined on the full rows of either
   * model (one class only). Rows must be in the same order in both (checked by their labels).
   */
  static Gate.Paired compare(Task task, Metrics.Scored pick, Metrics.Scored champion, Iterable<String> slices, long seed) {
    if (!Arrays.equals(pick.labels(), champion.labels()) || !Arrays.equals(pick.slices(), champion.slices())) {
      throw NightcastException.internal(
          "Cannot compare the pick with the champion: their test rows differ (" + pick.size() + " vs " + champion.size()
              + " rows, or in another order)", null);
    }
    Gate.Interval overall = interval(task, pick, champion, IntStream.range(0, pick.size()).toArray(), seed);
    Map<String, Gate.Interval> bySlice = new LinkedHashMap<>();
    for (String slice : slices) {
      int[] rows = IntStream.range(0, pick.size()).filter(i -> slice.equals(pick.slices()[i])).toArray();
      Gate.Interval interval = interval(task, pick, champion, rows, seed);
      if (interval != null) {
        bySlice.put(slice, interval);
      }
    }
    return new Gate.Paired(overall, bySlice);
  }

  /** The interval over {@code rows} (indexes into both), or null when the metric is undefined there. */
  static Gate.Interval interval(Task task, Metrics.Scored pick, Metrics.Scored champion, int[] rows, long seed) {
    String metric = task.primaryMetric();
    int[] pickOrder = Metrics.descending(pick.scores(), pick.labels(), rows);
    int[] championOrder = Metrics.descending(champion.scores(), champion.labels(), rows);
    int[] all = new int[pick.size()];
    for (int row : rows) {
      all[row] = 1;
    }
    Double pickValue = Metrics.compute(task, pick.scores(), pick.labels(), pickOrder, all).get(metric);
    Double championValue = Metrics.compute(task, champion.scores(), champion.labels(), championOrder, all).get(metric);
    if (pickValue == null || championValue == null) {
      return null;
    }
    SplittableRandom random = new SplittableRandom(seed);
    int[] draws = new int[pick.size()];
    List<Double> differences = new ArrayList<>(RESAMPLES);
    for (int b = 0; b < RESAMPLES; b++) {
      Arrays.fill(draws, 0);
      for (int k = 0; k < rows.length; k++) {
        draws[rows[random.nextInt(rows.length)]]++;
      }
      Double mine = Metrics.compute(task, pick.scores(), pick.labels(), pickOrder, draws).get(metric);
      Double theirs = Metrics.compute(task, champion.scores(), champion.labels(), championOrder, draws).get(metric);
      // a resample that drew one class only has no AUC: it is left out, not counted as a tie
      if (mine != null && theirs != null) {
        differences.add(Gate.improvement(task, metric, mine, theirs));
      }
    }
    double[] sorted = differences.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      return null;
    }
    return new Gate.Interval(
        Gate.improvement(task, metric, pickValue, championValue), percentile(sorted, 0.025), percentile(sorted, 0.975), sorted.length);
  }

  /** Nearest rank: the smallest value with at least {@code p} of the values at or below it. */
  static double percentile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }
}
