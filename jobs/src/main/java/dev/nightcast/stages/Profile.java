package dev.nightcast.stages;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.mean;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.stddev_samp;

import dev.nightcast.spark.Tables;
import dev.nightcast.spark.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Stage 2 (validate): the per-column profile of a source's rows for D, written to
 * {@code data_quality} in long form (ds, source, column_name, metric, value) so analysts can chart
 * any metric over time. Cost: one aggregation pass over the date's rows.
 */
public final class Profile {
  public static final StructType SCHEMA =
      new StructType()
          .add("ds", DataTypes.DateType, false)
          .add("source", DataTypes.StringType, false)
          .add("column_name", DataTypes.StringType, false)
          .add("metric", DataTypes.StringType, false)
          .add("value", DataTypes.DoubleType, true);

  private static final List<String> NUMERIC = List.of("int", "bigint", "double");

  private Profile() {}

  /** Spark work: one aggregation over {@code rows}; returns the raw aggregate row. */
  static Row computeState(Dataset<Row> rows, Map<String, String> schema) {
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(count(lit(1)).as("rows"));
    for (Map.Entry<String, String> column : schema.entrySet()) {
      String name = column.getKey();
      Column value = rows.col("`" + name + "`");
      aggregates.add(count(value).as(name + "/present"));
      aggregates.add(approx_count_distinct(value).as(name + "/approx_distinct"));
      if (NUMERIC.contains(column.getValue())) {
        aggregates.add(min(value).cast("double").as(name + "/min"));
        aggregates.add(max(value).cast("double").as(name + "/max"));
        aggregates.add(mean(value).as(name + "/mean"));
        aggregates.add(stddev_samp(value).as(name + "/stddev"));
      }
    }
    return rows.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).head();
  }

  /** Pure interpretation of the aggregate row into long-form metric rows. */
  static List<Row> metrics(Row state, LocalDate ds, String source, Map<String, String> schema) {
    Date date = Date.valueOf(ds);
    long total = state.getLong(state.fieldIndex("rows"));
    List<Row> out = new ArrayList<>();
    out.add(RowFactory.create(date, source, "*", "rows", (double) total));
    for (String column : schema.keySet()) {
      long present = state.getLong(state.fieldIndex(column + "/present"));
      out.add(RowFactory.create(date, source, column, "count", (double) present));
      out.add(RowFactory.create(date, source, column, "nulls", (double) (total - present)));
      out.add(RowFactory.create(date, source, column, "missing_ratio", total == 0 ? null : (double) (total - present) / total));
      out.add(
          RowFactory.create(
              date, source, column, "approx_distinct", (double) state.getLong(state.fieldIndex(column + "/approx_distinct"))));
      for (String metric : List.of("min", "max", "mean", "stddev")) {
        int index = fieldIndex(state, column + "/" + metric);
        if (index >= 0) {
          out.add(RowFactory.create(date, source, column, metric, state.isNullAt(index) ? null : state.getDouble(index)));
        }
      }
    }
    return out;
  }

  /** I/O shell: profiles raw_<source> for D and replaces that date's profile rows for the source. */
  public static long run(Warehouse warehouse, String source, Map<String, String> schema, LocalDate ds) {
    Dataset<Row> rows = warehouse.readDate(Tables.raw(source), ds);
    List<Row> metrics = metrics(computeState(rows, schema), ds, source, schema);
    Dataset<Row> frame = warehouse.spark().createDataFrame(metrics, SCHEMA).coalesce(1);
    // data_quality holds every source: replace only this source's rows for the date
    replaceSourceDate(warehouse, source, ds, frame);
    return metrics.size();
  }

  private static void replaceSourceDate(Warehouse warehouse, String source, LocalDate ds, Dataset<Row> frame) {
    frame.write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", "ds = DATE'" + ds + "' AND source = '" + source + "'")
        .save(warehouse.path(Tables.DATA_QUALITY));
  }

  private static int fieldIndex(Row row, String name) {
    return List.of(row.schema().fieldNames()).indexOf(name);
  }
}
