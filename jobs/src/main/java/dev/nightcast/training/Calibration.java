package dev.nightcast.training;

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
   * The calibrated positive rate of each of {@code bins} equal-width score bins on [0, 1]. Bins
   * without rows take the rate of the nearest pooled block below them (above, before the first
   * row). Rows with a NaN score are ignored; without any row the map is the identity (bin mids).
   */
  public static double[] isotonic(double[] scores, double[] labels, int bins) {
    double[] rows = new double[bins];
    double[] positives = new double[bins];
    for (int i = 0; i < scores.length; i++) {
      if (!Double.isNaN(scores[i])) {
        int bin = bin(scores[i], bins);
        rows[bin]++;
        positives[bin] += labels[i];
      }
    }
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
