package dev.nightcast.config;

/** The Postgres serving table applications read: {@code schema.table}, a view over versioned tables. */
public record ServingConfig(String schema, String table, int keepVersions, int copyStreams) {
  public ServingConfig {
    Check.identifier(schema, "schema");
    Check.identifier(table, "table");
    Check.that(keepVersions >= 2, "'keep_versions' must be at least 2 so a rollback target exists (got " + keepVersions + ")");
    Check.positive(copyStreams, "copy_streams");
  }
}
