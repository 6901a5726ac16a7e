package dev.nightcast.report;

import java.time.LocalDate;
import java.util.List;

/**
 * Offline vs online per model version: what training said (the backtest mean of the AUC, else the
 * test window's) beside what serving showed (the mean of the realised daily AUC over the days the
 * version served). Across versions, the mean gap says how optimistic offline evaluation runs and the
 * correlation whether a version that looked better offline also served better. Pure.
 */
public final class OfflineOnline {
  /** Fewer compared versions than this give no correlation: two points always lie on a line. */
  static final int MIN_VERSIONS = 3;

  private OfflineOnline() {}

  /**
   * One registered version: its offline AUC ({@code offlineSource} backtest or test; null when neither
   * was computed) and its realised AUC averaged over its served days (null when it served no labelled day).
   */
  public record Version(
      int version, LocalDate trainedOn, String candidate, Double offline, String offlineSource, int servedDays, Double online) {
    public boolean compared() {
      return offline != null && online != null;
    }

    public Double gap() {
      return compared() ? online - offline : null;
    }
  }

  /** Over the versions with both values: how many, the mean gap (online - offline), and the correlation (NaN below {@link #MIN_VERSIONS}). */
  public record Summary(int versions, double meanGap, double correlation) {}

  public static Summary summarize(List<Version> versions) {
    List<double[]> pairs = versions.stream().filter(Version::compared).map(v -> new double[] {v.offline(), v.online()}).toList();
    if (pairs.isEmpty()) {
      return new Summary(0, Double.NaN, Double.NaN);
    }
    double meanGap = pairs.stream().mapToDouble(pair -> pair[1] - pair[0]).average().orElseThrow();
    double correlation = pairs.size() < MIN_VERSIONS ? Double.NaN : EstimateErrors.correlation(pairs);
    return new Summary(pairs.size(), meanGap, correlation);
  }
}
