package dev.nightcast.serving;

import java.util.regex.Pattern;

/** SQL identifier handling: names from config are validated identifiers, and quoted anyway. */
final class Sql {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private Sql() {}

  static String quote(String identifier) {
    if (!IDENTIFIER.matcher(identifier).matches()) {
      throw new IllegalArgumentException("Cannot use '" + identifier + "' as an SQL identifier: it must match " + IDENTIFIER);
    }
    return '"' + identifier + '"';
  }

  static String versionTable(String table, int version) {
    return table + String.format("_v%06d", version);
  }
}
