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
 * The alerts table (contract): one row per alert the monitor raised on night ds, built by the pure
 * rules of {@link Alerts}. A row of kind {@code retrain} on night D makes training due on night
 * D + 1 (training's schedule reads it); the report, {@code nightcast status}, the run summary and
 * the Pushgateway metrics read the rest. Only this class writes it.
 */
public final class AlertsTable {
  public static final TableContract CONTRACT =
      TableContract.table(
              Tables.ALERTS, Monitor.class,
              "One row per alert monitoring raised on night ds: drift, performance, slice gaps, data quality, numerical stability, staleness,"
                  + " feature importance, and the retrain signal (a retrain row on ds makes training due on ds + 1)")
          .column("ds", DataTypes.DateType, false, "the logical date of the night that raised it")
          .column("kind", DataTypes.StringType, false,
              "drift, performance, slice_gap, data_quality, numerical_stability, staleness, feature_importance or retrain")
          .column("severity", DataTypes.StringType, false,
              "low, medium or high: feature_importance is always low (a warning), slice_gap always medium; numerical_stability and retrain are always high;"
                  + " drift, staleness and data_quality are high from twice the threshold, performance from 10% short of its floor")
          .column("metric", DataTypes.StringType, false,
              "what fired: the drifted column's worst drift metric, the performance metric (also of a slice_gap), missing_ratio, non_finite_rows,"
                  + " model_age_days, <metric>_drop (feature_importance: the primary metric's permutation drop), or the retrain rule's metric")
          .column("column_name", DataTypes.StringType, true,
              "the column concerned ('*' for the dataset's drift share, source.column for data quality, the feature for"
                  + " feature_importance, column=value for the slice of a slice_gap); null for model-wide alerts")
          .column("value", DataTypes.DoubleType, true,
              "the metric's value (staleness: the model's age in days; retrain: the nights that breached the rule;"
                  + " feature_importance: the mean permutation drop; slice_gap: the slice's metric minus the whole population's)")
          .column("threshold", DataTypes.DoubleType, true,
              "the configured threshold the value was compared with (slice_gap: the allowed gap, which the absolute value exceeded)")
          .column("message", DataTypes.StringType, false, "what happened, for people")
          .build();

  /** One row of the table. */
  public record Alert(
      LocalDate ds, String kind, String severity, String metric, String columnName, Double value, Double threshold, String message) {

    /** The row in the contract's column order; it carries the schema, so it also reads by name. */
    public Row toRow() {
      return new GenericRowWithSchema(
          new Object[] {Date.valueOf(ds), kind, severity, metric, columnName, value, threshold, message}, CONTRACT.schema());
    }

    /** Reads a row of the table by column name. */
    public static Alert fromRow(Row row) {
      return new Alert(
          row.<Date>getAs("ds").toLocalDate(), row.getAs("kind"), row.getAs("severity"), row.getAs("metric"), row.getAs("column_name"),
          row.getAs("value"), row.getAs("threshold"), row.getAs("message"));
    }
  }

  private AlertsTable() {}

  /**
   * Replaces night ds's alerts in one commit. Package-private: monitoring owns this table. Cost:
   * one write job of the rows (built on the driver, one file) and the Delta commit; no read.
   *
   * @return the rows written
   */
  static long replace(Warehouse warehouse, LocalDate ds, List<Alert> rows) {
    return warehouse.replaceDate(CONTRACT, ds, warehouse.frame(CONTRACT, rows.stream().map(Alert::toRow).toList()).coalesce(1));
  }
}
