package dev.nightcast.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import dev.nightcast.config.ExpectationsConfig;
import dev.nightcast.config.RuleConfig;
import dev.nightcast.config.SourceConfig;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The row rules of one source, evaluated in one select: each rule is a boolean column over the
 * prepared drop, and {@code _failures} collects a (rule, severity, column, value) struct for every
 * rule a row breaks. Building the column is pure; {@link #aggregates} make the one Spark job (the
 * ingest stage runs it, with the profile's aggregates in the same pass); {@link #state} and
 * {@link #metrics} are pure again (Deequ's split of state and metric).
 *
 * <p>The prepared drop holds each declared column twice: as delivered ({@code <c>}, text for CSV and
 * JSON) and typed ({@code <c>__typed}, null when it does not parse), plus {@link #CORRUPT} for
 * malformed lines, {@link #KEY_RANK} (1 for the first row of a key, ordered by content) and
 * {@link #KEY_SEEN_ON} (the latest earlier ds that holds the key, else null).
 */
public final class Expectations {
  public static final String FAILURES = "_failures";
  public static final String FAILED_RULES = "_failed_rules";
  public static final String CORRUPT = "_corrupt_record";
  public static final String KEY_RANK = "__key_rank";
  public static final String KEY_SEEN_ON = "__key_seen_on";
  public static final String ROW = "*";
  public static final String ROWS_IN = "rows_in";
  /** data_quality metrics written by validation (the profile writes the others). */
  public static final List<String> METRICS = List.of(ROWS_IN, "rows_ok", "rows_quarantined", "rows_warned", "rule_passed", "rule_failed");
  private static final String REPLACEMENT_CHARACTER = "\uFFFD";
  private static final int SHOWN_CHARACTERS = 64;

  private Expectations() {}

  /** A row rule: {@code broken} is true when the row breaks it; {@code value} is what offended. */
  public record Rule(String code, String severity, String column, Column broken, Column value) {
    boolean error() {
      return severity.equals(RuleConfig.ERROR);
    }
  }

  public static String typed(String column) {
    return column + "__typed";
  }

  /** Implicit rules first (line, types, encoding, string size, key, date), then the declared ones. Pure. */
  public static List<Rule> rules(SourceConfig source, LocalDate rowsDate, boolean textFormat) {
    ExpectationsConfig expectations = source.expectations();
    List<Rule> rules = new ArrayList<>();
    if (textFormat) {
      rules.add(new Rule("malformed_line", RuleConfig.ERROR, ROW, col(CORRUPT).isNotNull(), col(CORRUPT)));
    }
    for (Map.Entry<String, String> column : source.schema().entrySet()) {
      String name = column.getKey();
      rules.add(
          new Rule(name + "_type", RuleConfig.ERROR, name, raw(name).isNotNull().and(col(typed(name)).isNull()), raw(name).cast("string")));
      if (textFormat && column.getValue().equals("string")) {
        rules.add(new Rule(name + "_encoding", RuleConfig.ERROR, name, raw(name).contains(REPLACEMENT_CHARACTER), raw(name)));
      }
      if (column.getValue().equals("string")) {
        int limit = expectations.key().contains(name) ? expectations.maxKeyBytes() : expectations.maxStringBytes();
        rules.add(new Rule(name + "_too_long", RuleConfig.ERROR, name, octet_length(raw(name)).gt(limit), shortened(raw(name))));
      }
    }
    if (!expectations.key().isEmpty()) {
      String keyColumns = String.join(",", expectations.key());
      Column keyValue = concat_ws("|", expectations.key().stream().map(c -> raw(c).cast("string")).toArray(Column[]::new));
      Column anyNull = expectations.key().stream().map(c -> col(typed(c)).isNull()).reduce(Column::or).orElseThrow();
      rules.add(new Rule("key_null", RuleConfig.ERROR, keyColumns, anyNull, keyValue));
      rules.add(new Rule("key_duplicate", RuleConfig.ERROR, keyColumns, col(KEY_RANK).gt(1), keyValue));
      rules.add(
          new Rule(
              "key_seen_before", RuleConfig.ERROR, keyColumns, col(KEY_SEEN_ON).isNotNull(),
              concat_ws("", keyValue, lit(" (ingested for ds "), col(KEY_SEEN_ON).cast("string"), lit(")"))));
    }
    if (expectations.dateColumn() != null) {
      String name = expectations.dateColumn();
      rules.add(
          new Rule(
              name + "_date", RuleConfig.ERROR, name,
              expr("to_date(`" + typed(name) + "`)").notEqual(lit(java.sql.Date.valueOf(rowsDate))), raw(name).cast("string")));
    }
    for (RuleConfig rule : expectations.rules()) {
      Column value = col(typed(rule.column()));
      Column broken;
      if (Boolean.TRUE.equals(rule.notNull())) {
        // absent, not unparseable: a value that does not parse breaks <column>_type alone
        broken = raw(rule.column()).isNull();
      } else if (rule.range() != null) {
        broken = value.lt(lit(rule.range().get(0))).or(value.gt(lit(rule.range().get(1))));
      } else if (rule.allowed() != null) {
        broken = value.isNotNull().and(value.cast("string").isin(rule.allowed().toArray()).unary_$bang());
      } else {
        broken = value.isNotNull().and(value.cast("string").rlike("^(?:" + rule.pattern() + ")$").unary_$bang());
      }
      rules.add(new Rule(rule.code(), rule.severity(), rule.column(), broken, raw(rule.column()).cast("string")));
    }
    return List.copyOf(rules);
  }

  /** An over-long value as the quarantine's reason shows it: its start and its size, not megabytes of it. */
  private static Column shortened(Column value) {
    return concat(substring(value, 1, SHOWN_CHARACTERS), lit("... ("), octet_length(value).cast("string"), lit(" bytes)"));
  }

  private static Column raw(String column) {
    return col("`" + column + "`");
  }

  /**
   * Pure: the typed columns under their declared names plus {@code _failures} and
   * {@code _failed_rules}, in one select over the prepared drop; {@code extra} columns are kept.
   */
  public static Dataset<Row> evaluate(Dataset<Row> prepared, SourceConfig source, List<Rule> rules, List<Column> extra) {
    Column[] failures =
        rules.stream()
            .map(rule -> when(rule.broken(), struct(lit(rule.code()).as("rule"), lit(rule.severity()).as("severity"),
                lit(rule.column()).as("column"), rule.value().as("value"))))
            .toArray(Column[]::new);
    List<Column> columns = new ArrayList<>();
    source.schema().keySet().forEach(name -> columns.add(col(typed(name)).as(name)));
    columns.add(array_compact(array(failures)).as(FAILURES));
    columns.addAll(extra);
    Dataset<Row> evaluated = prepared.select(columns.toArray(Column[]::new));
    return evaluated.withColumn(FAILED_RULES, expr("transform(" + FAILURES + ", f -> f.rule)"));
  }

  /** Whether a validated row breaks an error rule (and so goes to quarantine). */
  public static Column quarantined() {
    return expr("exists(" + FAILURES + ", f -> f.severity = 'error')");
  }

  /** What one pass over the validated rows counts: rows in, quarantined, warned, failures per rule. */
  public record State(long rowsIn, long rowsQuarantined, long rowsWarned, Map<String, Long> failures) {}

  /**
   * The aggregate columns behind {@link State}, for the one aggregation over the validated rows
   * (its input is the drop scan); other aggregates may share that pass.
   */
  public static List<Column> aggregates(List<Rule> rules) {
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(count(lit(1)).as("rows_in"));
    aggregates.add(expr("count_if(exists(" + FAILURES + ", f -> f.severity = 'error'))").as("rows_quarantined"));
    aggregates.add(
        expr("count_if(size(" + FAILURES + ") > 0 and not exists(" + FAILURES + ", f -> f.severity = 'error'))").as("rows_warned"));
    for (int i = 0; i < rules.size(); i++) {
      aggregates.add(expr("count_if(array_contains(" + FAILED_RULES + ", '" + rules.get(i).code() + "'))").as("rule_" + i));
    }
    return aggregates;
  }

  /** Pure: the {@link State} in an aggregate row holding {@link #aggregates}. */
  public static State state(Row row, List<Rule> rules) {
    Map<String, Long> failures = new LinkedHashMap<>();
    for (int i = 0; i < rules.size(); i++) {
      failures.put(rules.get(i).code(), row.getLong(row.fieldIndex("rule_" + i)));
    }
    return new State(
        row.getLong(row.fieldIndex("rows_in")), row.getLong(row.fieldIndex("rows_quarantined")), row.getLong(row.fieldIndex("rows_warned")), failures);
  }

  /**
   * Pure: the quarantined share and the error rules most often broken, for the gate's message. A
   * row may break several rules, so the per-rule counts can add up to more than the quarantined rows.
   */
  public static String topReasons(State state, List<Rule> rules, int limit) {
    Map<String, Rule> byCode = rules.stream().collect(Collectors.toMap(Rule::code, r -> r, (a, b) -> a, LinkedHashMap::new));
    return state.failures().entrySet().stream()
        .filter(e -> e.getValue() > 0 && byCode.get(e.getKey()).error())
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .limit(limit)
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /** Pure: the median of earlier daily row counts (the row-count rule's reference). */
  public static double median(List<Long> counts) {
    List<Long> sorted = counts.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }

  /**
   * Pure: the validation's {@link DataQualityTable} metrics: row counts on column {@code *}, and per rule its pass
   * and fail counts on the rule's column with the rule code in {@code value_str}.
   */
  public static List<DataQualityTable.Metric> metrics(State state, List<Rule> rules, LocalDate ds, String source) {
    List<DataQualityTable.Metric> metrics = new ArrayList<>();
    long ok = state.rowsIn() - state.rowsQuarantined();
    metrics.add(new DataQualityTable.Metric(ds, source, ROW, ROWS_IN, (double) state.rowsIn()));
    metrics.add(new DataQualityTable.Metric(ds, source, ROW, "rows_ok", (double) ok));
    metrics.add(new DataQualityTable.Metric(ds, source, ROW, "rows_quarantined", (double) state.rowsQuarantined()));
    metrics.add(new DataQualityTable.Metric(ds, source, ROW, "rows_warned", (double) state.rowsWarned()));
    for (Rule rule : rules) {
      long failed = state.failures().get(rule.code());
      metrics.add(new DataQualityTable.Metric(ds, source, rule.column(), "rule_passed", (double) (state.rowsIn() - failed), rule.code()));
      metrics.add(new DataQualityTable.Metric(ds, source, rule.column(), "rule_failed", (double) failed, rule.code()));
    }
    return metrics;
  }
}
