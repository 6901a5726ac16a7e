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
import java.util.Collection;
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
 * Part of the ingest stage: the per-column profile of the rows of a source's drop that reach
 * raw_<source> for D, written to {@code data_quality} with the validation's metrics in long form so analysts can chart any metric over time. Columns: ds,
 * source, column_name ({@code *} for the whole drop), metric, value, and value_str, which
 * qualifies the metric where one name has several rows: the category for {@code top_value}, the
 * rule code for {@code rule_passed} / {@code rule_failed} (written by validation, see
 * {@link Expectations#metrics}). Profile metrics: rows; per column count, nulls, missing_ratio,
 * approx_distinct; per numeric column min, max, mean, stddev and the approximate quantiles p01, p05,
 * p25, p50, p75, p95, p99; per string column other than the key, up to {@value #TOP_VALUES}
 * top_value rows (value = count). Cost: the aggregates join the validation's one aggregation over
 * the cached drop (see {@link #aggregates}); the top values are one grouping by (column, value)
 * with a shuffle.
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

  /**
   * Pure interpretation of the {@link #aggregates} in {@code state} (a row that may hold other
   * aggregates too) and the top values into long-form metric rows.
   */
  static List<Row> metrics(Row state, List<Row> topValues, LocalDate ds, String source, Map<String, String> schema) {
    Date date = Date.valueOf(ds);
    long total = state.getLong(state.fieldIndex(PREFIX + "rows"));
    List<Row> out = new ArrayList<>();
    out.add(RowFactory.create(date, source, Expectations.ROW, "rows", (double) total, null));
    for (String column : schema.keySet()) {
      long present = state.getLong(state.fieldIndex(PREFIX + column + "/present"));
      out.add(RowFactory.create(date, source, column, "count", (double) present, null));
      out.add(RowFactory.create(date, source, column, "nulls", (double) (total - present), null));
      out.add(RowFactory.create(date, source, column, "missing_ratio", total == 0 ? null : (double) (total - present) / total, null));
      out.add(
          RowFactory.create(
              date, source, column, "approx_distinct", (double) state.getLong(state.fieldIndex(PREFIX + column + "/approx_distinct")), null));
      for (String metric : List.of("min", "max", "mean", "stddev")) {
        int index = fieldIndex(state, PREFIX + column + "/" + metric);
        if (index >= 0) {
          out.add(RowFactory.create(date, source, column, metric, state.isNullAt(index) ? null : state.getDouble(index), null));
        }
      }
      int quantiles = fieldIndex(state, PREFIX + column + "/quantiles");
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
   * I/O shell: replaces D's data_quality rows of the sources in {@code metrics} in one commit (a
   * commit costs more than profiling a day's drop). A source in {@code validatedOnly} (its drop was
   * rejected, so raw_<source> kept what it had) keeps its earlier profile rows of D: only its
   * validation metrics are replaced.
   */
  public static void write(Warehouse warehouse, Map<String, List<Row>> metrics, Set<String> validatedOnly, LocalDate ds) {
    String kinds = Expectations.METRICS.stream().map(m -> "'" + m + "'").collect(Collectors.joining(", "));
    String profiled = names(metrics.keySet().stream().filter(source -> !validatedOnly.contains(source)).toList());
    String validated = names(validatedOnly.stream().filter(metrics::containsKey).toList());
    warehouse.replace(
        Tables.DATA_QUALITY,
        "ds = DATE'" + ds + "' AND (source IN (" + profiled + ") OR (source IN (" + validated + ") AND metric IN (" + kinds + ")))",
        warehouse.spark().createDataFrame(metrics.values().stream().flatMap(List::stream).toList(), SCHEMA).coalesce(1));
  }

  /** A SQL list of source names; never empty (the empty IN list is not SQL), so no-match is ''. */
  private static String names(Collection<String> sources) {
    return sources.isEmpty() ? "''" : sources.stream().map(source -> "'" + source + "'").collect(Collectors.joining(", "));
  }

  private static int fieldIndex(Row row, String name) {
    return List.of(row.schema().fieldNames()).indexOf(name);
  }
}
