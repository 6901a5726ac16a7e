package dev.nightcast.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import dev.nightcast.night.Context;
import dev.nightcast.registry.Registry;
import dev.nightcast.report.DeliveryMetrics;
import dev.nightcast.report.ReportData;
import dev.nightcast.report.ReportReader;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "The last run of each stage, the champion and its age, the serving table's version and rows, open alerts,"
        + " delivery metrics of the last 30 nights, and what to do next.")
final class StatusCommand implements Callable<Integer> {
  private static final int DELIVERY_NIGHTS = 30;
  private static final int SHOWN_ALERTS = 10;

  @Mixin PipelineOptions options;

  @Override
  public Integer call() throws SQLException {
    try (Context context = options.start()) {
      Warehouse warehouse = context.warehouse();
      if (!warehouse.exists(Tables.RUNS)) {
        System.out.println("No runs yet in " + warehouse.root() + ". Start with: bin/nightcast run --date <YYYY-MM-DD>");
        return 0;
      }
      Dataset<Row> runs = warehouse.read(Tables.RUNS);
      LocalDate latest = runs.agg(max("ds")).head().getDate(0).toLocalDate();
      System.out.println("Last stage runs (latest attempt per stage):");
      List<Row> lastPerStage =
          runs.withColumn("n", row_number().over(Window.partitionBy("stage").orderBy(col("started_at").desc())))
              .where(col("n").equalTo(1))
              .orderBy("started_at")
              .collectAsList();
      Optional<Row> failed = Optional.empty();
      for (Row row : lastPerStage) {
        String status = row.getAs("status");
        System.out.printf("  %-9s %s  %-9s rows in=%s out=%s  %s%n", row.<String>getAs("stage"), row.getAs("ds"), status,
            nullable(row, "rows_in"), nullable(row, "rows_out"), row.getAs("started_at"));
        if (status.equals("failed")) {
          failed = Optional.of(row);
        }
      }
      Optional<Registry.Champion> champion = Registry.champion(warehouse, latest);
      System.out.println(champion
          .map(c -> "Champion: model v" + c.version() + ", trained " + c.trainedOn() + " ("
              + (latest.toEpochDay() - c.trainedOn().toEpochDay()) + " days before " + latest + ")")
          .orElse("Champion: none yet"));
      printServing(context);
      printOpenAlerts(warehouse, latest);
      ReportData recent =
          ReportReader.read(warehouse, context.pipeline().config().name(), latest.minusDays(DELIVERY_NIGHTS - 1L), latest);
      System.out.println("Delivery, last " + DELIVERY_NIGHTS + " nights:");
      DeliveryMetrics.compute(recent.from(), recent.to(), recent.modelEvents(), recent.performance(), recent.alerts(), recent.runs())
          .lines().forEach(line -> System.out.println("  " + line));
      failed.ifPresent(row -> {
        System.out.println();
        System.out.println("Stage '" + row.getAs("stage") + "' failed for " + row.getAs("ds") + ": " + row.getAs("message"));
        System.out.println("Fix the cause, then re-run the night: bin/nightcast run --date " + row.getAs("ds"));
      });
      return failed.isPresent() ? 1 : 0;
    }
  }

  /** A column added later (runs.rows_in) reads "-" in a table written before it existed. */
  private static Object nullable(Row row, String column) {
    return !List.of(row.schema().fieldNames()).contains(column) || row.isNullAt(row.fieldIndex(column)) ? "-" : row.getAs(column);
  }

  /** The alerts of the latest monitored night: monitoring replaces a night's alerts, so these are the open ones. */
  private static void printOpenAlerts(Warehouse warehouse, LocalDate latest) {
    if (!warehouse.exists(Tables.ALERTS)) {
      System.out.println("Open alerts: none (nothing monitored yet)");
      return;
    }
    Dataset<Row> alerts = warehouse.read(Tables.ALERTS).where(col("ds").leq(lit(java.sql.Date.valueOf(latest))));
    Row last = alerts.agg(max("ds")).head();
    if (last.isNullAt(0)) {
      System.out.println("Open alerts: none");
      return;
    }
    List<Row> open =
        alerts.where(col("ds").equalTo(last.get(0)))
            .withColumn("rank", when(col("severity").equalTo("high"), 0).when(col("severity").equalTo("medium"), 1).otherwise(2))
            .orderBy("rank", "kind", "metric", "column_name")
            .select("severity", "kind", "message")
            .collectAsList();
    System.out.println("Open alerts (night " + last.get(0) + "): " + open.size());
    open.stream().limit(SHOWN_ALERTS).forEach(a -> System.out.printf("  %-6s %-19s %s%n", a.getString(0), a.getString(1), a.getString(2)));
    if (open.size() > SHOWN_ALERTS) {
      System.out.println("  ... and " + (open.size() - SHOWN_ALERTS) + " more: bin/nightcast sql \"select * from alerts where ds = '" + last.get(0) + "'\"");
    }
  }

  private static void printServing(Context context) throws SQLException {
    String schema = context.pipeline().config().serving().schema();
    String table = context.pipeline().config().serving().table();
    try (Connection connection = context.database().connect();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT version, ds, model_version, row_count, finished_at FROM " + schema + ".publish_log"
                + " WHERE serving_table = ? AND status = 'published' ORDER BY version DESC LIMIT 1")) {
      statement.setString(1, table);
      try (ResultSet result = statement.executeQuery()) {
        if (result.next()) {
          System.out.printf("Serving: %s.%s version %d (ds %s, model v%d, %d rows, published %s)%n", schema, table,
              result.getInt(1), result.getDate(2), result.getInt(3), result.getLong(4), result.getTimestamp(5));
        } else {
          System.out.println("Serving: nothing published yet to " + schema + "." + table);
        }
      }
    }
  }
}
