package dev.nightcast.ingest;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.mean;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.stddev_samp;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import dev.nightcast.config.SourceConfig;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Part of the ingest stage: the per-column profile of the rows of a source's drop that reach
 * raw_<source> for D, as {@link DataQualityTable} metrics next to the validation's (see
 * {@link Expectations#metrics}). Profile metrics: rows; per column count, nulls, missing_ratio,
 * approx_distinct; per numeric column min, max, mean, stddev and the approximate quantiles p01, p05,
 * p25, p50, p75, p95, p99; per string column other than the key, up to {@value #TOP_VALUES}
 * top_value rows (value = count, value_str = the category). Cost: the aggregates join the
 * validation's one aggregation over the cached drop (see {@link #aggregates}); the top values are one
 * grouping by (column, value) with a shuffle.
 */
public final class Profile {
  public static final int TOP_VALUES = 10;
  /** Columns of the {@link #computeTopValues} rows: the profiled column, one of its values, that value's row count. */
  private static final String TOP_COLUMN = "c";
  private static final String TOP_VALUE = "v";
  private static final String TOP_COUNT = "n";
  private static final String PREFIX = "profile/";
  private static final double[] QUANTILES = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

  private Profile() {}

  /**
   * The profile's aggregate columns over the rows where {@code profiled} holds (other rows count as
   * absent), to add to the validation's one aggregation over the drop: named {@code profile/...},
   * read back by {@link #metrics}. Declarative for the exact metrics; approx_count_distinct and
   * percentile_approx make it an object hash aggregation.
   */
  static List<Column> aggregates(Map<String, String> schema, Column profiled) {
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(count(when(profiled, lit(1))).as(PREFIX + "rows"));
    for (Map.Entry<String, String> column : schema.entrySet()) {
      String name = PREFIX + column.getKey();
      Column value = when(profiled, col("`" + column.getKey() + "`"));
      aggregates.add(count(value).as(name + "/present"));
      aggregates.add(approx_count_distinct(value).as(name + "/approx_distinct"));
      if (SourceConfig.NUMERIC.contains(column.getValue())) {
        aggregates.add(min(value).cast("double").as(name + "/min"));
        aggregates.add(max(value).cast("double").as(name + "/max"));
        aggregates.add(mean(value).as(name + "/mean"));
        aggregates.add(stddev_samp(value).as(name + "/stddev"));
        aggregates.add(percentile_approx(value.cast("double"), lit(QUANTILES), lit(10_000)).as(name + "/quantiles"));
      }
    }
    return aggregates;
  }

  /**
   * Spark work: the {@value #TOP_VALUES} most frequent values of each string column of the source
   * other than its key (ties by value), as (column, value, count) rows. One pass: explode, group,
   * rank per column.
   */
  static List<Row> computeTopValues(Dataset<Row> rows, SourceConfig source) {
    List<String> columns =
        source.schema().entrySet().stream()
            .filter(c -> c.getValue().equals("string") && !source.expectations().key().contains(c.getKey()))
            .map(Map.Entry::getKey)
            .toList();
    if (columns.isEmpty()) {
      return List.of();
    }
    Column pairs =
        org.apache.spark.sql.functions.array(
            columns.stream().map(c -> struct(lit(c).as(TOP_COLUMN), col("`" + c + "`").as(TOP_VALUE))).toArray(Column[]::new));
    return rows.select(explode(pairs).as("p"))
        .where(col("p." + TOP_VALUE).isNotNull())
        .groupBy(col("p." + TOP_COLUMN).as(TOP_COLUMN), col("p." + TOP_VALUE).as(TOP_VALUE))
        .agg(count(lit(1)).as(TOP_COUNT))
        .withColumn("rank", row_number().over(Window.partitionBy(TOP_COLUMN).orderBy(col(TOP_COUNT).desc(), col(TOP_VALUE))))
        .where(col("rank").leq(TOP_VALUES))
        .orderBy(TOP_COLUMN, "rank")
        .select(TOP_COLUMN, TOP_VALUE, TOP_COUNT)
        .collectAsList();
  }

  /**
   * Pure interpretation of the {@link #aggregates} in {@code state} (a row that may hold other
   * aggregates too) and the top values into long-form metric rows.
   */
  static List<DataQualityTable.Metric> metrics(Row state, List<Row> topValues, LocalDate ds, String source, Map<String, String> schema) {
    long total = state.getLong(state.fieldIndex(PREFIX + "rows"));
    List<DataQualityTable.Metric> out = new ArrayList<>();
    out.add(new DataQualityTable.Metric(ds, source, Expectations.ROW, "rows", (double) total));
    for (String column : schema.keySet()) {
      long present = state.getLong(state.fieldIndex(PREFIX + column + "/present"));
      out.add(new DataQualityTable.Metric(ds, source, column, "count", (double) present));
      out.add(new DataQualityTable.Metric(ds, source, column, "nulls", (double) (total - present)));
      out.add(new DataQualityTable.Metric(ds, source, column, "missing_ratio", total == 0 ? null : (double) (total - present) / total));
      out.add(
          new DataQualityTable.Metric(
              ds, source, column, "approx_distinct", (double) state.getLong(state.fieldIndex(PREFIX + column + "/approx_distinct"))));
      for (String metric : List.of("min", "max", "mean", "stddev")) {
        int index = fieldIndex(state, PREFIX + column + "/" + metric);
        if (index >= 0) {
          out.add(new DataQualityTable.Metric(ds, source, column, metric, state.isNullAt(index) ? null : state.getDouble(index)));
        }
      }
      int quantiles = fieldIndex(state, PREFIX + column + "/quantiles");
      if (quantiles >= 0) {
        List<Double> values = state.isNullAt(quantiles) ? null : state.getList(quantiles);
        for (int i = 0; i < QUANTILES.length; i++) {
          String metric = String.format(Locale.ROOT, "p%02d", Math.round(QUANTILES[i] * 100));
          out.add(new DataQualityTable.Metric(ds, source, column, metric, values == null ? null : values.get(i)));
        }
      }
    }
    for (Row top : topValues) {
      out.add(
          new DataQualityTable.Metric(
              ds, source, top.getAs(TOP_COLUMN), "top_value", (double) top.<Long>getAs(TOP_COUNT), top.getAs(TOP_VALUE)));
    }
    return out;
  }

  /**
   * Earlier values of a whole-drop metric (e.g. rows_in) of these sources in [from, to]: per
   * source, date -> value. One query for all sources.
   */
  public static Map<String, Map<LocalDate, Long>> history(Warehouse warehouse, Set<String> sources, String metric, LocalDate from, LocalDate to) {
    Map<String, Map<LocalDate, Long>> history = new HashMap<>();
    sources.forEach(source -> history.put(source, new TreeMap<>()));
    if (!warehouse.exists(Tables.DATA_QUALITY)) {
      return history;
    }
    warehouse.read(Tables.DATA_QUALITY)
        .where(
            col("source").isin(sources.toArray()).and(col("column_name").equalTo(Expectations.ROW)).and(col("metric").equalTo(metric))
                .and(col("ds").between(Date.valueOf(from), Date.valueOf(to))))
        .select(col("source"), col("ds"), col("value").cast("long").as("value"))
        .collectAsList()
        .forEach(row -> history.get(row.<String>getAs("source")).put(row.<Date>getAs("ds").toLocalDate(), row.<Long>getAs("value")));
    return history;
  }

  private static int fieldIndex(Row row, String name) {
    return List.of(row.schema().fieldNames()).indexOf(name);
  }
}
