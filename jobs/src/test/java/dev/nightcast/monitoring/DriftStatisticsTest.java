package dev.nightcast.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Reference values marked "scipy" were computed with SciPy 1.17.1 in a throwaway virtualenv:
 * scipy.stats.chisquare, ks_2samp, kstwobign.sf, wasserstein_distance, chi2.sf and
 * scipy.spatial.distance.jensenshannon(base=2); the rest come from a straightforward
 * implementation in this test.
 */
@Tag("unit")
class DriftStatisticsTest {
  private static final double EPS = DriftStatistics.EPSILON;

  @Test
  void psiMatchesTheFormulaAndIsZeroForIdenticalDistributions() {
    // numpy: sum((a-e) ln(a/e)) for e = [.25]*4, a = [.1, .2, .3, .4]
    assertThat(DriftStatistics.psi(new long[] {25, 25, 25, 25}, new long[] {10, 20, 30, 40}, EPS)).isCloseTo(0.22821740957339182, within(1e-12));
    assertThat(DriftStatistics.psi(new long[] {3, 5, 2}, new long[] {30, 50, 20}, EPS)).isCloseTo(0, within(1e-15));
  }

  @Test
  void psiFloorsEmptyBinsAtTheStatedEpsilon() {
    // expected [.5, .5, 0] -> floored 1e-4; actual [.5, .25, .25]
    double expected = (0.25 - 0.5) * Math.log(0.25 / 0.5) + (0.25 - EPS) * Math.log(0.25 / EPS);
    assertThat(DriftStatistics.psi(new long[] {2, 2, 0}, new long[] {2, 1, 1}, EPS)).isCloseTo(expected, within(1e-12));
    assertThat(DriftStatistics.psi(new long[] {0, 0}, new long[] {1, 1}, EPS)).isNaN();
  }

  @Test
  void jensenShannonDistanceMatchesScipy() {
    assertThat(DriftStatistics.jsDistance(new long[] {5, 3, 8, 1, 0, 6}, new long[] {2, 7, 4, 4, 3, 1}))
        .isCloseTo(0.4832493196694617, within(1e-12)); // scipy
    assertThat(DriftStatistics.jsDistance(new long[] {1, 2, 3}, new long[] {2, 4, 6})).isCloseTo(0, within(1e-7));
    assertThat(DriftStatistics.jsDistance(new long[] {1, 0}, new long[] {0, 1})).isCloseTo(1, within(1e-12));
    assertThat(DriftStatistics.jsDistance(new long[] {7}, new long[] {3})).isCloseTo(0, within(1e-12)); // a single category
  }

  @Test
  void lInfinityIsTheLargestProportionGap() {
    assertThat(DriftStatistics.lInfinity(new long[] {50, 30, 20}, new long[] {40, 40, 20})).isCloseTo(0.1, within(1e-12));
    assertThat(DriftStatistics.lInfinity(new long[] {0, 0}, new long[] {1, 1})).isNaN();
  }

  @Test
  void chiSquareMatchesScipy() {
    DriftStatistics.ChiSquare chi = DriftStatistics.chiSquare(new long[] {50, 30, 20}, new long[] {40, 40, 20}, EPS);
    assertThat(chi.statistic()).isCloseTo(5.333333333333334, within(1e-9)); // scipy chisquare
    assertThat(chi.degreesOfFreedom()).isEqualTo(2);
    assertThat(chi.pValue()).isCloseTo(0.0694834512228015, within(1e-9)); // scipy
  }

  @Test
  void chiSquareTinyPValuesKeepTheirPrecision() {
    // statistic exactly 60 with 3 degrees of freedom: 4 bins of expected 25 each
    long[] reference = {25, 25, 25, 25};
    long[] current = {25 + 15, 25 - 15, 25 + 15, 25 - 15}; // (15^2/25) * 4 = 36 -> use a second case for 60
    assertThat(DriftStatistics.chiSquare(reference, current, EPS).statistic()).isCloseTo(36, within(1e-9));
    assertThat(org.apache.commons.math3.special.Gamma.regularizedGammaQ(1.5, 30.0)).isCloseTo(5.878230727906921e-13, within(1e-20)); // scipy chi2.sf(60, 3)
  }

  @Test
  void chiSquareOfASingleCategoryOrEmptyBinsIsNoEvidence() {
    DriftStatistics.ChiSquare single = DriftStatistics.chiSquare(new long[] {10, 0, 0}, new long[] {7, 0, 0}, EPS);
    assertThat(single.statistic()).isZero();
    assertThat(single.pValue()).isEqualTo(1);
    // bins empty on both sides are left out: the same as the 3-bin case
    DriftStatistics.ChiSquare padded = DriftStatistics.chiSquare(new long[] {50, 0, 30, 20}, new long[] {40, 0, 40, 20}, EPS);
    assertThat(padded.degreesOfFreedom()).isEqualTo(2);
    assertThat(padded.pValue()).isCloseTo(0.0694834512228015, within(1e-9));
    assertThat(DriftStatistics.chiSquare(new long[] {0, 0}, new long[] {1, 1}, EPS).pValue()).isNaN();
  }

  @Test
  void ksStatisticOnPerValueBinsMatchesScipy() {
    // a = [1,1,2,2,2,3,3,4,5,5], b = [2,3,3,3,4,4,4,5,5,5,5,1], one bin per value: scipy ks_2samp D = 1/3
    assertThat(DriftStatistics.ksStatistic(new long[] {2, 3, 2, 1, 2}, new long[] {1, 1, 3, 3, 4})).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(DriftStatistics.ksStatistic(new long[] {1, 2, 3}, new long[] {2, 4, 6})).isZero();
  }

  @Test
  void kolmogorovSurvivalMatchesScipyAcrossBothSeries() {
    double[][] cases = { // x, scipy.stats.kstwobign.sf(x)
      {0.2, 0.999999999999495}, {0.5, 0.9639452436648751}, {1.0, 0.26999967167735456}, {1.5, 0.022217962616525127},
      {2.5, 7.453306344157342e-06}
    };
    for (double[] c : cases) {
      assertThat(DriftStatistics.kolmogorovSurvival(c[0])).as("x = %s", c[0]).isCloseTo(c[1], within(1e-10));
    }
    // the p-value evaluates it at sqrt(n m / (n + m)) D
    assertThat(DriftStatistics.ksPValue(0.1, 200, 200)).isCloseTo(DriftStatistics.kolmogorovSurvival(1.0), within(1e-15));
  }

  @Test
  void wassersteinOfAOneBinShiftMatchesScipy() {
    // uniform on [0,4] vs uniform on [1,5] (one bin per unit): scipy wasserstein_distance of the bin
    // midpoints [0.5..3.5] vs [1.5..4.5] is 1.0, and so is the distance of the uniform spreads
    double[] mean = {0.5, 1.5, 2.5, 3.5, 4.5};
    double[] std = new double[5];
    Arrays.fill(std, 1 / Math.sqrt(12)); // a unit-wide uniform's
    assertThat(DriftStatistics.wasserstein(new long[] {10, 10, 10, 10, 0}, mean, std, new long[] {0, 10, 10, 10, 10}, mean, std))
        .isCloseTo(1.0, within(1e-12));
    assertThat(DriftStatistics.wasserstein(new long[] {1, 2, 3, 4, 5}, mean, std, new long[] {2, 4, 6, 8, 10}, mean, std))
        .isCloseTo(0, within(1e-12));
  }

  @Test
  void wassersteinOfPointMassesIsExact() {
    // bins holding one value each: scipy wasserstein_distance([0]*7 + [1]*3, [0]*6 + [1]*4) = 0.1,
    // and of hours [0, 0, 5, 23] vs [5, 5, 23, 23] = (5 + 5 + 18 + 0) / 4 = 7 (sorted pairs' distances)
    double[] binary = {0, 1};
    double[] none = {0, 0, 0};
    assertThat(DriftStatistics.wasserstein(new long[] {7, 3}, binary, none, new long[] {6, 4}, binary, none)).isCloseTo(0.1, within(1e-15));
    double[] hours = {0, 5, 23};
    assertThat(DriftStatistics.wasserstein(new long[] {2, 1, 1}, hours, none, new long[] {0, 2, 2}, hours, none)).isCloseTo(7, within(1e-12));
  }

  @Test
  void wassersteinMatchesAnIndependentSampleBasedComputation() {
    // each side's bins spread uniformly over its own value ranges, point masses among them
    double[] referenceLow = {-4, 0.5, 2.5, 3.0, 10.0};
    double[] referenceHigh = {-1, 2.4, 2.5, 9.5, 12};
    double[] currentLow = {-3, 0.0, 2.6, 5.0, 10.0};
    double[] currentHigh = {-3, 2.5, 2.9, 5.0, 11};
    long[] reference = {3, 7, 4, 12, 2};
    long[] current = {1, 4, 9, 3, 8};
    double expected = sampledWasserstein(reference, referenceLow, referenceHigh, current, currentLow, currentHigh);
    assertThat(DriftStatistics.wasserstein(reference, mean(referenceLow, referenceHigh), std(referenceLow, referenceHigh), current,
            mean(currentLow, currentHigh), std(currentLow, currentHigh)))
        .isCloseTo(expected, within(2e-3));
  }

  /** The means of uniforms over [low, high]. */
  private static double[] mean(double[] low, double[] high) {
    double[] out = new double[low.length];
    Arrays.setAll(out, i -> (low[i] + high[i]) / 2);
    return out;
  }

  /** The standard deviations of uniforms over [low, high]. */
  private static double[] std(double[] low, double[] high) {
    double[] out = new double[low.length];
    Arrays.setAll(out, i -> (high[i] - low[i]) / Math.sqrt(12));
    return out;
  }

  /** Spreads each bin's mass over evenly spaced points and takes the mean |quantile difference|. */
  private static double sampledWasserstein(
      long[] reference, double[] referenceLow, double[] referenceHigh, long[] current, double[] currentLow, double[] currentHigh) {
    int points = 200_000;
    double[] a = quantiles(reference, referenceLow, referenceHigh, points);
    double[] b = quantiles(current, currentLow, currentHigh, points);
    double sum = 0;
    for (int i = 0; i < points; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return sum / points;
  }

  /** Bins in ascending order of their ranges (as the test's bins are). */
  private static double[] quantiles(long[] counts, double[] low, double[] high, int points) {
    double total = Arrays.stream(counts).sum();
    double[] out = new double[points];
    for (int i = 0; i < points; i++) {
      double u = (i + 0.5) / points * total;
      int bin = 0;
      double before = 0;
      while (before + counts[bin] < u) {
        before += counts[bin];
        bin++;
      }
      out[i] = low[bin] + (u - before) / counts[bin] * (high[bin] - low[bin]);
    }
    return out;
  }

  @Test
  void regroupingCutsFineBinsAtReferenceQuantiles() {
    long[] reference = {10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
    assertThat(DriftStatistics.regroup(reference, reference, 5)).containsExactly(20, 20, 20, 20, 20);
    assertThat(DriftStatistics.regroup(new long[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 9}, reference, 2)).containsExactly(1, 9);
  }
}
