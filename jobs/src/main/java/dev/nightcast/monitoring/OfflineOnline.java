package dev.nightcast.monitoring;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.not;

import dev.nightcast.registry.ModelsTable;
import dev.nightcast.registry.Registry;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * Offline vs online per model version: what training said (the backtest mean of the AUC, else the
 * test window's) beside what serving showed (the mean of the realised daily AUC over the days the
 * version served). Across versions, the mean gap says how optimistic offline evaluation runs and the
 * correlation whether a version that looked better offline also served better. {@link #read} is the
 * I/O shell; the rest is pure.
 */
public final class OfflineOnline {
  /** Fewer compared versions than this give no correlation: two points always lie on a line. */
  public static final int MIN_VERSIONS = 3;

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
    double correlation = pairs.size() < MIN_VERSIONS ? Double.NaN : correlation(pairs);
    return new Summary(pairs.size(), meanGap, correlation);
  }

  /** Pearson's correlation of the pairs' two values; NaN with no spread on a side (or no pairs). */
  public static double correlation(List<double[]> pairs) {
    int n = pairs.size();
    double meanFirst = 0;
    double meanSecond = 0;
    for (double[] pair : pairs) {
      meanFirst += pair[0] / n;
      meanSecond += pair[1] / n;
    }
    double covariance = 0;
    double varianceFirst = 0;
    double varianceSecond = 0;
    for (double[] pair : pairs) {
      covariance += (pair[0] - meanFirst) * (pair[1] - meanSecond);
      varianceFirst += (pair[0] - meanFirst) * (pair[0] - meanFirst);
      varianceSecond += (pair[1] - meanSecond) * (pair[1] - meanSecond);
    }
    return varianceFirst > 0 && varianceSecond > 0 ? covariance / Math.sqrt(varianceFirst * varianceSecond) : Double.NaN;
  }

  /**
   * Every version registered up to {@code upTo}, its offline AUC (backtest mean, else test) and its
   * realised AUC over the days it served up to {@code upTo}: its serving life so far, whatever a
   * report's window. Cost: a read of the models table and one aggregation of performance_daily's
   * whole-population realised rows.
   */
  public static List<Version> read(Warehouse warehouse, LocalDate upTo) {
    if (!warehouse.exists(Tables.MODELS)) {
      return List.of();
    }
    Map<Integer, Row> served = new HashMap<>();
    if (warehouse.exists(Tables.PERFORMANCE_DAILY)) {
      warehouse.read(Tables.PERFORMANCE_DAILY)
          .where(col(Slices.KEY).isNull().and(col("kind").equalTo(Performance.REALISED)).and(col("ds").leq(Date.valueOf(upTo)))
              .and(col("roc_auc").isNotNull()).and(not(isnan(col("roc_auc")))))
          .groupBy("model_version")
          .agg(countDistinct("ds").as("days"), avg("roc_auc").as("auc"))
          .collectAsList()
          .forEach(row -> served.put(row.<Integer>getAs("model_version"), row));
    }
    return Registry.registered(warehouse).stream()
        .filter(model -> !model.ds().isAfter(upTo))
        .sorted(Comparator.comparingInt(ModelsTable.Model::version))
        .map(model -> {
          Double test = model.testMetrics().get("auc");
          Row online = served.get(model.version());
          return new Version(
              model.version(), model.ds(), model.candidate(), model.backtestMean() != null ? model.backtestMean() : test,
              model.backtestMean() != null ? "backtest" : test != null ? "test" : null,
              online == null ? 0 : Math.toIntExact(online.<Long>getAs("days")), online == null ? null : online.<Double>getAs("auc"));
        })
        .toList();
  }
}
