package dev.nightcast.warehouse;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.nightcast.NightcastException;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The Delta tables under one warehouse root (a local directory or an s3a:// prefix). Every write is
 * keyed by the logical date {@code ds}: replacing a date's rows is one atomic Delta commit, so a
 * re-run replaces and never duplicates, and readers see the old or the new rows, never a mix.
 */
public final class Warehouse {
  private static final Logger LOG = LoggerFactory.getLogger(Warehouse.class);

  private final SparkSession spark;
  private final String root;
  private final Map<String, Collected> collected = new ConcurrentHashMap<>();

  /** Rows collected from one version of a table: the whole table (key empty) or one date's. */
  private record Collected(long version, Map<Optional<LocalDate>, List<Row>> reads) {}

  public Warehouse(SparkSession spark, String root) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root;
  }

  public String path(String table) {
    return root + "/" + table;
  }

  /** The root of a pipeline's namespace: everything it writes lives there, nothing is shared. */
  public static String namespace(String platformRoot, String pipeline) {
    return (platformRoot.endsWith("/") ? platformRoot : platformRoot + "/") + pipeline;
  }

  /** The Delta tables under this root, by name (sorted). Cost: one listing, one status call per folder. */
  public List<String> tables() {
    Path dir = new Path(root);
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(dir)) {
        return List.of();
      }
      List<String> tables = new ArrayList<>();
      for (FileStatus status : fs.listStatus(dir)) {
        if (status.isDirectory() && fs.exists(new Path(status.getPath(), "_delta_log"))) {
          tables.add(status.getPath().getName());
        }
      }
      return tables.stream().sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the tables under " + root, e);
    }
  }

  public boolean exists(String table) {
    return DeltaTable.isDeltaTable(spark, path(table));
  }

  /** Reads a table; a missing table is an operator error (a stage ran before the one that writes it). */
  public Dataset<Row> read(String table) {
    if (!exists(table)) {
      throw NightcastException.badData(
          "Cannot read Delta table '" + table + "': it does not exist at " + path(table)
              + " (run the stage that writes it first, e.g. `nightcast run --date <D>`)");
    }
    return spark.read().format("delta").load(path(table));
  }

  public Dataset<Row> readDate(String table, LocalDate ds) {
    return onDate(read(table), ds);
  }

  private static Dataset<Row> onDate(Dataset<Row> rows, LocalDate ds) {
    return rows.where(col("ds").equalTo(lit(java.sql.Date.valueOf(ds))));
  }

  /**
   * Every row of a small table (empty when it does not exist), collected once per table version:
   * for tables read several times a night that rarely change, like the model registry's (a night
   * asks who the champion is four times). A version check is a listing of the Delta log (milliseconds);
   * a read is a Spark query with its file-pruning job (a tenth of a second or more).
   */
  public List<Row> rows(String table) {
    return collect(table, Optional.empty());
  }

  /**
   * The rows of {@code ds} of a table that rarely changes (empty when it does not exist),
   * collected once per table version, like {@link #rows}: e.g. the reference profile of the
   * serving model's training date, which every night's monitor reads.
   */
  public List<Row> rowsOn(String table, LocalDate ds) {
    return collect(table, Optional.of(ds));
  }

  private List<Row> collect(String table, Optional<LocalDate> ds) {
    long version = version(table);
    if (version < 0) {
      return List.of();
    }
    // a newer version drops every read of the older one
    Collected current = collected.compute(table, (t, c) -> c != null && c.version() == version ? c : new Collected(version, new ConcurrentHashMap<>()));
    return current.reads().computeIfAbsent(ds, date -> {
      Dataset<Row> rows = spark.read().format("delta").option("versionAsOf", version).load(path(table));
      return List.copyOf((date.isPresent() ? onDate(rows, date.get()) : rows).collectAsList());
    });
  }

  /**
   * The table's latest Delta version, recorded as data lineage; -1 when it does not exist yet.
   * Read from the Delta log itself (a listing of new commit files): the public
   * {@code DeltaTable.history(1)} plans and runs a Spark job for it, and every replace asks twice.
   */
  public long version(String table) {
    return latest(table).map(Snapshot::version).orElse(-1L);
  }

  private Optional<Snapshot> latest(String table) {
    return exists(table) ? Optional.of(log(table).update(false, Option.empty(), Option.empty())) : Optional.empty();
  }

  private DeltaLog log(String table) {
    return DeltaLog.forTable(spark, path(table));
  }

  /** The commit record of one version: who wrote it and the metrics its write tasks counted. */
  private CommitInfo commit(String table, long version) {
    var changes = log(table).getChanges(version, Option.empty(), true);
    if (changes.hasNext()) {
      for (Action action : CollectionConverters.asJava(changes.next()._2())) {
        if (action instanceof CommitInfo info) {
          return info;
        }
      }
    }
    throw new IllegalStateException("Delta table " + table + " has no commit record for version " + version);
  }

  /**
   * Atomically replaces the rows of {@code ds} with {@code rows} (which must all carry that ds).
   * Cost: one write job plus the Delta commit; no read of other dates.
   *
   * @return the rows now stored for {@code ds}, see {@link #replace}
   */
  public long replaceDate(TableContract table, LocalDate ds, Dataset<Row> rows) {
    return replace(table, "ds = DATE'" + ds + "'", rows);
  }

  /**
   * Atomically replaces the rows matching {@code predicate} (a SQL condition that must hold for every
   * new row) with {@code rows}: for tables where several writers share a date, each owning a slice.
   *
   * @return the rows the commit wrote, which are all the rows now matching {@code predicate}: taken
   *     from the commit's own metrics (counted by the write tasks), so no read-back scan is needed
   */
  public long replace(TableContract contract, String predicate, Dataset<Row> rows) {
    String table = contract.name();
    requireContract(contract, rows);
    long before = partitionByDate(table);
    // mergeSchema: columns a newer nightcast adds join an existing table (older rows read null)
    rows.write().format("delta").mode("overwrite").option("replaceWhere", predicate).option("mergeSchema", "true")
        .partitionBy("ds").save(path(table));
    // the run lock keeps other writers out, so a newer version is this write's commit
    long after = version(table);
    if (after == before) {
      return 0; // Delta skips a commit that changes nothing: the predicate matched no rows and none were written
    }
    CommitInfo commit = commit(table, after);
    Map<String, String> metrics = commit.operationMetrics().isEmpty() ? Map.of() : CollectionConverters.asJava(commit.operationMetrics().get());
    // a write of no rows adds no file and reports no row count
    String written = "0".equals(metrics.get("numFiles")) ? "0" : metrics.get("numOutputRows");
    if (after != before + 1 || !"WRITE".equals(commit.operation()) || written == null) {
      throw new IllegalStateException("Delta table " + table + " was at version " + before + ", then its latest commit is version " + after
          + " (" + commit.operation() + " " + metrics + "), not this write with its row count: is another process writing to the warehouse?");
    }
    return Long.parseLong(written);
  }

  /**
   * Every replaced table is partitioned by ds, small ones too: a date's replace then drops whole
   * files found from the Delta log's partition values, where on an unpartitioned table Delta has to
   * parse every file's column statistics to find the date's files and scan them for the delete.
   * A table written unpartitioned (by nightcast before 2026-11-27) is rewritten partitioned once,
   * in one commit: readers see the old or the new layout, and its history stays.
   *
   * @return the table's version from then on (-1 when it does not exist yet), from the same log read
   */
  private long partitionByDate(String table) {
    Optional<Snapshot> latest = latest(table);
    if (latest.isEmpty() || latest.get().metadata().partitionColumns().contains("ds")) {
      return latest.map(Snapshot::version).orElse(-1L);
    }
    LOG.info("Delta table {}: rewriting it partitioned by ds (once; its rows and history stay)", table);
    read(table).write().format("delta").mode("overwrite").option("overwriteSchema", "true").partitionBy("ds").save(path(table));
    return version(table);
  }

  /**
   * Appends rows; only for operational tables such as {@code runs}, whose rows are per attempt.
   * New nullable columns merge into the table's schema, so a warehouse written by an older release
   * keeps its history (older rows read null there).
   */
  public void append(TableContract table, Dataset<Row> rows) {
    requireContract(table, rows);
    rows.write().format("delta").mode("append").option("mergeSchema", "true").save(path(table.name()));
  }

  /** Rows built on the driver as a Dataset of the table's schema. */
  public Dataset<Row> frame(TableContract table, List<Row> rows) {
    return spark.createDataFrame(rows, table.schema());
  }

  /**
   * A write whose columns differ from the table's contract is a bug in its owner (analysts and the
   * other stages read those columns by name), so it fails before anything is written.
   */
  private static void requireContract(TableContract contract, Dataset<Row> rows) {
    if (contract.schema() == null) {
      return;
    }
    List<String> expected = java.util.Arrays.stream(contract.schema().fields()).map(f -> f.name() + " " + f.dataType().sql()).toList();
    List<String> actual = java.util.Arrays.stream(rows.schema().fields()).map(f -> f.name() + " " + f.dataType().sql()).toList();
    if (!expected.equals(actual)) {
      throw new IllegalStateException(
          "Cannot write Delta table " + contract.name() + ": the rows do not match its contract (" + contract.owner() + "): expected "
              + expected + ", got " + actual);
    }
  }
}
