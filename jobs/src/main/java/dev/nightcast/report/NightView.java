package dev.nightcast.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What one night D left in the Delta tables, for the run summary: the stages of its latest run and
 * its alerts per kind. Read-only; each call reads D's partition of one small table, and columns are
 * read by name.
 */
public final class NightView {
  private NightView() {}

  /**
   * The stage attempts of the latest run of {@code ds}, in the order they ran; empty when nothing ran
   * for it. Cost: two small scans of D's partition of the runs table.
   */
  public static List<ReportData.Run> latestRun(Warehouse warehouse, LocalDate ds) {
    if (!warehouse.exists(Tables.RUNS)) {
      return List.of();
    }
    Dataset<Row> runs = warehouse.readDate(Tables.RUNS, ds);
    List<Row> latest = runs.groupBy("run_id").agg(max("started_at").as("last")).orderBy(col("last").desc()).limit(1).collectAsList();
    if (latest.isEmpty()) {
      return List.of();
    }
    return runs.where(col("run_id").equalTo(lit(latest.get(0).<String>getAs("run_id")))).orderBy("started_at").collectAsList().stream()
        .map(NightView::run)
        .toList();
  }

  /** The number of {@code ds}'s alerts of each kind, by kind. Cost: one aggregate over D's partition of the alerts table. */
  public static Map<String, Long> alertsByKind(Warehouse warehouse, LocalDate ds) {
    Map<String, Long> kinds = new TreeMap<>();
    if (warehouse.exists(Tables.ALERTS)) {
      warehouse.readDate(Tables.ALERTS, ds).groupBy("kind").count().collectAsList()
          .forEach(row -> kinds.put(row.getAs("kind"), row.getAs("count")));
    }
    return kinds;
  }

  /** A row of the runs table; rows_in reads null in a table written before that column existed. */
  static ReportData.Run run(Row row) {
    return new ReportData.Run(
        row.getAs("run_id"),
        row.<Date>getAs("ds").toLocalDate(),
        row.getAs("stage"),
        row.getAs("status"),
        row.<Timestamp>getAs("started_at").toInstant(),
        row.<Timestamp>getAs("ended_at").toInstant(),
        nullableLong(row, "rows_in"),
        nullableLong(row, "rows_out"),
        row.getAs("message"));
  }

  static ReportData.Alert alert(Row row) {
    return new ReportData.Alert(
        row.<Date>getAs("ds").toLocalDate(), row.getAs("kind"), row.getAs("severity"), row.getAs("metric"), row.getAs("column_name"),
        row.getAs("message"));
  }

  private static Long nullableLong(Row row, String column) {
    return List.of(row.schema().fieldNames()).contains(column) ? row.<Long>getAs(column) : null;
  }
}
