package dev.nightcast.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One landing-zone feed. {@code path} is relative to the environment's landing root and holds the
 * placeholder {@code {date}}; the drop read on night D covers date D + {@code dayOffset}.
 *
 * @param dayOffset optional in YAML, 0 when absent (the drop of the night's own date)
 * @param schema column name to Spark SQL type, in the order the drop declares them
 * @param expectations what each drop must satisfy; absent means the implicit rules only
 */
public record SourceConfig(
    String path,
    String format,
    Integer dayOffset,
    @JsonDeserialize(contentUsing = StringDeserializer.class) Map<String, String> options,
    LinkedHashMap<String, String> schema,
    ExpectationsConfig expectations) {

  private static final Set<String> FORMATS = Set.of("csv", "json", "parquet", "delta");
  private static final Set<String> TYPES =
      Set.of("string", "int", "bigint", "double", "boolean", "date", "timestamp");
  public static final Set<String> NUMERIC = Set.of("int", "bigint", "double");

  public SourceConfig {
    Check.present(path, "path");
    Check.that(path.contains("{date}"), "'path' must contain the placeholder {date} (got '" + path + "')");
    Check.present(format, "format");
    Check.that(FORMATS.contains(format), "'format' must be one of " + FORMATS + " (got '" + format + "')");
    dayOffset = dayOffset == null ? 0 : dayOffset;
    Check.that(dayOffset >= -7 && dayOffset <= 7, "'day_offset' must be within -7..7 (got " + dayOffset + ")");
    options = options == null ? Map.of() : Map.copyOf(options);
    Check.present(schema, "schema");
    Check.that(!schema.isEmpty(), "'schema' must list at least one column");
    for (Map.Entry<String, String> column : schema.entrySet()) {
      Check.identifier(column.getKey(), "schema." + column.getKey());
      Check.that(
          TYPES.contains(column.getValue()),
          "'schema." + column.getKey() + "' must be one of " + TYPES + " (got '" + column.getValue() + "')");
    }
    schema = new LinkedHashMap<>(schema);
    expectations = expectations == null ? ExpectationsConfig.NONE : expectations;
    for (String column : expectations.key()) {
      Check.that(schema.containsKey(column), "'expectations.key' column '" + column + "' is not in the schema");
    }
    if (expectations.dateColumn() != null) {
      Check.that(
          Set.of("date", "timestamp").contains(schema.get(expectations.dateColumn())),
          "'expectations.date_column' '" + expectations.dateColumn() + "' must be a date or timestamp column of the schema");
    }
    for (int i = 0; i < expectations.rules().size(); i++) {
      RuleConfig rule = expectations.rules().get(i);
      String at = "'expectations.rules[" + i + "]";
      Check.that(schema.containsKey(rule.column()), at + ".column' names '" + rule.column() + "', which is not in the schema");
      Check.that(
          rule.range() == null || NUMERIC.contains(schema.get(rule.column())),
          at + ".range' needs a numeric column " + NUMERIC + ": '" + rule.column() + "' is " + schema.get(rule.column()));
    }
  }

  @Override
  public LinkedHashMap<String, String> schema() {
    return new LinkedHashMap<>(schema);
  }
}
