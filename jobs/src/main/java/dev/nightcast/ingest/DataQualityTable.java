package dev.nightcast.ingest;

import dev.nightcast.warehouse.TableContract;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;

/**
 * The {@code data_quality} table: the validation counts and the profile of each source's drop per
 * night, in long form (one metric per row) so analysts can chart any metric over time. The ingest
 * stage owns it and writes it here, once a night for all sources.
 */
public final class DataQualityTable {
  public static final TableContract CONTRACT =
      TableContract.table(
              Tables.DATA_QUALITY, DataQualityTable.class,
              "One metric of one source's drop for night ds: a count of its validation, or a profile metric of its rows"
                  + " that reached raw_<source>")
          .column("ds", DataTypes.DateType, false, "the night whose drop was validated and profiled")
          .column("source", DataTypes.StringType, false, "the source the drop belongs to, as named in the pipeline definition")
          .column(
              "column_name", DataTypes.StringType, false,
              "the column the metric describes, * for the whole drop; for a rule its column (a key rule's columns joined by"
                  + " commas)")
          .column(
              "metric", DataTypes.StringType, false,
              "a profile metric (rows, count, nulls, missing_ratio, approx_distinct, min, max, mean, stddev, p01, p05,"
                  + " p25, p50, p75, p95, p99, top_value) or a validation count (rows_in, rows_ok, rows_quarantined,"
                  + " rows_warned, rule_passed, rule_failed)")
          .column(
              "value", DataTypes.DoubleType, true,
              "the metric's value (for top_value the category's row count); null where it is undefined, such as the"
                  + " missing_ratio of an empty drop or the stddev of one row")
          .column(
              "value_str", DataTypes.StringType, true,
              "qualifies a metric that has several rows under one name: the category for top_value, the rule code for"
                  + " rule_passed and rule_failed; else null")
          .build();

  private DataQualityTable() {}

  /** One row of the table; {@code value} and {@code valueStr} may be null, see {@link #CONTRACT}. */
  public record Metric(LocalDate ds, String source, String columnName, String metric, Double value, String valueStr) {
    /** A whole-drop or per-column metric without a qualifier. */
    public Metric(LocalDate ds, String source, String columnName, String metric, Double value) {
      this(ds, source, columnName, metric, value, null);
    }

    /** The row in the contract's column order, carrying its schema so it reads back by name. */
    public Row toRow() {
      return new GenericRowWithSchema(new Object[] {Date.valueOf(ds), source, columnName, metric, value, valueStr}, CONTRACT.schema());
    }

    /** Reads a row of the table by column name, so a projection or reordering of its columns reads the same. */
    public static Metric fromRow(Row row) {
      Date ds = row.getAs("ds");
      return new Metric(ds.toLocalDate(), row.getAs("source"), row.getAs("column_name"), row.getAs("metric"), row.getAs("value"), row.getAs("value_str"));
    }
  }

  /**
   * Replaces D's rows of the sources in {@code metrics} in one commit (a commit costs more than
   * profiling a day's drop): one write job of rows built on the driver. A source in
   * {@code validatedOnly} (its drop was rejected, so raw_<source> kept what it had) keeps its earlier
   * profile rows of D: only its validation metrics are replaced.
   */
  static void write(Warehouse warehouse, Map<String, List<Metric>> metrics, Set<String> validatedOnly, LocalDate ds) {
    String kinds = Expectations.METRICS.stream().map(m -> "'" + m + "'").collect(Collectors.joining(", "));
    String profiled = names(metrics.keySet().stream().filter(source -> !validatedOnly.contains(source)).toList());
    String validated = names(validatedOnly.stream().filter(metrics::containsKey).toList());
    List<Row> rows = metrics.values().stream().flatMap(List::stream).map(Metric::toRow).toList();
    warehouse.replace(
        CONTRACT,
        "ds = DATE'" + ds + "' AND (source IN (" + profiled + ") OR (source IN (" + validated + ") AND metric IN (" + kinds + ")))",
        warehouse.frame(CONTRACT, rows).coalesce(1));
  }

  /** A SQL list of source names; never empty (the empty IN list is not SQL), so no-match is ''. */
  private static String names(Collection<String> sources) {
    return sources.isEmpty() ? "''" : sources.stream().map(source -> "'" + source + "'").collect(Collectors.joining(", "));
  }
}
