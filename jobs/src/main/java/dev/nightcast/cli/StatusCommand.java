package dev.nightcast.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;

import dev.nightcast.Context;
import dev.nightcast.registry.Registry;
import dev.nightcast.spark.Tables;
import dev.nightcast.spark.Warehouse;
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
    description = "The last run of each stage, the champion and its age, the serving table's version, and what to do next.")
final class StatusCommand implements Callable<Integer> {
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
        System.out.printf("  %-9s %s  %-9s rows=%s  %s%n", row.<String>getAs("stage"), row.getAs("ds"), status,
            row.isNullAt(row.fieldIndex("rows_out")) ? "-" : row.getAs("rows_out"), row.getAs("started_at"));
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
      failed.ifPresent(row -> {
        System.out.println();
        System.out.println("Stage '" + row.getAs("stage") + "' failed for " + row.getAs("ds") + ": " + row.getAs("message"));
        System.out.println("Fix the cause, then re-run the night: bin/nightcast run --date " + row.getAs("ds"));
      });
      return failed.isPresent() ? 1 : 0;
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
