package dev.nightcast.config;

import java.util.List;

/**
 * What a source's drops must satisfy. Besides the declared {@code rules}, every drop gets implicit
 * row rules (severity error): a well-formed line, values that parse as their declared types, valid
 * UTF-8 text, strings within {@code max_key_bytes} / {@code max_string_bytes}, a non-null key unique within the drop and not seen in the {@code key_history_days}
 * dates before, and an event date equal to the drop's date (the freshness check, keyed by ds rather
 * than the wall clock). Dataset rules: at least {@code min_rows} rows, and a row count within
 * ±{@code row_count_tolerance} of the median of the last {@code history_days} dates once
 * {@code min_history_days} of them exist.
 *
 * @param key columns that identify a row; empty means no key checks
 * @param dateColumn a timestamp/date column whose date must be the drop's date; null skips the check
 * @param maxBadRowRatio above this share of quarantined rows the run stops (exit code bad data)
 * @param maxKeyBytes longest key value (UTF-8 bytes) a row may carry: it must fit the serving table's index
 * @param maxStringBytes longest value of any other string column
 */
public record ExpectationsConfig(
    List<String> key,
    String dateColumn,
    List<RuleConfig> rules,
    Double maxBadRowRatio,
    Integer minRows,
    Double rowCountTolerance,
    Integer historyDays,
    Integer minHistoryDays,
    Integer keyHistoryDays,
    Integer maxKeyBytes,
    Integer maxStringBytes) {

  public static final ExpectationsConfig NONE = new ExpectationsConfig(null, null, null, null, null, null, null, null, null, null, null);

  public ExpectationsConfig {
    key = key == null ? List.of() : List.copyOf(key);
    key.forEach(column -> Check.identifier(column, "key"));
    if (dateColumn != null) {
      Check.identifier(dateColumn, "date_column");
    }
    rules = rules == null ? List.of() : List.copyOf(rules);
    List<String> codes = rules.stream().map(RuleConfig::code).toList();
    for (int i = 0; i < codes.size(); i++) {
      Check.that(
          codes.indexOf(codes.get(i)) == i,
          "'rules[" + i + "].code' '" + codes.get(i) + "' must be unique within the source (give one of two rules of the same kind on a column a 'code')");
    }
    maxBadRowRatio = maxBadRowRatio == null ? 0.01 : maxBadRowRatio;
    Check.that(maxBadRowRatio >= 0 && maxBadRowRatio <= 1, "'max_bad_row_ratio' must be within 0..1 (got " + maxBadRowRatio + ")");
    minRows = minRows == null ? 1 : minRows;
    Check.that(minRows >= 0, "'min_rows' must not be negative (got " + minRows + ")");
    rowCountTolerance = rowCountTolerance == null ? 0.5 : rowCountTolerance;
    Check.that(rowCountTolerance > 0, "'row_count_tolerance' must be positive (got " + rowCountTolerance + ")");
    historyDays = Check.positive(historyDays == null ? 28 : historyDays, "history_days");
    minHistoryDays = Check.positive(minHistoryDays == null ? 7 : minHistoryDays, "min_history_days");
    Check.that(
        minHistoryDays <= historyDays,
        "'min_history_days' must be at most 'history_days' " + historyDays + " (got " + minHistoryDays + "): the row-count check would never run");
    keyHistoryDays = keyHistoryDays == null ? 28 : keyHistoryDays;
    Check.that(keyHistoryDays >= 0, "'key_history_days' must not be negative (got " + keyHistoryDays + ")");
    // Postgres refuses a btree index entry above ~2.7 kB: a longer key would stop the publish
    maxKeyBytes = Check.positive(maxKeyBytes == null ? 1024 : maxKeyBytes, "max_key_bytes");
    Check.that(maxKeyBytes <= 2048, "'max_key_bytes' must be at most 2048, which the serving table's key index holds (got " + maxKeyBytes + ")");
    maxStringBytes = Check.positive(maxStringBytes == null ? 65536 : maxStringBytes, "max_string_bytes");
  }
}
