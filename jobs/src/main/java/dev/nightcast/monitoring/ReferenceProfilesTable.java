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
 * The reference_profiles table (contract): the training data's binned distribution as
 * {@link ReferenceProfile} profiles it when a model is trained, keyed by the training date. The
 * monitor reads the profile of the serving model's training date as the drift baseline; the
 * models table links each model to its profile's Delta version. Only this class writes it.
 */
public final class ReferenceProfilesTable {
  public static final TableContract CONTRACT =
      TableContract.table(
              Tables.REFERENCE_PROFILES, ReferenceProfile.class,
              "One row per training date ds, slice, monitored column and bin slot: the slot's layout and the training rows in it,"
                  + " with the moments of their values; the drift baseline of the model trained on ds")
          .column("ds", DataTypes.DateType, false, "the logical date of the night that trained the model")
          .column("column_name", DataTypes.StringType, false, "the monitored column: a feature, the served score or the label")
          .column("kind", DataTypes.StringType, false, "the slot's kind: numeric, categorical, null or non_finite (NaN, infinity)")
          .column("slot", DataTypes.IntegerType, false, "the slot's index in the column: the value slots, then the null slot, then the non-finite slot")
          .column("upper_edge", DataTypes.DoubleType, true,
              "numeric value slots: the reference quantile the slot's values are below; null for the last value slot and other kinds")
          .column("category", DataTypes.StringType, true,
              "categorical value slots: the category; null for the slot of the other categories and other kinds")
          .column("rows", DataTypes.LongType, false, "the training rows in the slot")
          .column("slice_key", DataTypes.StringType, true, "the slicing column; null for the whole population")
          .column("slice_value", DataTypes.StringType, true, "the slicing column's value, as a string; null for the whole population")
          .column("value_sum", DataTypes.DoubleType, false, "the sum of the slot's finite values (0 for categorical slots)")
          .column("value_sum_squares", DataTypes.DoubleType, false, "the sum of the squares of the slot's finite values")
          .column("value_min", DataTypes.DoubleType, true, "the smallest finite value in the slot; null when it has none")
          .column("value_max", DataTypes.DoubleType, true, "the largest finite value in the slot; null when it has none")
          .build();

  /** One row of the table. */
  public record ProfileSlot(
      LocalDate ds,
      String columnName,
      String kind,
      int slot,
      Double upperEdge,
      String category,
      long rows,
      String sliceKey,
      String sliceValue,
      double valueSum,
      double valueSumSquares,
      Double valueMin,
      Double valueMax) {

    /** The row in the contract's column order; it carries the schema, so it also reads by name. */
    public Row toRow() {
      return new GenericRowWithSchema(
          new Object[] {
            Date.valueOf(ds), columnName, kind, slot, upperEdge, category, rows, sliceKey, sliceValue, valueSum, valueSumSquares, valueMin,
            valueMax
          },
          CONTRACT.schema());
    }

    /** Reads a row of the table by column name. */
    public static ProfileSlot fromRow(Row row) {
      return new ProfileSlot(
          row.<Date>getAs("ds").toLocalDate(), row.getAs("column_name"), row.getAs("kind"), row.<Integer>getAs("slot"), row.getAs("upper_edge"),
          row.getAs("category"), row.<Long>getAs("rows"), row.getAs("slice_key"), row.getAs("slice_value"), row.<Double>getAs("value_sum"),
          row.<Double>getAs("value_sum_squares"), row.getAs("value_min"), row.getAs("value_max"));
    }

    public Slices.Slice slice() {
      return new Slices.Slice(sliceKey, sliceValue);
    }
  }

  private ReferenceProfilesTable() {}

  /**
   * Replaces the profile of training date ds in one commit. Package-private: monitoring owns this
   * table. Cost: one write job of the rows (built on the driver, one file) and the Delta commit; no read.
   *
   * @return the rows written
   */
  static long replace(Warehouse warehouse, LocalDate ds, List<ProfileSlot> rows) {
    return warehouse.replaceDate(CONTRACT, ds, warehouse.frame(CONTRACT, rows.stream().map(ProfileSlot::toRow).toList()).coalesce(1));
  }

  /**
   * The profile of training date ds; empty when there is none. Cost: a Spark read only when the
   * table changed since the last read (see {@link Warehouse#rowsOn}).
   */
  static List<ProfileSlot> read(Warehouse warehouse, LocalDate ds) {
    return warehouse.rowsOn(CONTRACT.name(), ds).stream().map(ProfileSlot::fromRow).toList();
  }
}
