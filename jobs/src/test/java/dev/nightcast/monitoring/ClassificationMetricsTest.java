package dev.nightcast.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ClassificationMetricsTest {
  @Test
  void rocAucCountsTiesAsHalfLikeMannWhitney() {
    // positives 0.9, 0.7, 0.6, 0.6; negatives 0.8, 0.2, 0.6 in 10 score bins:
    // scipy.stats.mannwhitneyu(pos, neg).statistic / (4 * 3) = 0.6666666666666666
    double[] positives = new double[10];
    double[] negatives = new double[10];
    positives[9] = 1;
    positives[7] = 1;
    positives[6] = 2;
    negatives[8] = 1;
    negatives[2] = 1;
    negatives[6] = 1;
    assertThat(ClassificationMetrics.rocAuc(positives, negatives)).isCloseTo(0.6666666666666666, within(1e-12));
    assertThat(ClassificationMetrics.rocAuc(positives, new double[10])).isNaN();
  }

  @Test
  void averagePrecisionSumsPrecisionAtEachRecallStep() {
    // scores 0.9 (+), 0.8 (-), 0.7 (+), 0.6 (+), 0.2 (-): AP = 1/3 (1/1 + 2/3 + 3/4)
    double[] positives = new double[10];
    double[] negatives = new double[10];
    positives[9] = 1;
    negatives[8] = 1;
    positives[7] = 1;
    positives[6] = 1;
    negatives[2] = 1;
    assertThat(ClassificationMetrics.averagePrecision(positives, negatives)).isCloseTo((1 + 2.0 / 3 + 3.0 / 4) / 3, within(1e-12));
  }

  @Test
  void expectedCalibrationErrorWeighsGroupGaps() {
    // 2 groups of 2 score bins: group 0 has 4 rows, scores sum 1.0, 1 positive -> |0.25 - 0.25| = 0;
    // group 1 has 4 rows, scores sum 3.2, 2 positives -> |0.8 - 0.5| = 0.3; ECE = 0.5 * 0 + 0.5 * 0.3
    double[] positives = {1, 0, 2, 0};
    double[] negatives = {2, 1, 1, 1};
    double[] scores = {0.6, 0.4, 2.4, 0.8};
    assertThat(ClassificationMetrics.expectedCalibrationError(positives, negatives, scores, 2)).isCloseTo(0.15, within(1e-12));
  }

  @Test
  void thresholdMetricsComeFromTheConfusionSums() {
    ClassificationMetrics.State state =
        new ClassificationMetrics.State(new double[] {1, 2}, new double[] {3, 4}, new double[] {1, 3}, 2, 1, 1, 6, 4.2, 1.1);
    ClassificationMetrics.Metrics m = ClassificationMetrics.compute(state, 1);
    assertThat(m.rows()).isEqualTo(10);
    assertThat(m.accuracy()).isCloseTo(0.8, within(1e-12));
    assertThat(m.precision()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.recall()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.falsePositiveRate()).isCloseTo(1.0 / 7, within(1e-12)); // fp / (fp + tn)
    assertThat(m.f1()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.logLoss()).isCloseTo(0.42, within(1e-12));
    assertThat(m.brier()).isCloseTo(0.11, within(1e-12));
    assertThat(m.predictedPositiveRate()).isCloseTo(0.3, within(1e-12));
    assertThat(m.actualPositiveRate()).isCloseTo(0.3, within(1e-12));
  }

  @Test
  void confidenceBasedEstimateMatchesTheHandComputedExpectation() {
    // p = 0.9, 0.6 (predicted positive), 0.2 (negative): E[TP] 1.5, E[FP] 0.5, E[FN] 0.2, E[TN] 0.8
    ClassificationMetrics.State state =
        new ClassificationMetrics.State(new double[] {0.2, 1.5}, new double[] {0.8, 0.5}, new double[] {0.2, 1.5}, 1.5, 0.5, 0.2, 0.8, Double.NaN, Double.NaN);
    ClassificationMetrics.Metrics m = ClassificationMetrics.compute(state, 1);
    assertThat(m.accuracy()).isCloseTo(2.3 / 3, within(1e-12));
    assertThat(m.precision()).isCloseTo(0.75, within(1e-12));
    assertThat(m.recall()).isCloseTo(1.5 / 1.7, within(1e-12));
    assertThat(m.f1()).isCloseTo(3.0 / 3.7, within(1e-12));
    assertThat(m.falsePositiveRate()).isCloseTo(0.5 / 1.3, within(1e-12));
  }

  @Test
  void theFalsePositiveRateIsUndefinedWithoutNegatives() {
    ClassificationMetrics.State positivesOnly =
        new ClassificationMetrics.State(new double[] {1, 2}, new double[] {0, 0}, new double[] {0.3, 1.6}, 2, 0, 1, 0, 1.0, 0.2);
    assertThat(ClassificationMetrics.compute(positivesOnly, 1).falsePositiveRate()).isNaN();
  }

  @Test
  void confidenceBasedEstimateTracksRealisedMetricsOfACalibratedModel() {
    // labels drawn from the probabilities themselves (a calibrated model), fixed seed
    int bins = 1000;
    Random random = new Random(7);
    double[] positives = new double[bins];
    double[] negatives = new double[bins];
    double[] scoreSums = new double[bins];
    double[] rows = new double[bins];
    double tp = 0, fp = 0, fn = 0, tn = 0, etp = 0, efp = 0, efn = 0, etn = 0;
    for (int i = 0; i < 50_000; i++) {
      double p = Math.pow(random.nextDouble(), 2.5);
      boolean label = random.nextDouble() < p;
      int bin = Math.min(bins - 1, (int) Math.floor(p * bins));
      (label ? positives : negatives)[bin]++;
      scoreSums[bin] += p;
      rows[bin]++;
      boolean predicted = p >= 0.5;
      if (predicted) {
        if (label) tp++; else fp++;
        etp += p;
        efp += 1 - p;
      } else {
        if (label) fn++; else tn++;
        efn += p;
        etn += 1 - p;
      }
    }
    double[] estimatedNegatives = new double[bins];
    for (int i = 0; i < bins; i++) {
      estimatedNegatives[i] = rows[i] - scoreSums[i];
    }
    ClassificationMetrics.Metrics realised =
        ClassificationMetrics.compute(new ClassificationMetrics.State(positives, negatives, scoreSums, tp, fp, fn, tn, 0, 0), 10);
    ClassificationMetrics.Metrics estimated =
        ClassificationMetrics.compute(new ClassificationMetrics.State(scoreSums, estimatedNegatives, scoreSums, etp, efp, efn, etn, 0, 0), 10);
    assertThat(estimated.accuracy()).isCloseTo(realised.accuracy(), within(0.01));
    assertThat(estimated.precision()).isCloseTo(realised.precision(), within(0.02));
    assertThat(estimated.recall()).isCloseTo(realised.recall(), within(0.02));
    assertThat(estimated.f1()).isCloseTo(realised.f1(), within(0.02));
    assertThat(estimated.rocAuc()).isCloseTo(realised.rocAuc(), within(0.01));
    assertThat(realised.expectedCalibrationError()).isLessThan(0.02);
  }
}
