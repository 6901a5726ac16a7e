package dev.nightcast.serving;

import dev.nightcast.NightcastException;
import dev.nightcast.config.ServingConfig;
import dev.nightcast.scoring.Score;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving table in Postgres: the versioned tables {@code <table>_v<N>} that hold one night's
 * predictions each, and the view {@code <table>} over the current one that applications query. It
 * owns their DDL: a version's columns and checks, its primary key and statistics, the atomic view
 * switch and the drop of a retired version. All calls run on the caller's connection; what each
 * costs is on it (the primary key build is the one that touches every row).
 */
final class ServingTable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingTable.class);
  private static final int SWITCH_ATTEMPTS = 20;
  private static final String INDEX_MEMORY = "256MB";

  private final String schema;
  private final String table;
  private final String entityKey;

  ServingTable(ServingConfig serving, String entityKey) {
    this.schema = serving.schema();
    this.table = serving.table();
    this.entityKey = entityKey;
  }

  /** The application role that may read the serving view (created by migration V2). */
  static String readerRole(String schema) {
    return schema + "_reader";
  }

  /** The quoted, schema-qualified name of {@code version}'s table. */
  String qualified(int version) {
    return Sql.quote(schema) + "." + Sql.quote(Sql.versionTable(table, version));
  }

  /**
   * Creates {@code version}'s empty table (replacing a leftover of that name) with the checks a
   * served row must pass, so Postgres rejects a bad row during the COPY and no verification scan is
   * needed. Cost: catalog updates only.
   */
  void create(Connection control, int version, List<StructField> fields) throws SQLException {
    String qualified = qualified(version);
    try (Statement statement = control.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + qualified);
      statement.execute("CREATE TABLE " + qualified + " (" + columnsDdl(fields) + ", " + scoreCheck(fields) + ")");
    }
  }

  /** Drops {@code version}'s table if it exists. Cost: a catalog update and the unlink of its files. */
  void drop(Connection control, int version) throws SQLException {
    try (Statement statement = control.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + qualified(version));
    }
  }

  /**
   * Adds the primary key on the entity key, which is the uniqueness check too: duplicate or null keys
   * abort the publish of night {@code ds} as bad data. Cost: one sort of every key, in memory.
   */
  void addPrimaryKey(Connection control, int version, LocalDate ds) throws SQLException {
    try (Statement statement = control.createStatement()) {
      // sort the keys in memory (the default 64MB spills to disk from about a million keys); this session only
      statement.execute("SET maintenance_work_mem = '" + INDEX_MEMORY + "'");
      statement.execute(
          "ALTER TABLE " + qualified(version) + " ADD CONSTRAINT " + Sql.quote(Sql.versionTable(table, version) + "_pk")
              + " PRIMARY KEY (" + Sql.quote(entityKey) + ")");
    } catch (SQLException e) {
      // 23505 unique_violation, 23502 not_null_violation
      if ("23505".equals(e.getSQLState()) || "23502".equals(e.getSQLState())) {
        throw rejected(ds, keyRejection(), version, e.getMessage());
      }
      throw e;
    }
  }

  /** Gathers the planner's statistics for {@code version}. Cost: ANALYZE's sample of the table. */
  void analyze(Connection control, int version) throws SQLException {
    try (Statement statement = control.createStatement()) {
      statement.execute("ANALYZE " + qualified(version));
    }
  }

  /** Why the entity key refused a row: the same words whether the COPY or the primary key build found it. */
  String keyRejection() {
    return "entity key '" + entityKey + "' is not unique and non-null";
  }

  /** A prediction set Postgres refused (by the version table's checks or its primary key): bad data. */
  NightcastException rejected(LocalDate ds, String what, int version, String detail) {
    return NightcastException.badData(
        "Cannot publish predictions for " + ds + ": " + what + " in " + qualified(version) + " (" + detail
            + "). The serving table is unchanged; fix the predictions for " + ds + " and re-run the publish");
  }

  /** What must commit together with the view switch (the publish log's record of it). */
  @FunctionalInterface
  interface SameTransaction {
    void run() throws SQLException;
  }

  /**
   * Points the view at {@code version} and grants the reader role SELECT on it, in one transaction
   * with {@code record}: readers see the old version or the new one, never an empty or partial one,
   * and the old version stays intact for a rollback. Cost: catalog updates only. A short
   * lock_timeout with retries keeps readers flowing: while the switch waits for a long reader, new
   * readers queue behind it, so it gives up quickly and tries again.
   */
  void switchTo(Connection control, int version, SameTransaction record) throws SQLException {
    String view = Sql.quote(schema) + "." + Sql.quote(table);
    for (int attempt = 1; ; attempt++) {
      control.setAutoCommit(false);
      try (Statement statement = control.createStatement()) {
        statement.execute("SET LOCAL lock_timeout = '500ms'");
        statement.execute("CREATE OR REPLACE VIEW " + view + " AS SELECT * FROM " + qualified(version));
        statement.execute("GRANT SELECT ON " + view + " TO " + Sql.quote(readerRole(schema)));
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

  /** What a served row must satisfy besides a non-null key, checked by Postgres as the rows arrive. */
  private static String scoreCheck(List<StructField> fields) {
    // classification serves a probability in [0,1]; regression serves a prediction that must be a number
    boolean probability = fields.stream().anyMatch(field -> field.name().equals(Score.PROBABILITY));
    String probabilityColumn = Sql.quote(Score.PROBABILITY);
    String predictionColumn = Sql.quote(Score.PREDICTION);
    return probability
        ? "CHECK (" + probabilityColumn + " IS NOT NULL AND " + probabilityColumn + " <> 'NaN' AND " + probabilityColumn + " BETWEEN 0 AND 1)"
        : "CHECK (" + predictionColumn + " IS NOT NULL AND " + predictionColumn + " NOT IN ('NaN', 'Infinity', '-Infinity'))";
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
