package dev.nightcast.stages;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.mean;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.stddev_samp;
import static org.apache.spark.sql.functions.struct;

import dev.nightcast.config.SourceConfig;
import dev.nightcast.quality.Expectations;
import dev.nightcast.spark.Tables;
import dev.nightcast.spark.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Stage 2 (validate): the per-column profile of a source's rows for D, written to
 * {@code data_quality} in long form so analysts can chart any metric over time. Columns: ds,
 * source, column_name ({@code *} for the whole drop), metric, value, and value_str, which
 * qualifies the metric where one name has several rows: the category for {@code top_value}, the
 * rule code for {@code rule_passed} / {@code rule_failed} (written by validation, see
 * {@link Expectations#metrics}). Profile metrics: rows; per column count, nulls, missing_ratio,
 * approx_distinct; per numeric column min, max, mean, stddev and the approximate quantiles p01, p05,
 * p25, p50, p75, p95, p99; per string column other than the key, up to {@value #TOP_VALUES}
 * top_value rows (value = count). Cost: two passes over the date's rows: one aggregation, and one
 * grouping by (column, value) with a shuffle for the top values.
 */
public final class Profile {
  public static final StructType SCHEMA =
      new StructType()
          .add("ds", DataTypes.DateType, false)
          .add("source", DataTypes.StringType, false)
          .add("column_name", DataTypes.StringType, false)
          .add("metric", DataTypes.StringType, false)
          .add("value", DataTypes.DoubleType, true)
          .add("value_str", DataTypes.StringType, true);

  public static final int TOP_VALUES = 10;
  private static final double[] QUANTILES = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

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
      if (SourceConfig.NUMERIC.contains(column.getValue())) {
        aggregates.add(min(value).cast("double").as(name + "/min"));
        aggregates.add(max(value).cast("double").as(name + "/max"));
        aggregates.add(mean(value).as(name + "/mean"));
        aggregates.add(stddev_samp(value).as(name + "/stddev"));
        aggregates.add(
            percentile_approx(value.cast("double"), lit(QUANTILES), lit(10_000)).as(name + "/quantiles"));
      }
    }
    return rows.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).head();
  }

  /**
   * Spark work: the {@value #TOP_VALUES} most frequent values of each column in {@code columns}
   * (ties by value), as (column, value, count) rows. One pass: explode, group, rank per column.
   */
  static List<Row> computeTopValues(Dataset<Row> rows, List<String> columns) {
    if (columns.isEmpty()) {
      return List.of();
    }
    Column pairs =
        org.apache.spark.sql.functions.array(
            columns.stream().map(c -> struct(lit(c).as("c"), col("`" + c + "`").as("v"))).toArray(Column[]::new));
    return rows.select(explode(pairs).as("p"))
        .where(col("p.v").isNotNull())
        .groupBy(col("p.c").as("c"), col("p.v").as("v"))
        .agg(count(lit(1)).as("n"))
        .withColumn("rank", row_number().over(Window.partitionBy("c").orderBy(col("n").desc(), col("v"))))
        .where(col("rank").leq(TOP_VALUES))
        .orderBy("c", "rank")
        .select("c", "v", "n")
        .collectAsList();
  }

  /** Pure interpretation of the aggregate row and the top values into long-form metric rows. */
  static List<Row> metrics(Row state, List<Row> topValues, LocalDate ds, String source, Map<String, String> schema) {
    Date date = Date.valueOf(ds);
    long total = state.getLong(state.fieldIndex("rows"));
    List<Row> out = new ArrayList<>();
    out.add(RowFactory.create(date, source, Expectations.ROW, "rows", (double) total, null));
    for (String column : schema.keySet()) {
      long present = state.getLong(state.fieldIndex(column + "/present"));
      out.add(RowFactory.create(date, source, column, "count", (double) present, null));
      out.add(RowFactory.create(date, source, column, "nulls", (double) (total - present), null));
      out.add(RowFactory.create(date, source, column, "missing_ratio", total == 0 ? null : (double) (total - present) / total, null));
      out.add(
          RowFactory.create(
              date, source, column, "approx_distinct", (double) state.getLong(state.fieldIndex(column + "/approx_distinct")), null));
      for (String metric : List.of("min", "max", "mean", "stddev")) {
        int index = fieldIndex(state, column + "/" + metric);
        if (index >= 0) {
          out.add(RowFactory.create(date, source, column, metric, state.isNullAt(index) ? null : state.getDouble(index), null));
        }
      }
      int quantiles = fieldIndex(state, column + "/quantiles");
      if (quantiles >= 0) {
        List<Double> values = state.isNullAt(quantiles) ? null : state.getList(quantiles);
        for (int i = 0; i < QUANTILES.length; i++) {
          String metric = String.format(Locale.ROOT, "p%02d", Math.round(QUANTILES[i] * 100));
          out.add(RowFactory.create(date, source, column, metric, values == null ? null : values.get(i), null));
        }
      }
    }
    for (Row top : topValues) {
      out.add(RowFactory.create(date, source, top.getString(0), "top_value", (double) top.getLong(2), String.valueOf(top.get(1))));
    }
    return out;
  }

  /**
   * I/O shell: profiles raw_<source> for D of each source and replaces that date's profile rows of
   * those sources in one commit (a commit costs more than profiling a day's drop).
   */
  public static long run(Warehouse warehouse, Map<String, SourceConfig> sources, LocalDate ds) {
    List<Row> metrics = new ArrayList<>();
    sources.forEach((source, config) -> metrics.addAll(profile(warehouse, source, config, ds)));
    write(warehouse, sources.keySet(), ds, metrics, false);
    return metrics.size();
  }

  private static List<Row> profile(Warehouse warehouse, String source, SourceConfig config, LocalDate ds) {
    Dataset<Row> rows = warehouse.readDate(Tables.raw(source), ds);
    Map<String, String> schema = config.schema();
    List<String> categorical =
        schema.entrySet().stream()
            .filter(c -> c.getValue().equals("string") && !config.expectations().key().contains(c.getKey()))
            .map(Map.Entry::getKey)
            .toList();
    return metrics(computeState(rows, schema), computeTopValues(rows, categorical), ds, source, schema);
  }

  /** Replaces the validation metrics (row counts, rule pass/fail counts) of these sources and date. */
  public static void writeValidation(Warehouse warehouse, Set<String> sources, LocalDate ds, List<Row> metrics) {
    write(warehouse, sources, ds, metrics, true);
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
        .select(col("source"), col("ds"), col("value").cast("long"))
        .collectAsList()
        .forEach(row -> history.get(row.getString(0)).put(row.getDate(1).toLocalDate(), row.getLong(2)));
    return history;
  }

  /**
   * data_quality holds every source, and validation and profile write at different times: replace
   * only these sources' rows for the date of the one kind.
   */
  private static void write(Warehouse warehouse, Set<String> sources, LocalDate ds, List<Row> metrics, boolean validation) {
    String kinds = Expectations.METRICS.stream().map(m -> "'" + m + "'").collect(Collectors.joining(", "));
    String names = sources.stream().map(source -> "'" + source + "'").collect(Collectors.joining(", "));
    warehouse.replace(
        Tables.DATA_QUALITY,
        "ds = DATE'" + ds + "' AND source IN (" + names + ") AND metric " + (validation ? "" : "NOT ") + "IN (" + kinds + ")",
        warehouse.spark().createDataFrame(metrics, SCHEMA).coalesce(1));
  }

  private static int fieldIndex(Row row, String name) {
    return List.of(row.schema().fieldNames()).indexOf(name);
  }
}
