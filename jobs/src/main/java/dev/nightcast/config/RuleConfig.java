package dev.nightcast.config;

import java.util.List;
import java.util.Set;

/**
 * One declared row rule on one column: exactly one of {@code not_null}, {@code range},
 * {@code allowed} or {@code pattern}. Its code, used in quarantine and data_quality, is
 * {@code <column>_<kind>} unless given. {@code error} rows go to quarantine; {@code warn} rows are
 * kept and counted.
 *
 * @param range inclusive [min, max] for numeric columns
 * @param pattern a Java regular expression the whole value must match
 */
public record RuleConfig(
    String column, Boolean notNull, List<Double> range, List<String> allowed, String pattern, String severity, String code) {
  public static final String ERROR = "error";
  public static final String WARN = "warn";
  private static final Set<String> SEVERITIES = Set.of(ERROR, WARN);

  public RuleConfig {
    Check.identifier(column, "column");
    int kinds = (Boolean.TRUE.equals(notNull) ? 1 : 0) + (range != null ? 1 : 0) + (allowed != null ? 1 : 0) + (pattern != null ? 1 : 0);
    Check.that(kinds == 1, "rule on '" + column + "' must set exactly one of not_null: true, range, allowed, pattern (got " + kinds + ")");
    if (range != null) {
      Check.that(
          range.size() == 2 && range.get(0) != null && range.get(1) != null && range.get(0) <= range.get(1),
          "'range' of the rule on '" + column + "' must be [min, max] with min <= max (got " + range + ")");
      range = List.copyOf(range);
    }
    if (allowed != null) {
      Check.that(!allowed.isEmpty(), "'allowed' of the rule on '" + column + "' must list at least one value");
      allowed = List.copyOf(allowed);
    }
    if (pattern != null) {
      try {
        java.util.regex.Pattern.compile(pattern);
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new IllegalArgumentException("'pattern' of the rule on '" + column + "' is not a valid regular expression (" + e.getDescription() + ")");
      }
    }
    severity = severity == null ? ERROR : severity;
    Check.that(SEVERITIES.contains(severity), "'severity' must be one of " + SEVERITIES + " (got '" + severity + "')");
    code = code == null ? column + "_" + kind(notNull, range, allowed) : Check.identifier(code, "code");
  }

  private static String kind(Boolean notNull, List<Double> range, List<String> allowed) {
    return Boolean.TRUE.equals(notNull) ? "not_null" : range != null ? "range" : allowed != null ? "allowed" : "pattern";
  }

  public boolean error() {
    return severity.equals(ERROR);
  }
}
