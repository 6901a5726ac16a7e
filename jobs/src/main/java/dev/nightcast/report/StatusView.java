package dev.nightcast.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * What {@code nightcast status} shows of the Delta tables: the latest night that ran, the latest
 * attempt of each stage, and the alerts still open. Read-only; each call is one small Spark job over
 * the runs or alerts table (a few rows per night), and columns are read by name.
 */
public final class StatusView {
  private StatusView() {}

  /** The alerts of the latest monitored night; {@code night} is empty when none was monitored on or before the night asked about. */
  public record OpenAlerts(Optional<LocalDate> night, List<ReportData.Alert> alerts) {}

  /** The latest night in the runs table, empty when nothing ran yet. Cost: one aggregate over the runs table. */
  public static Optional<LocalDate> latestNight(Warehouse warehouse) {
    if (!warehouse.exists(Tables.RUNS)) {
      return Optional.empty();
    }
    return latest(warehouse.read(Tables.RUNS));
  }

  /** The latest attempt of each stage, in the order they started. Cost: one scan of the runs table, one window over it. */
  public static List<ReportData.Run> lastAttemptPerStage(Warehouse warehouse) {
    return warehouse.read(Tables.RUNS)
        .withColumn("attempt", row_number().over(Window.partitionBy("stage").orderBy(col("started_at").desc())))
        .where(col("attempt").equalTo(1))
        .orderBy("started_at")
        .collectAsList()
        .stream()
        .map(NightView::run)
        .toList();
  }

  /**
   * The alerts open as of night {@code latest}: monitoring replaces a night's alerts, so those of the
   * latest monitored night on or before it are the open ones, the most severe first. Empty when
   * nothing was monitored yet (no alerts table). Cost: two small filtered reads of the alerts table.
   */
  public static Optional<OpenAlerts> openAlerts(Warehouse warehouse, LocalDate latest) {
    if (!warehouse.exists(Tables.ALERTS)) {
      return Optional.empty();
    }
    Dataset<Row> alerts = warehouse.read(Tables.ALERTS).where(col("ds").leq(lit(Date.valueOf(latest))));
    Optional<LocalDate> night = latest(alerts);
    if (night.isEmpty()) {
      return Optional.of(new OpenAlerts(night, List.of()));
    }
    List<ReportData.Alert> open =
        alerts.where(col("ds").equalTo(lit(Date.valueOf(night.get()))))
            .withColumn("rank", when(col("severity").equalTo("high"), 0).when(col("severity").equalTo("medium"), 1).otherwise(2))
            .orderBy("rank", "kind", "metric", "column_name")
            .collectAsList()
            .stream()
            .map(NightView::alert)
            .toList();
    return Optional.of(new OpenAlerts(night, open));
  }

  private static Optional<LocalDate> latest(Dataset<Row> table) {
    Row latest = table.agg(max("ds").as("latest")).head();
    return Optional.ofNullable(latest.<Date>getAs("latest")).map(Date::toLocalDate);
  }
}
