package dev.nightcast.config;

/**
 * The Postgres serving table applications read: {@code schema.table}, a view over versioned tables.
 *
 * @param keepVersions optional in YAML, 3 when absent (the serving version and two rollback targets)
 * @param copyStreams optional in YAML, 2 when absent
 */
public record ServingConfig(String schema, String table, Integer keepVersions, Integer copyStreams) {
  public ServingConfig {
    Check.identifier(schema, "schema");
    Check.identifier(table, "table");
    keepVersions = keepVersions == null ? 3 : keepVersions;
    copyStreams = copyStreams == null ? 2 : copyStreams;
    Check.that(keepVersions >= 2, "'keep_versions' must be at least 2 so a rollback target exists (got " + keepVersions + ")");
    Check.positive(copyStreams, "copy_streams");
  }
}
