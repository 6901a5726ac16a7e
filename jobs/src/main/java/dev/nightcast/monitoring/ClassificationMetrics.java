package dev.nightcast.monitoring;

/**
 * Pure classification metrics from a score histogram (no Spark): scores are cut into equal-width
 * bins on [0, 1]; per bin the state holds the positive and negative weight and the sum of the
 * scores. Scores within one bin count as ties, so ROC AUC and PR AUC are exact up to ties inside a
 * bin (at most 1/bins apart); the threshold metrics, log loss and Brier score come from exact sums.
 *
 * <p>The same state serves realised metrics (weights = labelled rows) and the label-free estimate
 * (confidence-based performance estimation: a row with probability p counts as p positive and
 * 1 - p negative, which is right on average for a calibrated model).
 */
public final class ClassificationMetrics {
  private ClassificationMetrics() {}

  /**
   * The state of one group.
   *
   * @param positives positive weight per score bin
   * @param negatives negative weight per score bin
   * @param scoreSums sum of the scores per score bin
   * @param truePositives weight predicted positive (score >= threshold) and positive; fp, fn, tn alike
   * @param logLossSum sum of -log likelihood with scores clipped to [1e-15, 1 - 1e-15]; NaN if unknown
   * @param brierSum sum of squared errors; NaN if unknown
   */
  public record State(
      double[] positives,
      double[] negatives,
      double[] scoreSums,
      double truePositives,
      double falsePositives,
      double falseNegatives,
      double trueNegatives,
      double logLossSum,
      double brierSum) {

    public double rows() {
      return truePositives + falsePositives + falseNegatives + trueNegatives;
    }

    public double positiveWeight() {
      return truePositives + falseNegatives;
    }
  }

  /**
   * Metrics of one group; NaN where undefined (e.g. AUC on a single class). Recall is the true positive
   * rate; the false positive rate is fp / (fp + tn), both at the decision threshold.
   */
  public record Metrics(
      double rows,
      double positives,
      double meanProbability,
      double rocAuc,
      double prAuc,
      double logLoss,
      double brier,
      double accuracy,
      double precision,
      double recall,
      double f1,
      double falsePositiveRate,
      double predictedPositiveRate,
      double actualPositiveRate,
      double expectedCalibrationError) {}

  public static Metrics compute(State state, int calibrationBins) {
    double rows = state.rows();
    double positives = state.positiveWeight();
    double predictedPositive = state.truePositives() + state.falsePositives();
    double precision = predictedPositive == 0 ? Double.NaN : state.truePositives() / predictedPositive;
    double recall = positives == 0 ? Double.NaN : state.truePositives() / positives;
    double negatives = state.falsePositives() + state.trueNegatives();
    double f1Denominator = 2 * state.truePositives() + state.falsePositives() + state.falseNegatives();
    return new Metrics(
        rows,
        positives,
        sum(state.scoreSums()) / rows,
        rocAuc(state.positives(), state.negatives()),
        averagePrecision(state.positives(), state.negatives()),
        state.logLossSum() / rows,
        state.brierSum() / rows,
        (state.truePositives() + state.trueNegatives()) / rows,
        precision,
        recall,
        f1Denominator == 0 ? Double.NaN : 2 * state.truePositives() / f1Denominator,
        negatives == 0 ? Double.NaN : state.falsePositives() / negatives,
        predictedPositive / rows,
        positives / rows,
        expectedCalibrationError(state.positives(), state.negatives(), state.scoreSums(), calibrationBins));
  }

  /**
   * Area under the ROC curve: P(score of a positive > score of a negative) + P(tie) / 2, with bins
   * ordered by score. NaN without both classes.
   */
  public static double rocAuc(double[] positives, double[] negatives) {
    double p = sum(positives);
    double n = sum(negatives);
    if (p == 0 || n == 0) {
      return Double.NaN;
    }
    double area = 0;
    double negativesBelow = 0;
    for (int i = 0; i < positives.length; i++) {
      area += positives[i] * (negativesBelow + negatives[i] / 2);
      negativesBelow += negatives[i];
    }
    return area / (p * n);
  }

  /**
   * Area under the precision-recall curve as average precision (the step-wise sum of precision
   * times recall gained, thresholds from the highest score bin down). NaN without positives.
   */
  public static double averagePrecision(double[] positives, double[] negatives) {
    double p = sum(positives);
    if (p == 0) {
      return Double.NaN;
    }
    double truePositives = 0;
    double falsePositives = 0;
    double area = 0;
    for (int i = positives.length - 1; i >= 0; i--) {
      if (positives[i] == 0 && negatives[i] == 0) {
        continue;
      }
      truePositives += positives[i];
      falsePositives += negatives[i];
      area += positives[i] / p * truePositives / (truePositives + falsePositives);
    }
    return area;
  }

  /**
   * Expected calibration error: the row-weighted mean of |mean score - positive rate| over
   * {@code groups} equal-width groups of the score bins (the score bin count must be a multiple).
   */
  public static double expectedCalibrationError(double[] positives, double[] negatives, double[] scoreSums, int groups) {
    double rows = sum(positives) + sum(negatives);
    if (rows == 0) {
      return Double.NaN;
    }
    int width = positives.length / groups;
    double error = 0;
    for (int g = 0; g < groups; g++) {
      double n = 0;
      double pos = 0;
      double scores = 0;
      for (int i = g * width; i < (g + 1) * width; i++) {
        n += positives[i] + negatives[i];
        pos += positives[i];
        scores += scoreSums[i];
      }
      if (n > 0) {
        error += n / rows * Math.abs(scores / n - pos / n);
      }
    }
    return error;
  }

  private static double sum(double[] values) {
    double total = 0;
    for (double value : values) {
      total += value;
    }
    return total;
  }
}
