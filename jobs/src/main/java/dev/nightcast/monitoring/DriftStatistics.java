package dev.nightcast.monitoring;

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
   * First Wasserstein distance between two binned numeric distributions, each bin's mass spread
   * uniformly over it: bin 0 is [low, edges[0]), bin i is [edges[i-1], edges[i]), the last bin is
   * [edges[last], high]; {@code low} and {@code high} are the smallest and largest values seen on
   * either side. Exact for data spread uniformly within bins. Divide by the reference standard
   * deviation for the normalised distance.
   */
  public static double wasserstein(double[] edges, double low, double high, long[] reference, long[] current) {
    double p = total(reference);
    double q = total(current);
    if (p == 0 || q == 0) {
      return Double.NaN;
    }
    double[] points = new double[edges.length + 2];
    points[0] = Math.min(low, edges.length == 0 ? low : edges[0]);
    for (int i = 0; i < edges.length; i++) {
      points[i + 1] = Math.max(points[i], edges[i]);
    }
    points[edges.length + 1] = Math.max(points[edges.length], high);
    double distance = 0;
    double a = 0;
    double b = 0;
    for (int i = 0; i < reference.length; i++) {
      double before = a / p - b / q;
      a += reference[i];
      b += current[i];
      double after = a / p - b / q;
      distance += (points[i + 1] - points[i]) * integralOfAbsoluteLinear(before, after);
    }
    return distance;
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
