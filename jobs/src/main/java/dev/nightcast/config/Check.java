package dev.nightcast.config;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Validation helpers for config records; the loader turns their failures into key-path messages. */
final class Check {
  /** Names that end up in SQL (tables, columns, schemas) must be plain identifiers. */
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private Check() {}

  static void that(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  static <T> T present(T value, String key) {
    if (value == null) {
      throw new IllegalArgumentException("'" + key + "' is required");
    }
    return value;
  }

  static String notBlank(String value, String key) {
    present(value, key);
    that(!value.isBlank(), "'" + key + "' must not be empty");
    return value;
  }

  static String identifier(String value, String key) {
    present(value, key);
    that(
        IDENTIFIER.matcher(value).matches(),
        "'" + key + "' must be a lower-case SQL identifier matching " + IDENTIFIER + " (got '" + value + "')");
    return value;
  }

  /** A map of numbers, each with a value: {@code {auc: null}} is a slip, not "no bound". Absent means empty. */
  static Map<String, Double> numbers(Map<String, Double> values, String key) {
    if (values == null) {
      return Map.of();
    }
    values.forEach((name, value) -> that(value != null, "'" + key + "." + name + "' has no value: give it a number, or remove the key"));
    return Map.copyOf(new TreeMap<>(values));
  }

  static int positive(int value, String key) {
    that(value > 0, "'" + key + "' must be positive (got " + value + ")");
    return value;
  }
}
