package dev.nightcast.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;

import dev.nightcast.features.Features;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Isotonic calibration of a classifier's probabilities, learned at training time from the
 * validation window's (score, label) pairs and kept with the model ({@code models.calibration}):
 * the positive rate per equal-width score bin, made non-decreasing by pool-adjacent-violators (the
 * fit of scikit-learn's {@code IsotonicRegression} on binned scores). The label-free estimate needs
 * it: confidence-based estimation is only right for calibrated probabilities, and boosted trees on
 * a weak signal are not (uncalibrated GBT scores overstate the estimated AUC by far). The validation
 * window is data the model never fitted on; the test window stays untouched for the gate.
 */
public final class Calibration {
  /** Bins of a stored map: about 500 validation rows a bin for 3 validation days of flights. */
  public static final int BINS = 100;

  private Calibration() {}

  /**
   * The calibration map of {@code scored} (its {@code score} and label): rows and positives per
   * score bin, counted by Spark (one aggregation job; {@code bins} rows reach the driver), then
   * {@link #isotonic}. Rows with a NaN or missing score are ignored.
   */
  public static double[] fit(Dataset<Row> scored, Column score, int bins) {
    double[] rows = new double[bins];
    double[] positives = new double[bins];
    Column bin = least(greatest(floor(score.multiply(bins)), lit(0)), lit(bins - 1)).cast("int");
    scored
        .where(score.isNotNull().and(not(isnan(score))))
        .groupBy(bin.as("bin"))
        .agg(count(lit(1)).as("rows"), sum(col(Features.LABEL)).as("positives"))
        .collectAsList()
        .forEach(row -> {
          rows[row.<Integer>getAs("bin")] = row.<Long>getAs("rows");
          positives[row.<Integer>getAs("bin")] = row.<Double>getAs("positives");
        });
    return isotonic(rows, positives);
  }

  /**
   * Pure: the calibrated positive rate of each score bin, from each bin's {@code rows} and
   * {@code positives}. Bins without rows take the rate of the nearest pooled block below them
   * (above, before the first row); without any row the map is the identity (bin mids).
   */
  public static double[] isotonic(double[] rows, double[] positives) {
    int bins = rows.length;
    // pool adjacent violators over the non-empty bins: blocks of (weight, rate), merged backwards
    int[] firstBin = new int[bins];
    double[] weight = new double[bins];
    double[] rate = new double[bins];
    int blocks = 0;
    for (int b = 0; b < bins; b++) {
      if (rows[b] == 0) {
        continue;
      }
      firstBin[blocks] = b;
      weight[blocks] = rows[b];
      rate[blocks] = positives[b] / rows[b];
      blocks++;
      while (blocks > 1 && rate[blocks - 2] > rate[blocks - 1]) {
        double merged = weight[blocks - 2] + weight[blocks - 1];
        rate[blocks - 2] = (rate[blocks - 2] * weight[blocks - 2] + rate[blocks - 1] * weight[blocks - 1]) / merged;
        weight[blocks - 2] = merged;
        blocks--;
      }
    }
    double[] map = new double[bins];
    if (blocks == 0) {
      for (int b = 0; b < bins; b++) {
        map[b] = (b + 0.5) / bins;
      }
      return map;
    }
    int block = 0;
    for (int b = 0; b < bins; b++) {
      while (block + 1 < blocks && firstBin[block + 1] <= b) {
        block++;
      }
      map[b] = rate[block];
    }
    return map;
  }

  /** The calibrated probability of {@code score} under {@code map} (any number of bins). */
  public static double apply(double[] map, double score) {
    return map[bin(score, map.length)];
  }

  private static int bin(double score, int bins) {
    return Math.min(Math.max((int) Math.floor(score * bins), 0), bins - 1);
  }
}
