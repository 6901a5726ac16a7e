package dev.nightcast.serving;

import static org.apache.spark.sql.functions.col;

import dev.nightcast.NightcastException;
import dev.nightcast.config.ServingConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a night's predictions to the serving table applications query.
 *
 * <p>Shape: every publish loads a fresh table {@code <table>_v<N>}; the name applications use,
 * {@code <table>}, is a view. The switch is {@code CREATE OR REPLACE VIEW} in one short
 * transaction: it needs the view's lock only for an instant, the old version stays intact for an
 * instant rollback, and readers see the old set or the new set, never an empty or partial one. (A
 * table rename would need an exclusive lock on the live table itself and would queue new readers
 * behind any long-running one for the whole swap.) A single publisher per table is enforced with
 * an advisory lock.
 *
 * <p>Verification costs no scan of its own: the version table is created with the checks a served
 * row must pass (a non-null key; a probability in [0,1], not NaN, or a finite prediction), so
 * Postgres rejects a bad row during the COPY; the primary key build rejects duplicate keys; and
 * the row count is the load ledger's, committed by each stream with its rows, compared with
 * Spark's count. Cost: one Spark count of the predictions, then {@code copy_streams} binary COPY
 * streams (no shuffle when the input has that many partitions), then in Postgres one sort of every
 * key for the primary key and ANALYZE's sample; the switch itself and a rollback are catalog
 * updates only.
 */
public final class Publisher {
  private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
  private static final int SWITCH_ATTEMPTS = 20;
  private static final String INDEX_MEMORY = "256MB";

  private final ServingDatabase database;
  private final ServingConfig serving;
  private final String entityKey;

  public Publisher(ServingDatabase database, ServingConfig serving, String entityKey) {
    this.database = database;
    this.serving = serving;
    this.entityKey = entityKey;
  }

  public record Result(int version, long rows, double loadSeconds, double indexSeconds, double switchSeconds) {}

  /**
   * Loads {@code predictions} (the rows of one ds) as a new version and makes it current. On any
   * failure before the switch the serving view is untouched and the version is logged as failed.
   */
  public Result publish(Dataset<Row> predictions, LocalDate ds, Integer modelVersion) {
    String schema = serving.schema();
    String table = serving.table();
    try (Connection control = database.connect()) {
      control.setAutoCommit(true);
      lock(control, "publish to");
      try {
        dropAbandonedLoads(control);
        long expected = predictions.count();
        int version = nextVersion(control);
        String versionTable = Sql.versionTable(table, version);
        String qualified = Sql.quote(schema) + "." + Sql.quote(versionTable);
        List<StructField> fields = List.of(predictions.schema().fields());
        try (Statement statement = control.createStatement()) {
          statement.execute("DROP TABLE IF EXISTS " + qualified);
          statement.execute("CREATE TABLE " + qualified + " (" + columnsDdl(fields) + ", " + scoreCheck(fields) + ")");
        }
        logStart(control, version, ds, modelVersion);
        try {
          long began = System.nanoTime();
          load(predictions, version, fields, qualified, ds);
          double loadSeconds = seconds(began);
          verifyCount(control, version, expected, ds);
          began = System.nanoTime();
          addPrimaryKey(control, qualified, versionTable, ds);
          try (Statement statement = control.createStatement()) {
            statement.execute("ANALYZE " + qualified);
          }
          double indexSeconds = seconds(began);
          long switchBegan = System.nanoTime();
          // the log says 'published' exactly when the view points at the version: same transaction
          switchTo(control, version, () -> logFinish(control, version, "published", expected, loadSeconds, indexSeconds, seconds(switchBegan), null));
          double switchSeconds = seconds(switchBegan);
          retireOldVersions(control);
          return new Result(version, expected, loadSeconds, indexSeconds, switchSeconds);
        } catch (RuntimeException | SQLException e) {
          logFinish(control, version, "failed", null, null, null, null, e.getMessage());
          try (Statement statement = control.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + qualified);
          }
          throw e;
        }
      } finally {
        unlock(control);
      }
    } catch (SQLException e) {
      throw NightcastException.internal(
          "Cannot publish predictions for " + ds + " to " + schema + "." + table + ": " + e.getMessage()
              + " (the serving table still holds the previous version; re-run `nightcast publish --date " + ds + "`)",
          e);
    }
  }

  public record Rollback(int from, int to, LocalDate ds) {}

  /**
   * Makes the previous published version current again: one view switch, no data moves, so it
   * takes milliseconds. The version left behind is logged as rolled_back (never a rollback target
   * again) and dropped by the next publish. Cost: a few catalog statements in Postgres, no Spark.
   */
  public Rollback rollback() {
    String schema = serving.schema();
    String table = serving.table();
    try (Connection control = database.connect()) {
      control.setAutoCommit(true);
      lock(control, "roll back");
      try {
        List<Integer> published = publishedVersions(control);
        if (published.size() < 2) {
          throw NightcastException.badData(
              "Cannot roll back " + schema + "." + table + ": no earlier published version is kept (published versions: "
                  + published + "; keep_versions " + serving.keepVersions() + "). Re-publish a date instead: `nightcast publish --date D`");
        }
        int from = published.get(0);
        int to = published.get(1);
        switchTo(control, to, () -> markRolledBack(control, from, to));
        LOG.info("rolled {}.{} back from version {} to version {}", schema, table, from, to);
        return new Rollback(from, to, dsOf(control, to));
      } finally {
        unlock(control);
      }
    } catch (SQLException e) {
      throw NightcastException.internal(
          "Cannot roll back " + schema + "." + table + ": " + e.getMessage() + " (the serving view is unchanged; retry the rollback)", e);
    }
  }

  /** The ds of the version the serving view shows, empty before the first publish. Cost: one keyed query. */
  public Optional<LocalDate> servedDate() {
    try (Connection control = database.connect();
        PreparedStatement statement =
            control.prepareStatement(
                "SELECT ds FROM " + Sql.quote(serving.schema()) + ".publish_log WHERE serving_table = ? AND status = 'published'"
                    + " ORDER BY version DESC LIMIT 1")) {
      statement.setString(1, serving.table());
      try (ResultSet result = statement.executeQuery()) {
        return result.next() ? Optional.of(result.getObject(1, LocalDate.class)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw NightcastException.internal(
          "Cannot read which night " + serving.schema() + "." + serving.table() + " serves: " + e.getMessage() + " (check the serving database)", e);
    }
  }

  /** The application role that may read the serving view (created by migration V2). */
  public static String readerRole(String schema) {
    return schema + "_reader";
  }

  private void lock(Connection control, String action) throws SQLException {
    try (PreparedStatement statement = control.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
      statement.setString(1, lockName());
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        if (!result.getBoolean(1)) {
          throw NightcastException.busy(
              "Cannot " + action + " " + serving.schema() + "." + serving.table() + ": another publisher holds its lock"
                  + " (a run for this pipeline is in progress; wait for it to finish, then re-run if needed)");
        }
      }
    }
  }

  private void unlock(Connection control) throws SQLException {
    try (PreparedStatement statement = control.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
      statement.setString(1, lockName());
      statement.execute();
    }
  }

  private String lockName() {
    return "nightcast.publish." + serving.schema() + "." + serving.table();
  }

  /** A publisher killed mid-load leaves a 'loading' version behind; holding the lock, we clean it up. */
  private void dropAbandonedLoads(Connection control) throws SQLException {
    List<Integer> abandoned = new ArrayList<>();
    try (PreparedStatement statement =
        control.prepareStatement(
            "SELECT version FROM " + Sql.quote(serving.schema()) + ".publish_log WHERE serving_table = ? AND status = 'loading'")) {
      statement.setString(1, serving.table());
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          abandoned.add(result.getInt(1));
        }
      }
    }
    for (int version : abandoned) {
      LOG.warn("dropping version {} of {}.{} left behind by an interrupted publish", version, serving.schema(), serving.table());
      try (Statement statement = control.createStatement()) {
        statement.execute(
            "DROP TABLE IF EXISTS " + Sql.quote(serving.schema()) + "." + Sql.quote(Sql.versionTable(serving.table(), version)));
      }
      logFinish(control, version, "failed", null, null, null, null, "abandoned: the publishing process stopped mid-load");
    }
  }

  /** The primary key is the uniqueness check too: duplicate or null keys abort the publish as bad data. */
  private void addPrimaryKey(Connection control, String qualified, String versionTable, LocalDate ds) throws SQLException {
    try (Statement statement = control.createStatement()) {
      // sort the keys in memory (the default 64MB spills to disk from about a million keys); this session only
      statement.execute("SET maintenance_work_mem = '" + INDEX_MEMORY + "'");
      statement.execute(
          "ALTER TABLE " + qualified + " ADD CONSTRAINT " + Sql.quote(versionTable + "_pk") + " PRIMARY KEY (" + Sql.quote(entityKey) + ")");
    } catch (SQLException e) {
      // 23505 unique_violation, 23502 not_null_violation
      if ("23505".equals(e.getSQLState()) || "23502".equals(e.getSQLState())) {
        throw rejected(ds, "entity key '" + entityKey + "' is not unique and non-null", qualified, e.getMessage());
      }
      throw e;
    }
  }

  private List<Integer> publishedVersions(Connection control) throws SQLException {
    List<Integer> versions = new ArrayList<>();
    try (PreparedStatement statement =
        control.prepareStatement(
            "SELECT version FROM " + Sql.quote(serving.schema()) + ".publish_log WHERE serving_table = ? AND status = 'published'"
                + " ORDER BY version DESC")) {
      statement.setString(1, serving.table());
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          versions.add(result.getInt(1));
        }
      }
    }
    return versions;
  }

  private LocalDate dsOf(Connection control, int version) throws SQLException {
    try (PreparedStatement statement =
        control.prepareStatement("SELECT ds FROM " + Sql.quote(serving.schema()) + ".publish_log WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, serving.table());
      statement.setInt(2, version);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getObject(1, LocalDate.class);
      }
    }
  }

  private void markRolledBack(Connection control, int from, int to) throws SQLException {
    try (PreparedStatement statement =
        control.prepareStatement(
            "UPDATE " + Sql.quote(serving.schema()) + ".publish_log SET status = 'rolled_back', rolled_back_at = now(), message = ?"
                + " WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, "rolled back: version " + to + " is current again");
      statement.setString(2, serving.table());
      statement.setInt(3, from);
      statement.executeUpdate();
    }
  }

  private int nextVersion(Connection control) throws SQLException {
    try (PreparedStatement statement =
        control.prepareStatement(
            "SELECT coalesce(max(version), 0) + 1 FROM " + Sql.quote(serving.schema()) + ".publish_log WHERE serving_table = ?")) {
      statement.setString(1, serving.table());
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getInt(1);
      }
    }
  }

  /**
   * COPY {@code copy_streams} partitions in parallel, straight from Spark's internal rows; a row the
   * version table's checks reject stops the publish as bad data. Both ways
   * of getting there keep a partition's rows the same when a task is retried, which the load ledger
   * relies on: coalescing (no shuffle) when there are enough input partitions, else a hash
   * repartition by key (one shuffle).
   */
  private void load(Dataset<Row> predictions, int version, List<StructField> fields, String qualified, LocalDate ds) {
    List<String> columns = fields.stream().map(StructField::name).toList();
    List<CopyLoader.ColumnType> types = fields.stream().map(field -> CopyLoader.ColumnType.of(field.dataType())).toList();
    ServingDatabase.Credentials credentials = database.credentials();
    String schema = serving.schema();
    String table = serving.table();
    int streams = serving.copyStreams();
    Dataset<Row> parts =
        predictions.rdd().getNumPartitions() >= streams ? predictions.coalesce(streams) : predictions.repartition(streams, col(entityKey));
    List<CopyLoader.Part> loaded =
        parts
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .mapPartitions(rows -> List.of(CopyLoader.load(credentials, schema, table, version, columns, types, TaskContext.getPartitionId(), rows)).iterator())
            .collect();
    for (CopyLoader.Part part : loaded) {
      if (part.rejection() != null) {
        throw rejected(
            ds,
            entityKey.equals(part.rejectedColumn())
                ? "entity key '" + entityKey + "' is not unique and non-null"
                : "a score is null, NaN or out of range (probabilities must be in [0,1], predictions finite)",
            qualified, part.rejection());
      }
    }
  }

  /** A prediction set Postgres refused (by the version table's checks or its primary key): bad data. */
  private static NightcastException rejected(LocalDate ds, String what, String qualified, String detail) {
    return NightcastException.badData(
        "Cannot publish predictions for " + ds + ": " + what + " in " + qualified + " (" + detail
            + "). The serving table is unchanged; fix the predictions for " + ds + " and re-run the publish");
  }

  /**
   * The rows loaded are the sum of the load ledger, which each COPY stream commits together with
   * its rows: no count scan. Any difference from Spark's count aborts the publish.
   */
  private void verifyCount(Connection control, int version, long expected, LocalDate ds) throws SQLException {
    try (PreparedStatement statement =
        control.prepareStatement(
            "SELECT coalesce(sum(row_count), 0) FROM " + Sql.quote(serving.schema()) + ".publish_parts WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, serving.table());
      statement.setInt(2, version);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        long rows = result.getLong(1);
        if (rows != expected) {
          throw NightcastException.badData(
              "Cannot publish predictions for " + ds + ": verification failed (rows loaded " + rows + ", expected " + expected
                  + "). The serving table is unchanged");
        }
      }
    }
  }

  /** What a served row must satisfy besides a non-null key, checked by Postgres as the rows arrive. */
  private static String scoreCheck(List<StructField> fields) {
    // classification serves a probability in [0,1]; regression serves a prediction that must be a number
    boolean probability = fields.stream().anyMatch(field -> field.name().equals("probability"));
    return probability
        ? "CHECK (probability IS NOT NULL AND probability <> 'NaN' AND probability BETWEEN 0 AND 1)"
        : "CHECK (prediction IS NOT NULL AND prediction NOT IN ('NaN', 'Infinity', '-Infinity'))";
  }

  /** What must commit together with the view switch (the publish log's record of it). */
  @FunctionalInterface
  private interface SameTransaction {
    void run() throws SQLException;
  }

  /**
   * Points the view at {@code version} and grants the reader role SELECT on it, in one transaction
   * with {@code record}. A short lock_timeout with retries keeps readers flowing: while the switch
   * waits for a long reader, new readers queue behind it, so it gives up quickly and tries again.
   */
  private void switchTo(Connection control, int version, SameTransaction record) throws SQLException {
    String view = Sql.quote(serving.schema()) + "." + Sql.quote(serving.table());
    String target = Sql.quote(serving.schema()) + "." + Sql.quote(Sql.versionTable(serving.table(), version));
    for (int attempt = 1; ; attempt++) {
      control.setAutoCommit(false);
      try (Statement statement = control.createStatement()) {
        statement.execute("SET LOCAL lock_timeout = '500ms'");
        statement.execute("CREATE OR REPLACE VIEW " + view + " AS SELECT * FROM " + target);
        statement.execute("GRANT SELECT ON " + view + " TO " + Sql.quote(readerRole(serving.schema())));
        record.run();
        control.commit();
        return;
      } catch (SQLException e) {
        control.rollback();
        // 55P03 = lock_not_available: a long reader holds the view; back off and try again
        if (!"55P03".equals(e.getSQLState()) || attempt == SWITCH_ATTEMPTS) {
          throw e;
        }
        LOG.warn("serving view busy, retrying the switch (attempt " + attempt + " of " + SWITCH_ATTEMPTS + ")");
        sleep(100L * attempt);
      } finally {
        control.setAutoCommit(true);
      }
    }
  }

  /**
   * Keeps the newest {@code keep_versions} published versions (the rollback chain); older ones and
   * versions that were rolled back are dropped.
   */
  private void retireOldVersions(Connection control) throws SQLException {
    List<Integer> retire = new ArrayList<>();
    try (PreparedStatement statement =
        control.prepareStatement(
            "(SELECT version FROM " + Sql.quote(serving.schema()) + ".publish_log WHERE serving_table = ? AND status = 'published'"
                + " ORDER BY version DESC OFFSET ?)"
                + " UNION ALL SELECT version FROM " + Sql.quote(serving.schema()) + ".publish_log WHERE serving_table = ? AND status = 'rolled_back'")) {
      statement.setString(1, serving.table());
      statement.setInt(2, serving.keepVersions());
      statement.setString(3, serving.table());
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          retire.add(result.getInt(1));
        }
      }
    }
    for (int version : retire) {
      try (Statement statement = control.createStatement()) {
        statement.execute(
            "DROP TABLE IF EXISTS " + Sql.quote(serving.schema()) + "." + Sql.quote(Sql.versionTable(serving.table(), version)));
      }
      setStatus(control, version, "retired");
    }
  }

  private void logStart(Connection control, int version, LocalDate ds, Integer modelVersion) throws SQLException {
    try (PreparedStatement statement =
        control.prepareStatement(
            "INSERT INTO " + Sql.quote(serving.schema()) + ".publish_log (serving_table, version, ds, model_version, status)"
                + " VALUES (?, ?, ?, ?, 'loading')")) {
      statement.setString(1, serving.table());
      statement.setInt(2, version);
      statement.setObject(3, ds);
      statement.setObject(4, modelVersion);
      statement.executeUpdate();
    }
  }

  private void logFinish(
      Connection control, int version, String status, Long rows, Double load, Double index, Double switchSeconds, String message)
      throws SQLException {
    try (PreparedStatement statement =
        control.prepareStatement(
            "UPDATE " + Sql.quote(serving.schema()) + ".publish_log SET status = ?, row_count = ?, load_seconds = ?,"
                + " index_seconds = ?, switch_seconds = ?, message = ?, finished_at = now() WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, status);
      statement.setObject(2, rows);
      statement.setObject(3, load);
      statement.setObject(4, index);
      statement.setObject(5, switchSeconds);
      statement.setString(6, message);
      statement.setString(7, serving.table());
      statement.setInt(8, version);
      statement.executeUpdate();
    }
    // the load ledger only matters while a version loads
    try (PreparedStatement statement =
        control.prepareStatement("DELETE FROM " + Sql.quote(serving.schema()) + ".publish_parts WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, serving.table());
      statement.setInt(2, version);
      statement.executeUpdate();
    }
  }

  private void setStatus(Connection control, int version, String status) throws SQLException {
    try (PreparedStatement statement =
        control.prepareStatement(
            "UPDATE " + Sql.quote(serving.schema()) + ".publish_log SET status = ? WHERE serving_table = ? AND version = ?")) {
      statement.setString(1, status);
      statement.setString(2, serving.table());
      statement.setInt(3, version);
      statement.executeUpdate();
    }
  }

  /**
   * A text key gets the "C" collation: applications look keys up by equality, and byte order makes
   * the primary key build (a sort of every key) several times cheaper than a linguistic collation.
   */
  private String columnsDdl(List<StructField> fields) {
    List<String> columns = new ArrayList<>();
    for (StructField field : fields) {
      CopyLoader.ColumnType type = CopyLoader.ColumnType.of(field.dataType());
      boolean key = field.name().equals(entityKey);
      String collation = key && type == CopyLoader.ColumnType.TEXT ? " COLLATE \"C\"" : "";
      // a key declared NOT NULL up front spares the primary key build a NOT NULL scan
      columns.add(Sql.quote(field.name()) + " " + type.sql + collation + (key || !field.nullable() ? " NOT NULL" : ""));
    }
    return String.join(", ", columns);
  }

  private static double seconds(long began) {
    return (System.nanoTime() - began) / 1e9;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to switch the serving view", e);
    }
  }
}
