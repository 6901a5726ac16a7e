package dev.nightcast.serving;

import static org.apache.spark.sql.functions.col;

import dev.nightcast.NightcastException;
import dev.nightcast.config.ServingConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a night's predictions to the serving table applications query: the publish protocol,
 * told step by step, over the {@link ServingTable} (versioned tables and the view), the
 * {@link PublishLog} (each version's state) and the {@link CopyLoader} (the rows).
 *
 * <p>Shape: every publish loads a fresh table {@code <table>_v<N>}; the name applications use,
 * {@code <table>}, is a view. The switch is {@code CREATE OR REPLACE VIEW} in one short
 * transaction: it needs the view's lock only for an instant, the old version stays intact for an
 * instant rollback, and readers see the old set or the new set, never an empty or partial one. (A
 * table rename would need an exclusive lock on the live table itself and would queue new readers
 * behind any long-running one for the whole swap.) A single publisher per table is enforced with
 * an {@link AdvisoryLock}.
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
  private static final int SHOWN_KEY_CHARACTERS = 64;

  private final ServingDatabase database;
  private final ServingConfig serving;
  private final String entityKey;
  private final ServingTable servingTable;
  private final PublishLog log;

  public Publisher(ServingDatabase database, ServingConfig serving, String entityKey) {
    this.database = database;
    this.serving = serving;
    this.entityKey = entityKey;
    this.servingTable = new ServingTable(serving, entityKey);
    this.log = new PublishLog(serving.schema(), serving.table());
  }

  public record Result(int version, long rows, double loadSeconds, double indexSeconds, double switchSeconds) {}

  /**
   * Loads {@code predictions} (the rows of one ds) as a new version and makes it current. On any
   * failure before the switch the serving view is untouched and the version is logged as failed.
   */
  public Result publish(Dataset<Row> predictions, LocalDate ds, Integer modelVersion) {
    try (Connection control = database.connect()) {
      control.setAutoCommit(true);
      lock(control, "publish to");
      try {
        dropAbandonedLoads(control);
        long expected = predictions.count();
        int version = log.nextVersion(control);
        List<StructField> fields = List.of(predictions.schema().fields());
        servingTable.create(control, version, fields);
        log.start(control, version, ds, modelVersion);
        try {
          long began = System.nanoTime();
          load(predictions, version, fields, ds);
          double loadSeconds = seconds(began);
          verifyCount(control, version, expected, ds);
          began = System.nanoTime();
          servingTable.addPrimaryKey(control, version, ds);
          servingTable.analyze(control, version);
          double indexSeconds = seconds(began);
          long switchBegan = System.nanoTime();
          // the log says 'published' exactly when the view points at the version: same transaction
          servingTable.switchTo(control, version, () -> log.finish(control, version,
              new PublishLog.Outcome(PublishLog.Status.PUBLISHED, expected, loadSeconds, indexSeconds, seconds(switchBegan), null)));
          double switchSeconds = seconds(switchBegan);
          retireOldVersions(control);
          return new Result(version, expected, loadSeconds, indexSeconds, switchSeconds);
        } catch (RuntimeException | SQLException e) {
          Optional<NightcastException> tooLong = e instanceof SQLException sql ? tooLongKey(control, version, ds, sql) : Optional.empty();
          log.finish(control, version, PublishLog.Outcome.failed(e.getMessage()));
          servingTable.drop(control, version);
          if (tooLong.isPresent()) {
            throw tooLong.get();
          }
          throw e;
        }
      } finally {
        unlock(control);
      }
    } catch (SQLException e) {
      throw NightcastException.internal(
          "Cannot publish predictions for " + ds + " to " + serving.schema() + "." + serving.table() + ": " + e.getMessage()
              + " (the serving table still holds the previous version; re-run `nightcast publish --date " + ds + "`)",
          e);
    }
  }

  /**
   * A key too long for the primary key's index (54000 program_limit_exceeded: "index row requires N
   * bytes") is bad data, not a failure to retry: named by its start and size, found with one scan of
   * {@code version}'s keys before the table is dropped.
   */
  private Optional<NightcastException> tooLongKey(Connection control, int version, LocalDate ds, SQLException failure) throws SQLException {
    if (!"54000".equals(failure.getSQLState())) {
      return Optional.empty();
    }
    String key = Sql.quote(entityKey) + "::text";
    try (Statement statement = control.createStatement();
        ResultSet longest = statement.executeQuery(
            "SELECT left(" + key + ", " + SHOWN_KEY_CHARACTERS + ") AS key_start, octet_length(" + key + ") AS key_bytes FROM "
                + servingTable.qualified(version) + " ORDER BY octet_length(" + key + ") DESC LIMIT 1")) {
      if (!longest.next()) {
        return Optional.empty();
      }
      return Optional.of(servingTable.rejected(ds,
          "entity key '" + entityKey + "' too long for the key index: '" + longest.getString("key_start") + "...' ("
              + longest.getLong("key_bytes") + " bytes; bound keys at ingest with sources.<name>.expectations.max_key_bytes)",
          version, String.valueOf(failure.getMessage()).lines().findFirst().orElse("")));
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
        List<Integer> published = log.versions(control, PublishLog.Status.PUBLISHED);
        if (published.size() < 2) {
          throw NightcastException.badData(
              "Cannot roll back " + schema + "." + table + ": no earlier published version is kept (published versions: "
                  + published + "; keep_versions " + serving.keepVersions() + "). Re-publish a date instead: `nightcast publish --date D`");
        }
        int from = published.get(0);
        int to = published.get(1);
        servingTable.switchTo(control, to, () -> log.markRolledBack(control, from, to));
        LOG.info("rolled {}.{} back from version {} to version {}", schema, table, from, to);
        return new Rollback(from, to, log.ds(control, to));
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
    try (Connection control = database.connect()) {
      return log.current(control).map(PublishLog.Published::ds);
    } catch (SQLException e) {
      throw NightcastException.internal(
          "Cannot read which night " + serving.schema() + "." + serving.table() + " serves: " + e.getMessage() + " (check the serving database)", e);
    }
  }

  private void lock(Connection control, String action) throws SQLException {
    if (!AdvisoryLock.tryAcquire(control, lockName())) {
      throw NightcastException.busy(
          "Cannot " + action + " " + serving.schema() + "." + serving.table() + ": another publisher holds its lock"
              + " (a run for this pipeline is in progress; wait for it to finish, then re-run if needed)");
    }
  }

  private void unlock(Connection control) throws SQLException {
    AdvisoryLock.release(control, lockName());
  }

  private String lockName() {
    return "nightcast.publish." + serving.schema() + "." + serving.table();
  }

  /** A publisher killed mid-load leaves a 'loading' version behind; holding the lock, we clean it up. */
  private void dropAbandonedLoads(Connection control) throws SQLException {
    for (int version : log.versions(control, PublishLog.Status.LOADING)) {
      LOG.warn("dropping version {} of {}.{} left behind by an interrupted publish", version, serving.schema(), serving.table());
      servingTable.drop(control, version);
      log.finish(control, version, PublishLog.Outcome.failed("abandoned: the publishing process stopped mid-load"));
    }
  }

  /**
   * COPY {@code copy_streams} partitions in parallel, straight from Spark's internal rows; a row the
   * version table's checks reject stops the publish as bad data. Both ways
   * of getting there keep a partition's rows the same when a task is retried, which the load ledger
   * relies on: coalescing (no shuffle) when there are enough input partitions, else a hash
   * repartition by key (one shuffle).
   */
  private void load(Dataset<Row> predictions, int version, List<StructField> fields, LocalDate ds) {
    List<String> columns = fields.stream().map(StructField::name).toList();
    List<CopyLoader.ColumnType> types = fields.stream().map(field -> CopyLoader.ColumnType.of(field.dataType())).toList();
    // locals only: the closure shipped to the executors must not capture this publisher
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
        throw servingTable.rejected(
            ds,
            entityKey.equals(part.rejectedColumn())
                ? servingTable.keyRejection()
                : "a score is null, NaN or out of range (probabilities must be in [0,1], predictions finite)",
            version, part.rejection());
      }
    }
  }

  /**
   * The rows loaded are the sum of the load ledger, which each COPY stream commits together with
   * its rows: no count scan. Any difference from Spark's count aborts the publish.
   */
  private void verifyCount(Connection control, int version, long expected, LocalDate ds) throws SQLException {
    long rows = log.loadedRows(control, version);
    if (rows != expected) {
      throw NightcastException.badData(
          "Cannot publish predictions for " + ds + ": verification failed (rows loaded " + rows + ", expected " + expected
              + "). The serving table is unchanged");
    }
  }

  /**
   * Keeps the newest {@code keep_versions} published versions (the rollback chain); older ones and
   * versions that were rolled back are dropped.
   */
  private void retireOldVersions(Connection control) throws SQLException {
    for (int version : log.retirable(control, serving.keepVersions())) {
      servingTable.drop(control, version);
      log.setStatus(control, version, PublishLog.Status.RETIRED);
    }
  }

  private static double seconds(long began) {
    return (System.nanoTime() - began) / 1e9;
  }
}
