package dev.nightcast.stages;

import static org.apache.spark.sql.functions.col;

import dev.nightcast.spark.Tables;
import dev.nightcast.spark.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The training data's binned distribution, stored at training time in {@code reference_profiles}
 * (one row per column and slot) and keyed by the training date, so drift is always measured
 * against what the serving model learned from.
 */
public final class ReferenceProfile {
  public static final StructType SCHEMA =
      new StructType()
          .add("ds", DataTypes.DateType, false)
          .add("column_name", DataTypes.StringType, false)
          .add("kind", DataTypes.StringType, false)
          .add("slot", DataTypes.IntegerType, false)
          .add("upper_edge", DataTypes.DoubleType, true)
          .add("category", DataTypes.StringType, true)
          .add("rows", DataTypes.LongType, false);

  private ReferenceProfile() {}

  /** A stored profile: the bin layouts and the reference counts per column. */
  public record Stored(List<Binning.Spec> specs, Map<String, long[]> counts) {}

  public static void write(Warehouse warehouse, LocalDate ds, List<Binning.Spec> specs, Map<String, long[]> counts) {
    List<Row> rows = new ArrayList<>();
    for (Binning.Spec spec : specs) {
      long[] slots = counts.get(spec.column());
      for (int slot = 0; slot < slots.length; slot++) {
        boolean nullSlot = slot == slots.length - 1;
        Double edge = !spec.categorical() && slot < spec.edges().size() ? spec.edges().get(slot) : null;
        String category = spec.categorical() && slot < spec.categories().size() ? spec.categories().get(slot) : null;
        rows.add(
            RowFactory.create(
                Date.valueOf(ds), spec.column(), nullSlot ? "null" : spec.categorical() ? "categorical" : "numeric", slot, edge,
                category, slots[slot]));
      }
    }
    warehouse.replaceDate(Tables.REFERENCE_PROFILES, ds, warehouse.spark().createDataFrame(rows, SCHEMA).coalesce(1));
  }

  /** Reads the profile stored by the training of {@code trainedOn}. */
  public static Stored read(Warehouse warehouse, LocalDate trainedOn) {
    List<Row> rows =
        warehouse.readDate(Tables.REFERENCE_PROFILES, trainedOn).orderBy(col("column_name"), col("slot")).collectAsList();
    Map<String, List<Row>> byColumn = new LinkedHashMap<>();
    for (Row row : rows) {
      byColumn.computeIfAbsent(row.getString(1), k -> new ArrayList<>()).add(row);
    }
    List<Binning.Spec> specs = new ArrayList<>();
    Map<String, long[]> counts = new LinkedHashMap<>();
    for (Map.Entry<String, List<Row>> column : byColumn.entrySet()) {
      boolean categorical = column.getValue().stream().anyMatch(r -> r.getString(2).equals("categorical"));
      List<Double> edges = new ArrayList<>();
      List<String> categories = new ArrayList<>();
      long[] slots = new long[column.getValue().size()];
      for (Row row : column.getValue()) {
        if (!row.isNullAt(4)) {
          edges.add(row.getDouble(4));
        }
        if (!row.isNullAt(5)) {
          categories.add(row.getString(5));
        }
        slots[row.getInt(3)] = row.getLong(6);
      }
      specs.add(new Binning.Spec(column.getKey(), categorical, edges, categories));
      counts.put(column.getKey(), slots);
    }
    return new Stored(specs, counts);
  }
}
