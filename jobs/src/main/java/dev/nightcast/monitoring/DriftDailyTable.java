package dev.nightcast.monitoring;

import dev.nightcast.warehouse.TableContract;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;

/**
 * The drift_daily table (contract): per night, served model version, slice, monitored column and
 * comparison, every drift metric with its threshold and verdict ({@link DriftReport}), plus one
 * drift_share row (column '*') per slice and comparison. The drift alerts, the report and analysts
 * read it. Only this class writes it.
 */
public final class DriftDailyTable {
  public static final TableContract CONTRACT =
      TableContract.table(
              Tables.DRIFT_DAILY, Monitor.class,
              "One row per drift metric of night ds: per served model version, slice, monitored column and comparison (against the"
                  + " model's training reference or the night before), plus a drift_share row (column '*') per slice and comparison")
          .column("ds", DataTypes.DateType, false, "the logical date of the night whose rows were compared")
          .column("model_version", DataTypes.IntegerType, false,
              "the served model version whose rows were compared (its training profile is the BASELINE)")
          .column("slice_key", DataTypes.StringType, true, "the slicing column; null for the whole population")
          .column("slice_value", DataTypes.StringType, true, "the slicing column's value, as a string; null for the whole population")
          .column("column_name", DataTypes.StringType, false,
              "the monitored column (a feature, the served score or the label), or '*' for the drift_share row")
          .column("comparison", DataTypes.StringType, false,
              "BASELINE (against the serving model's training reference) or CONSECUTIVE (against the night before)")
          .column("metric", DataTypes.StringType, false,
              "numeric columns: psi, ks, ks_p_value, wasserstein, js, missing_ratio_delta, mean_delta; categorical: psi, chi2,"
                  + " chi2_p_value, js, linf, missing_ratio_delta; '*': drift_share")
          .column("value", DataTypes.DoubleType, false,
              "the metric's value (wasserstein and mean_delta in reference standard deviations)")
          .column("threshold", DataTypes.DoubleType, true, "the configured threshold; null for chi2, which its p-value decides")
          .column("severity", DataTypes.StringType, false,
              "none, low (from 0.5), medium (from 1) or high (from 2) by value / threshold (threshold / value for p-values)")
          .column("drifted", DataTypes.BooleanType, false, "severity is medium or high")
          .build();

  /** One row of the table. */
  public record DriftMetric(
      LocalDate ds,
      int modelVersion,
      String sliceKey,
      String sliceValue,
      String columnName,
      String comparison,
      String metric,
      double value,
      Double threshold,
      String severity,
      boolean drifted) {

    /** The row in the contract's column order; it carries the schema, so it also reads by name. */
    public Row toRow() {
      return new GenericRowWithSchema(
          new Object[] {Date.valueOf(ds), modelVersion, sliceKey, sliceValue, columnName, comparison, metric, value, threshold, severity, drifted},
          CONTRACT.schema());
    }

    /** Reads a row of the table by column name. */
    public static DriftMetric fromRow(Row row) {
      return new DriftMetric(
          row.<Date>getAs("ds").toLocalDate(), row.<Integer>getAs("model_version"), row.getAs("slice_key"), row.getAs("slice_value"),
          row.getAs("column_name"), row.getAs("comparison"), row.getAs("metric"), row.<Double>getAs("value"), row.getAs("threshold"),
          row.getAs("severity"), row.<Boolean>getAs("drifted"));
    }
  }

  private DriftDailyTable() {}

  /**
   * Replaces night ds's rows in one commit. Package-private: monitoring owns this table. Cost: one
   * write job of the rows (built on the driver, one file) and the Delta commit; no read.
   *
   * @return the rows written
   */
  static long replace(Warehouse warehouse, LocalDate ds, List<DriftMetric> rows) {
    return warehouse.replaceDate(CONTRACT, ds, warehouse.frame(CONTRACT, rows.stream().map(DriftMetric::toRow).toList()).coalesce(1));
  }
}
