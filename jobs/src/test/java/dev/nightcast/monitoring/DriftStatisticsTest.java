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
    double[] edges = {1, 2, 3, 4};
    assertThat(DriftStatistics.wasserstein(edges, 0, 5, new long[] {10, 10, 10, 10, 0}, new long[] {0, 10, 10, 10, 10}))
        .isCloseTo(1.0, within(1e-12));
    assertThat(DriftStatistics.wasserstein(edges, 0, 5, new long[] {1, 2, 3, 4, 5}, new long[] {2, 4, 6, 8, 10})).isCloseTo(0, within(1e-12));
  }

  @Test
  void wassersteinMatchesAnIndependentSampleBasedComputation() {
    double[] edges = {0.0, 2.5, 3.0, 10.0};
    double low = -4;
    double high = 12;
    long[] reference = {3, 7, 0, 12, 2};
    long[] current = {0, 4, 9, 3, 8};
    double expected = sampledWasserstein(edges, low, high, reference, current);
    assertThat(DriftStatistics.wasserstein(edges, low, high, reference, current)).isCloseTo(expected, within(2e-3));
  }

  /** Spreads each bin's mass over evenly spaced points and takes the mean |quantile difference|. */
  private static double sampledWasserstein(double[] edges, double low, double high, long[] reference, long[] current) {
    int points = 200_000;
    double[] a = quantiles(edges, low, high, reference, points);
    double[] b = quantiles(edges, low, high, current, points);
    double sum = 0;
    for (int i = 0; i < points; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return sum / points;
  }

  private static double[] quantiles(double[] edges, double low, double high, long[] counts, int points) {
    double[] bounds = new double[edges.length + 2];
    bounds[0] = low;
    System.arraycopy(edges, 0, bounds, 1, edges.length);
    bounds[edges.length + 1] = high;
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
      out[i] = bounds[bin] + (u - before) / counts[bin] * (bounds[bin + 1] - bounds[bin]);
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
