package dev.nightcast.ops;

import dev.nightcast.warehouse.TableContract;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;

/**
 * The {@code runs} table (contract): one row per stage attempt, the one table with wall-clock times.
 * Only the nightly run (night.NightlyRun) writes it, appending: attempts are history, never replaced.
 */
public final class RunsTable {
  public static final TableContract CONTRACT =
      TableContract.table(Tables.RUNS, "dev.nightcast.night.NightlyRun", "One row per stage attempt, in the order they ran; re-runs add rows.")
          .column("run_id", DataTypes.StringType, false, "the attempt: one id for a night's run, or for a stage run on its own")
          .column("ds", DataTypes.DateType, false, "the logical date of the night")
          .column("stage", DataTypes.StringType, false, "ingest, features, train, score, publish or monitor")
          .column("status", DataTypes.StringType, false, "succeeded or failed")
          .column("started_at", DataTypes.TimestampType, false, "wall-clock start")
          .column("ended_at", DataTypes.TimestampType, false, "wall-clock end")
          .column("rows_out", DataTypes.LongType, true, "rows the stage wrote (null when it failed)")
          .column("message", DataTypes.StringType, true, "the error of a failed attempt")
          .column("rows_in", DataTypes.LongType, true, "rows the stage read where it counts them anyway (ingest, publish)")
          .column("spark_job_group", DataTypes.StringType, true, "the Spark job group its jobs ran under, as in the Spark UI")
          .build();

  private RunsTable() {}

  /** One stage attempt. */
  public record Run(
      String runId, LocalDate ds, String stage, String status, Instant startedAt, Instant endedAt, Long rowsOut, String message,
      Long rowsIn, String sparkJobGroup) {
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    public boolean succeeded() {
      return status.equals(SUCCEEDED);
    }

    public double seconds() {
      return (endedAt.toEpochMilli() - startedAt.toEpochMilli()) / 1000.0;
    }

    public Row toRow() {
      return RowFactory.create(
          runId, Date.valueOf(ds), stage, status, Timestamp.from(startedAt), Timestamp.from(endedAt), rowsOut, message, rowsIn,
          sparkJobGroup);
    }

    /** Rows written before rows_in and spark_job_group existed read null there. */
    public static Run fromRow(Row row) {
      return new Run(
          row.getAs("run_id"), row.<Date>getAs("ds").toLocalDate(), row.getAs("stage"), row.getAs("status"),
          row.<Timestamp>getAs("started_at").toInstant(), row.<Timestamp>getAs("ended_at").toInstant(), row.getAs("rows_out"),
          row.getAs("message"), optional(row, "rows_in"), optional(row, "spark_job_group"));
    }

    private static <T> T optional(Row row, String column) {
      int index = List.of(row.schema().fieldNames()).indexOf(column);
      return index < 0 || row.isNullAt(index) ? null : row.getAs(index);
    }
  }

  /** Appends an attempt's rows in one commit. */
  public static void append(Warehouse warehouse, List<Run> runs) {
    if (!runs.isEmpty()) {
      warehouse.append(CONTRACT, warehouse.frame(CONTRACT, runs.stream().map(Run::toRow).toList()).coalesce(1));
    }
  }
}
