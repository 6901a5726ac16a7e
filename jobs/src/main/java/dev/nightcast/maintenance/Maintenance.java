package dev.nightcast.maintenance;

import static org.apache.spark.sql.functions.col;

import dev.nightcast.NightcastException;
import dev.nightcast.config.MaintenanceConfig;
import dev.nightcast.registry.ModelEventsTable;
import dev.nightcast.registry.ModelsTable;
import dev.nightcast.registry.Registry;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RuntimeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintenance of every Delta table in a pipeline's namespace: OPTIMIZE compacts each partition's
 * small files into one, then VACUUM deletes the files no version within the retention uses. Both
 * retentions are table properties ({@code delta.deletedFileRetentionDuration}, {@code delta.logRetentionDuration}). The caller holds the pipeline's run lock:
 * no night writes meanwhile.
 *
 * <p>Lineage is pinned, not refused: where a table's configured retention would drop a version a
 * kept model ({@link Lineage}) was trained from, that table's VACUUM and log retention are raised just
 * enough to keep it, and the outcome says by which model. The retention is a wall-clock window by
 * nature (Delta compares file times with now); what must survive is decided by the registry alone,
 * so a table's contents and every kept model's inputs come out the same whenever it runs.
 *
 * <p>Cost per table: OPTIMIZE reads and rewrites the partitions holding more than one file; VACUUM
 * lists the table's directory; two more listings measure the files before and after.
 */
public final class Maintenance {
  private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
  private static final String FILE_RETENTION = "delta.deletedFileRetentionDuration";
  private static final String LOG_RETENTION = "delta.logRetentionDuration";
  private static final String LISTING_PARALLELISM = "spark.sql.sources.parallelPartitionDiscovery.parallelism";

  private Maintenance() {}

  /** Files of a table on storage (its data files; the Delta log apart). */
  public record Storage(long files, long bytes) {}

  /**
   * What maintenance did to one table.
   *
   * @param liveFilesBefore files of the table's latest version (what a query reads) before, likewise after
   * @param retentionHours the VACUUM retention used: the configured one, or more when {@code pinnedBy} needs it
   * @param pinnedBy the kept model's need that raised the retention above the configured one
   * @param lost a kept model's need whose commit had already left the log before this run (nothing can restore it)
   */
  public record Outcome(
      String table, Storage before, Storage after, long liveFilesBefore, long liveFilesAfter, int configuredHours, int retentionHours,
      int logRetentionDays, Optional<Lineage.Need> pinnedBy, Optional<Lineage.Need> lost) {}

  /**
   * Maintains every table under the warehouse's namespace.
   *
   * @param pipelineTables every table the pipeline writes ({@link Tables#all}): the overrides must name them
   * @param published the models of the published serving versions still on the server
   */
  public static List<Outcome> run(Warehouse warehouse, MaintenanceConfig config, List<String> pipelineTables, Collection<Integer> published) {
    for (String table : config.tables().keySet()) {
      if (!pipelineTables.contains(table)) {
        throw NightcastException.badConfig(
            "Cannot maintain " + warehouse.root() + ": 'maintenance.tables." + table + "' names no table of the pipeline (tables: "
                + String.join(", ", pipelineTables) + "); fix the name or remove it");
      }
    }
    List<ModelEventsTable.Event> events = Registry.events(warehouse, LocalDate.MAX);
    Map<Integer, String> kept = Lineage.keptModels(events, config.keepChampions(), published);
    List<ModelsTable.Model> registered = Registry.registered(warehouse);
    Map<String, List<Lineage.Need>> needs = Lineage.needs(kept.keySet(), registered);
    LOG.info("maintain {}: kept models {}", warehouse.root(), kept);
    // VACUUM lists a table's directories in as many tasks as this setting says, 10,000 by default
    // whatever the table's size (minutes of task overhead per table); a few per core balance uneven directories
    RuntimeConfig session = warehouse.spark().conf();
    String listing = session.contains(LISTING_PARALLELISM) ? session.get(LISTING_PARALLELISM) : null;
    session.set(LISTING_PARALLELISM, 4L * warehouse.spark().sparkContext().defaultParallelism());
    try {
      List<Outcome> outcomes = new ArrayList<>();
      for (String table : warehouse.tables()) {
        outcomes.add(maintain(warehouse, table, config, Lineage.oldest(needs, table)));
      }
      return outcomes;
    } finally {
      if (listing == null) {
        session.unset(LISTING_PARALLELISM);
      } else {
        session.set(LISTING_PARALLELISM, listing);
      }
    }
  }

  private static Outcome maintain(Warehouse warehouse, String table, MaintenanceConfig config, Optional<Lineage.Need> oldest) {
    DeltaTable delta = DeltaTable.forPath(warehouse.spark(), warehouse.path(table));
    Storage before = storage(warehouse, table);
    Row detail = delta.detail().head();
    long liveBefore = detail.<Long>getAs("numFiles");
    delta.optimize().executeCompaction();
    int configured = config.retentionHours(table);
    int hours = configured;
    int days = config.logRetentionDays();
    Optional<Lineage.Need> pinnedBy = Optional.empty();
    Optional<Lineage.Need> lost = Optional.empty();
    // the latest version is never vacuumed nor expired: only an older one needs keeping
    if (oldest.isPresent() && oldest.get().version() < warehouse.version(table)) {
      Optional<Instant> committed = committed(delta, oldest.get().version());
      // VACUUM compares with its own clock, seconds from here; the command's start time would keep too little after a long run
      Instant now = Instant.now();
      if (committed.isEmpty()) {
        lost = oldest;
      } else {
        int needed = Lineage.hoursToKeep(committed.get(), now);
        if (needed > hours) {
          hours = needed;
          pinnedBy = oldest;
        }
        days = Math.max(days, Lineage.daysToKeep(committed.get(), now, config.logRetentionDays()));
      }
    }
    keepHistory(warehouse, table, detail.getJavaMap(detail.fieldIndex("properties")), hours, days);
    // VACUUM prints its count of deleted files to stdout; the summary line says it per table
    scala.Console.withOut(OutputStream.nullOutputStream(), () -> delta.vacuum());
    long liveAfter = delta.detail().head().<Long>getAs("numFiles");
    return new Outcome(table, before, storage(warehouse, table), liveBefore, liveAfter, configured, hours, days, pinnedBy, lost);
  }

  /**
   * Records both retentions on the table, in one commit and only when one differs (so a second run
   * commits nothing). Delta 4.3's VACUUM ignores a retention argument other than 0 and reads the
   * table's {@code delta.deletedFileRetentionDuration} (a VACUUM run by hand then uses the same).
   */
  private static void keepHistory(Warehouse warehouse, String table, Map<String, String> properties, int hours, int days) {
    Map<String, String> wanted = Map.of(FILE_RETENTION, "interval " + hours + " hours", LOG_RETENTION, "interval " + days + " days");
    if (!wanted.entrySet().stream().allMatch(e -> e.getValue().equals(properties.get(e.getKey())))) {
      String set = wanted.entrySet().stream().map(e -> "'" + e.getKey() + "' = '" + e.getValue() + "'").sorted().collect(Collectors.joining(", "));
      warehouse.spark().sql("ALTER TABLE delta.`" + warehouse.path(table) + "` SET TBLPROPERTIES (" + set + ")");
    }
  }

  /** When {@code version} was committed; empty when its commit has left the log. */
  private static Optional<Instant> committed(DeltaTable delta, long version) {
    List<Row> commits = delta.history().where(col("version").equalTo(version)).select("timestamp").collectAsList();
    return commits.stream().findFirst().map(row -> row.<Timestamp>getAs("timestamp").toInstant());
  }

  /** The table's data files on storage, referenced or not. Cost: one recursive listing. */
  static Storage storage(Warehouse warehouse, String table) {
    Path dir = new Path(warehouse.path(table));
    long files = 0;
    long bytes = 0;
    try {
      FileSystem fs = dir.getFileSystem(warehouse.spark().sparkContext().hadoopConfiguration());
      RemoteIterator<LocatedFileStatus> listing = fs.listFiles(dir, true);
      while (listing.hasNext()) {
        LocatedFileStatus file = listing.next();
        String name = file.getPath().getName();
        // the log apart, and the local file system's hidden .crc checksums
        if (!file.getPath().toUri().getPath().contains("/_delta_log/") && !name.startsWith(".")) {
          files++;
          bytes += file.getLen();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the files of Delta table " + table + " under " + dir, e);
    }
    return new Storage(files, bytes);
  }
}
