package dev.nightcast.serving;

import dev.nightcast.NightcastException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one class that reads and writes the {@code publish_log} table of a serving schema (migration
 * V1): one row per version of one serving table, with its night, model, status and timings. It also
 * reads and clears the load ledger {@code publish_parts} that each COPY stream commits with its rows
 * ({@link CopyLoader} writes it on the executors). Every call is one or two statements on the
 * caller's connection, keyed by (serving_table, version) or filtered by status over a table's few
 * dozen rows: no call scans anything large, and the caller decides the transaction.
 */
public final class PublishLog {
  private final String schema;
  private final String table;

  /** The log of serving table {@code table} in serving schema {@code schema}. */
  public PublishLog(String schema, String table) {
    this.schema = schema;
    this.table = table;
  }

  /** A version's state; the migration's CHECK on publish_log.status allows exactly these. */
  public enum Status {
    LOADING, PUBLISHED, FAILED, RETIRED, ROLLED_BACK;

    String sql() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A published version: what the serving view showed or shows ({@code finishedAt} is when it was switched in). */
  public record Published(int version, LocalDate ds, Integer modelVersion, long rows, Instant finishedAt) {}

  /** How a version's publish ended; the timings and row count are null for a failure. */
  record Outcome(Status status, Long rows, Double loadSeconds, Double indexSeconds, Double switchSeconds, String message) {
    static Outcome failed(String message) {
      return new Outcome(Status.FAILED, null, null, null, null, message);
    }
  }

  /**
   * The newest published version (the one the serving view shows), empty before the first publish.
   * Opens a connection of its own. Cost: one keyed query.
   */
  public Optional<Published> current(ServingDatabase database) {
    try (Connection connection = database.connect()) {
      return current(connection);
    } catch (SQLException e) {
      throw NightcastException.internal(
          "Cannot read the publish log of " + schema + "." + table + ": " + e.getMessage() + " (check the serving database)", e);
    }
  }

  /** As {@link #current(ServingDatabase)}, on the caller's connection. */
  Optional<Published> current(Connection connection) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT version, ds, model_version, row_count, finished_at FROM " + log()
                + " WHERE serving_table = ? AND status = ? ORDER BY version DESC LIMIT 1")) {
      statement.setString(1, table);
      statement.setString(2, Status.PUBLISHED.sql());
      try (ResultSet result = statement.executeQuery()) {
        if (!result.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Published(
                result.getInt("version"),
                result.getObject("ds", LocalDate.class),
                result.getObject("model_version", Integer.class),
                result.getLong("row_count"),
                Optional.ofNullable(result.getObject("finished_at", OffsetDateTime.class)).map(OffsetDateTime::toInstant).orElse(null)));
      }
    }
  }

  /**
   * The models whose predictions a published version still on the server holds (the serving one and
   * the rollback targets; retired and rolled-back versions are dropped tables). Opens a connection
   * of its own. Cost: one query over the table's few dozen rows.
   */
  public List<Integer> publishedModels(ServingDatabase database) {
    try (Connection connection = database.connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT DISTINCT model_version FROM " + log() + " WHERE serving_table = ? AND status = ? AND model_version IS NOT NULL"
                    + " ORDER BY model_version")) {
      statement.setString(1, table);
      statement.setString(2, Status.PUBLISHED.sql());
      List<Integer> models = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          models.add(result.getInt("model_version"));
        }
      }
      return models;
    } catch (SQLException e) {
      throw NightcastException.internal(
          "Cannot read the publish log of " + schema + "." + table + ": " + e.getMessage() + " (check the serving database)", e);
    }
  }

  /** The version number the next publish takes: never one used before, whatever became of it. */
  int nextVersion(Connection connection) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT coalesce(max(version), 0) + 1 AS next FROM " + log() + " WHERE serving_table = ?")) {
      statement.setString(1, table);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getInt("next");
      }
    }
  }

  /** The versions in {@code status}, newest first. */
  List<Integer> versions(Connection connection, Status status) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT version FROM " + log() + " WHERE serving_table = ? AND status = ? ORDER BY version DESC")) {
      statement.setString(1, table);
      statement.setString(2, status.sql());
      return versions(statement);
    }
  }

  /**
   * The versions to drop: published ones beyond the newest {@code keep} (the rollback chain), and
   * every rolled-back one (never a rollback target again).
   */
  List<Integer> retirable(Connection connection, int keep) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "(SELECT version FROM " + log() + " WHERE serving_table = ? AND status = ? ORDER BY version DESC OFFSET ?)"
                + " UNION ALL SELECT version FROM " + log() + " WHERE serving_table = ? AND status = ?")) {
      statement.setString(1, table);
      statement.setString(2, Status.PUBLISHED.sql());
      statement.setInt(3, keep);
      statement.setString(4, table);
      statement.setString(5, Status.ROLLED_BACK.sql());
      return versions(statement);
    }
  }

  /** The night whose predictions {@code version} holds. */
  LocalDate ds(Connection connection, int version) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT ds FROM " + log() + " WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, table);
      statement.setInt(2, version);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getObject("ds", LocalDate.class);
      }
    }
  }

  /** Records that {@code version} of night {@code ds} (scored by {@code modelVersion}, null if unknown) starts loading. */
  void start(Connection connection, int version, LocalDate ds, Integer modelVersion) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO " + log() + " (serving_table, version, ds, model_version, status) VALUES (?, ?, ?, ?, ?)")) {
      statement.setString(1, table);
      statement.setInt(2, version);
      statement.setObject(3, ds);
      statement.setObject(4, modelVersion);
      statement.setString(5, Status.LOADING.sql());
      statement.executeUpdate();
    }
  }

  /** Records how {@code version}'s publish ended, and clears its load ledger (which only matters while a version loads). */
  void finish(Connection connection, int version, Outcome outcome) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE " + log() + " SET status = ?, row_count = ?, load_seconds = ?, index_seconds = ?, switch_seconds = ?, message = ?,"
                + " finished_at = now() WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, outcome.status().sql());
      statement.setObject(2, outcome.rows());
      statement.setObject(3, outcome.loadSeconds());
      statement.setObject(4, outcome.indexSeconds());
      statement.setObject(5, outcome.switchSeconds());
      statement.setString(6, outcome.message());
      statement.setString(7, table);
      statement.setInt(8, version);
      statement.executeUpdate();
    }
    try (PreparedStatement statement = connection.prepareStatement("DELETE FROM " + parts() + " WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, table);
      statement.setInt(2, version);
      statement.executeUpdate();
    }
  }

  /** Records that {@code from} was rolled back and {@code to} is current again. */
  void markRolledBack(Connection connection, int from, int to) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE " + log() + " SET status = ?, rolled_back_at = now(), message = ? WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, Status.ROLLED_BACK.sql());
      statement.setString(2, "rolled back: version " + to + " is current again");
      statement.setString(3, table);
      statement.setInt(4, from);
      statement.executeUpdate();
    }
  }

  void setStatus(Connection connection, int version, Status status) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("UPDATE " + log() + " SET status = ? WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, status.sql());
      statement.setString(2, table);
      statement.setInt(3, version);
      statement.executeUpdate();
    }
  }

  /** The rows loaded into {@code version}: the sum of its load ledger, no count scan of the version table. */
  long loadedRows(Connection connection, int version) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT coalesce(sum(row_count), 0) AS loaded FROM " + parts() + " WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, table);
      statement.setInt(2, version);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getLong("loaded");
      }
    }
  }

  private static List<Integer> versions(PreparedStatement statement) throws SQLException {
    List<Integer> versions = new ArrayList<>();
    try (ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        versions.add(result.getInt("version"));
      }
    }
    return versions;
  }

  private String log() {
    return Sql.quote(schema) + ".publish_log";
  }

  private String parts() {
    return Sql.quote(schema) + ".publish_parts";
  }
}
