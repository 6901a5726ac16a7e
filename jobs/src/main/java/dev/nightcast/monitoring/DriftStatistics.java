package dev.nightcast.monitoring;

import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import org.apache.commons.math3.special.Gamma;

/**
 * Pure distribution-distance statistics over binned counts (no Spark). Every method takes the
 * reference and the current counts over the same ordered value bins (nulls and non-finite values
 * are not in them) and returns NaN when a side has no values.
 */
public final class DriftStatistics {
  /** Floor for empty bins in PSI and in the chi-square expectation, as a proportion. */
  public static final double EPSILON = 1e-4;

  private DriftStatistics() {}

  /** Population stability index: sum (a - e) ln(a / e) over proportions floored at {@code epsilon}. */
  public static double psi(long[] expected, long[] actual, double epsilon) {
    double expectedTotal = total(expected);
    double actualTotal = total(actual);
    if (expectedTotal == 0 || actualTotal == 0) {
      return Double.NaN;
    }
    double psi = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.max(expected[i] / expectedTotal, epsilon);
      double a = Math.max(actual[i] / actualTotal, epsilon);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }

  /** Jensen-Shannon distance with base-2 logarithms: the square root of the divergence, in [0, 1]. */
  public static double jsDistance(long[] reference, long[] current) {
    double p = total(reference);
    double q = total(current);
    if (p == 0 || q == 0) {
      return Double.NaN;
    }
    double divergence = 0;
    for (int i = 0; i < reference.length; i++) {
      double a = reference[i] / p;
      double b = current[i] / q;
      double m = (a + b) / 2;
      if (a > 0) {
        divergence += 0.5 * a * Math.log(a / m);
      }
      if (b > 0) {
        divergence += 0.5 * b * Math.log(b / m);
      }
    }
    return Math.sqrt(Math.max(0, divergence / Math.log(2)));
  }

  /** Largest absolute difference of bin proportions (L-infinity distance). */
  public static double lInfinity(long[] reference, long[] current) {
    double p = total(reference);
    double q = total(current);
    if (p == 0 || q == 0) {
      return Double.NaN;
    }
    double max = 0;
    for (int i = 0; i < reference.length; i++) {
      max = Math.max(max, Math.abs(reference[i] / p - current[i] / q));
    }
    return max;
  }

  public record ChiSquare(double statistic, int degreesOfFreedom, double pValue) {}

  /**
   * Pearson's goodness-of-fit of the current counts to the reference proportions (floored at
   * {@code epsilon} and renormalised, so a category new since the reference is a large but finite
   * term). Bins empty on both sides are left out; degrees of freedom = bins kept - 1; with a single
   * bin kept there is no evidence of a difference (statistic 0, p-value 1).
   */
  public static ChiSquare chiSquare(long[] reference, long[] current, double epsilon) {
    double p = total(reference);
    double q = total(current);
    if (p == 0 || q == 0) {
      return new ChiSquare(Double.NaN, 0, Double.NaN);
    }
    double floored = 0;
    int kept = 0;
    for (int i = 0; i < reference.length; i++) {
      if (reference[i] > 0 || current[i] > 0) {
        floored += Math.max(reference[i] / p, epsilon);
        kept++;
      }
    }
    if (kept < 2) {
      return new ChiSquare(0, 0, 1);
    }
    double statistic = 0;
    for (int i = 0; i < reference.length; i++) {
      if (reference[i] > 0 || current[i] > 0) {
        double expected = q * Math.max(reference[i] / p, epsilon) / floored;
        statistic += (current[i] - expected) * (current[i] - expected) / expected;
      }
    }
    int dof = kept - 1;
    return new ChiSquare(statistic, dof, Gamma.regularizedGammaQ(dof / 2.0, statistic / 2.0));
  }

  /**
   * Two-sample Kolmogorov-Smirnov statistic over ordered bins: the largest difference of the two
   * empirical CDFs at the bin edges (exact when every distinct value has its own bin, otherwise a
   * lower bound within one bin's mass of the exact statistic).
   */
  public static double ksStatistic(long[] reference, long[] current) {
    double p = total(reference);
    double q = total(current);
    if (p == 0 || q == 0) {
      return Double.NaN;
    }
    double a = 0;
    double b = 0;
    double max = 0;
    for (int i = 0; i < reference.length; i++) {
      a += reference[i];
      b += current[i];
      max = Math.max(max, Math.abs(a / p - b / q));
    }
    return max;
  }

  /**
   * Asymptotic two-sided p-value of the two-sample KS statistic: the Kolmogorov distribution's
   * survival function at sqrt(n m / (n + m)) d.
   */
  public static double ksPValue(double statistic, long n, long m) {
    if (Double.isNaN(statistic) || n == 0 || m == 0) {
      return Double.NaN;
    }
    return kolmogorovSurvival(Math.sqrt((double) n * m / (n + m)) * statistic);
  }

  /** P(K > x) for the Kolmogorov distribution, by its two classic series (each fast where used). */
  public static double kolmogorovSurvival(double x) {
    if (x <= 0) {
      return 1;
    }
    if (x < 1) {
      // 1 - sqrt(2 pi)/x * sum exp(-(2j-1)^2 pi^2 / (8 x^2))
      double sum = 0;
      for (int j = 1; j <= 20; j++) {
        sum += Math.exp(-(2 * j - 1) * (2 * j - 1) * Math.PI * Math.PI / (8 * x * x));
      }
      return Math.min(1, Math.max(0, 1 - Math.sqrt(2 * Math.PI) / x * sum));
    }
    double sum = 0;
    for (int j = 1; j <= 100; j++) {
      double term = Math.exp(-2.0 * j * j * x * x);
      sum += (j % 2 == 1 ? term : -term);
      if (term < 1e-300) {
        break;
      }
    }
    return Math.min(1, Math.max(0, 2 * sum));
  }

  /**
   * First Wasserstein distance, the integral of |F - G|, between two binned numeric distributions:
   * each side's bin i holds its mass spread uniformly with that side's mean[i] and std[i] of the
   * values in the bin (over mean ± √3 std; a point mass where std is 0). Exact when every bin holds a
   * single value (a column binned at each of its values). For continuous data the two moments keep
   * the long open-ended outer bins close too, where spreading a bin evenly between its smallest and
   * largest value would overstate a shifted tail. Divide by the reference standard deviation for the
   * normalised distance.
   */
  public static double wasserstein(long[] reference, double[] referenceMean, double[] referenceStd, long[] current, double[] currentMean, double[] currentStd) {
    double p = total(reference);
    double q = total(current);
    if (p == 0 || q == 0) {
      return Double.NaN;
    }
    double[] referenceLow = spread(referenceMean, referenceStd, -1);
    double[] referenceHigh = spread(referenceMean, referenceStd, 1);
    double[] currentLow = spread(currentMean, currentStd, -1);
    double[] currentHigh = spread(currentMean, currentStd, 1);
    // both CDFs are linear between consecutive bounds of non-empty bins, and jump only at bounds
    double[] points =
        DoubleStream.concat(bounds(reference, referenceLow, referenceHigh), bounds(current, currentLow, currentHigh)).sorted().distinct().toArray();
    double distance = 0;
    for (int k = 0; k + 1 < points.length; k++) {
      double start = mass(reference, referenceLow, referenceHigh, points[k], false) / p - mass(current, currentLow, currentHigh, points[k], false) / q;
      double end = mass(reference, referenceLow, referenceHigh, points[k + 1], true) / p - mass(current, currentLow, currentHigh, points[k + 1], true) / q;
      distance += (points[k + 1] - points[k]) * integralOfAbsoluteLinear(start, end);
    }
    return distance;
  }

  /** The ends (side -1 or 1) of the uniform spreads with the given means and standard deviations. */
  private static double[] spread(double[] mean, double[] std, int side) {
    double[] out = new double[mean.length];
    for (int i = 0; i < mean.length; i++) {
      out[i] = mean[i] + side * Math.sqrt(3) * std[i];
    }
    return out;
  }

  private static DoubleStream bounds(long[] counts, double[] low, double[] high) {
    return IntStream.range(0, counts.length).filter(i -> counts[i] > 0).mapToObj(i -> DoubleStream.of(low[i], high[i])).flatMapToDouble(d -> d);
  }

  /** The mass at or below {@code x} (strictly below when {@code below}), each bin spread over [low, high]. */
  private static double mass(long[] counts, double[] low, double[] high, double x, boolean below) {
    double mass = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] == 0) {
        continue;
      }
      if (x > high[i] || (x == high[i] && !below)) {
        mass += counts[i];
      } else if (x > low[i]) {
        mass += counts[i] * (x - low[i]) / (high[i] - low[i]);
      }
    }
    return mass;
  }

  /** The mean of |f| over [0, 1] for f linear from u to v. */
  private static double integralOfAbsoluteLinear(double u, double v) {
    if (u * v >= 0) {
      return (Math.abs(u) + Math.abs(v)) / 2;
    }
    return (u * u + v * v) / (2 * (Math.abs(u) + Math.abs(v)));
  }

  /**
   * Groups fine bins into {@code groups} bins of about equal reference mass (each fine bin joins the
   * group its reference mass midpoint falls in): the PSI bins cut at reference quantiles.
   */
  public static long[] regroup(long[] fine, long[] referenceFine, int groups) {
    double p = total(referenceFine);
    long[] out = new long[groups];
    double before = 0;
    for (int i = 0; i < fine.length; i++) {
      int group = p == 0 ? 0 : (int) Math.min(groups - 1, Math.floor((before + referenceFine[i] / 2.0) / p * groups));
      out[group] += fine[i];
      before += referenceFine[i];
    }
    return out;
  }

  static double total(long[] counts) {
    double total = 0;
    for (long count : counts) {
      total += count;
    }
    return total;
  }
}
