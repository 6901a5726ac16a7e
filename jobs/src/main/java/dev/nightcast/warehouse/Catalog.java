package dev.nightcast.warehouse;

import dev.nightcast.NightcastException;
import dev.nightcast.config.EnvConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import scala.Option;

/**
 * Registers a pipeline's Delta tables by name, as {@code <pipeline>.<table>} (one database per
 * pipeline, located at its namespace), so analysts reach them from spark-sql, pyspark or a notebook
 * that points at the same metastore. The tables stay external: the catalog holds names and
 * locations, the Delta log holds the schema, so a new column needs no re-registration.
 */
public final class Catalog {
  private static final Pattern DERBY_DATABASE = Pattern.compile("^jdbc:derby:;databaseName=([^;]+)");

  private Catalog() {}

  /** The session settings of the profile's metastore; {@code none} keeps Spark's in-memory catalog. */
  static void configure(SparkSession.Builder builder, EnvConfig.CatalogSettings catalog, String warehouse) {
    if (!catalog.enabled()) {
      return;
    }
    builder.config("spark.sql.catalogImplementation", "hive");
    // where a CREATE TABLE without LOCATION would go: nightcast never creates one, so the platform root
    builder.config("spark.sql.warehouse.dir", warehouse);
    if (catalog.metastore().equals("derby")) {
      builder.config("spark.hadoop.javax.jdo.option.ConnectionURL", derbyUrl(catalog.derbyDir()));
      // Derby writes its log to the working directory unless told otherwise, and to the console when it cannot
      try {
        Files.createDirectories(java.nio.file.Path.of(catalog.derbyDir()));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create the metastore directory " + catalog.derbyDir(), e);
      }
      System.setProperty("derby.stream.error.file", catalog.derbyDir() + "/derby.log");
    } else {
      builder.config("spark.hadoop.hive.metastore.uris", catalog.uris());
    }
  }

  /** The JDBC URL of the local metastore: the same one the README gives analysts. */
  public static String derbyUrl(String derbyDir) {
    return "jdbc:derby:;databaseName=" + derbyDir + "/metastore_db;create=true";
  }

  /**
   * Creates the pipeline's database and registers every Delta table of its namespace that the
   * catalog does not know yet (one listing of the database, then a statement per new table); a table
   * registered at another location (a warehouse moved or restored elsewhere) is registered again at
   * this one. Dropping an external table removes only its name.
   */
  public static List<String> register(Warehouse warehouse, String database) {
    return register(warehouse, database, warehouse.tables());
  }

  private static List<String> register(Warehouse warehouse, String database, List<String> tables) {
    SparkSession spark = warehouse.spark();
    ensureMetastoreFree(spark, database);
    try {
      spark.sql("CREATE DATABASE IF NOT EXISTS " + quote(database) + " LOCATION '" + escape(warehouse.root()) + "'");
      Set<String> registered = new HashSet<>();
      for (Row table : spark.sql("SHOW TABLES IN " + quote(database)).collectAsList()) {
        if (!table.<Boolean>getAs("isTemporary")) {
          registered.add(table.<String>getAs("tableName"));
        }
      }
      List<String> created = tables.stream().filter(table -> !registered.contains(table)
          || !sameLocation(spark, database, table, warehouse.path(table))).toList();
      for (String table : created) {
        if (registered.contains(table)) {
          metastore(spark).dropTable(identifier(database, table), true, false);
        }
        spark.sql("CREATE TABLE " + quote(database) + "." + quote(table) + " USING delta LOCATION '" + escape(warehouse.path(table)) + "'");
      }
      return created;
    } catch (RuntimeException e) {
      throw unavailable(database, e);
    }
  }

  /**
   * Registers every pipeline namespace under {@code platformRoot} (a folder whose name is a SQL
   * identifier and that holds Delta tables): what `nightcast sql` reads from.
   *
   * @return the databases registered
   */
  public static List<String> registerAll(SparkSession spark, String platformRoot) {
    Path root = new Path(platformRoot);
    List<String> databases = new ArrayList<>();
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        return databases;
      }
      for (FileStatus status : fs.listStatus(root)) {
        String name = status.getPath().getName();
        if (!status.isDirectory() || !name.matches("[a-z_][a-z0-9_]{0,62}")) {
          continue;
        }
        Warehouse namespace = new Warehouse(spark, status.getPath().toString());
        // one listing per namespace: the tables found are the ones registered
        List<String> tables = namespace.tables();
        if (!tables.isEmpty()) {
          register(namespace, name, tables);
          databases.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the pipeline namespaces under " + platformRoot, e);
    }
    return databases.stream().sorted().toList();
  }

  /**
   * Read from the metastore alone: SQL (DESCRIBE, DROP TABLE) would open the Delta table at its
   * registered location, which fails once a moved warehouse's old place is gone.
   */
  private static boolean sameLocation(SparkSession spark, String database, String table, String path) {
    try {
      java.net.URI location = metastore(spark).getTableRawMetadata(identifier(database, table)).location();
      return new Path(location).toUri().getPath().equals(new Path(path).toUri().getPath());
    } catch (AnalysisException gone) {
      return false; // dropped since the listing: registered anew
    }
  }

  private static SessionCatalog metastore(SparkSession spark) {
    return ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().catalog();
  }

  private static TableIdentifier identifier(String database, String table) {
    return new TableIdentifier(table, Option.apply(database));
  }

  /**
   * Embedded Derby boots a database for one process and marks it with an exclusive lock on
   * {@code dbex.lck}. When another process holds it, say so before Hive's client tries: it retries
   * ten times, 2 s apart, and logs each failure with its stack on the console. A lock held by this
   * process (Hive's client already booted it here) is not busy.
   */
  private static void ensureMetastoreFree(SparkSession spark, String database) {
    String url = spark.sparkContext().hadoopConfiguration().get("javax.jdo.option.ConnectionURL", "");
    Matcher derby = DERBY_DATABASE.matcher(url);
    java.nio.file.Path lock = derby.find() ? java.nio.file.Path.of(derby.group(1), "dbex.lck") : null;
    if (lock == null || !Files.exists(lock)) {
      return;
    }
    try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
      FileLock probe = channel.tryLock();
      if (probe == null) {
        throw busy(database);
      }
      probe.release();
    } catch (OverlappingFileLockException ours) {
      // booted by this process
    } catch (IOException e) {
      // anything else: Hive's client reports it when it connects
    }
  }

  private static NightcastException unavailable(String database, RuntimeException e) {
    String message = String.valueOf(e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      // embedded Derby serves one process: another nightcast (or an analyst's session) holds it
      if (String.valueOf(t.getMessage()).contains("Another instance of Derby may have already booted the database")) {
        return busy(database);
      }
    }
    return NightcastException.internal(
        "Cannot register the tables of '" + database + "' in the catalog: " + message.lines().findFirst().orElse(message)
            + ". The tables are written; check the profile's catalog settings, then re-run this command", e);
  }

  private static NightcastException busy(String database) {
    return NightcastException.busy(
        "Cannot register the tables of '" + database + "' in the catalog: another process (a nightcast run, or an analyst's"
            + " Spark session on the local metastore) is using the embedded metastore. The tables are written; close that"
            + " session or wait for the run, then re-run this command");
  }

  private static String quote(String identifier) {
    return "`" + identifier + "`";
  }

  private static String escape(String path) {
    return path.replace("\\", "\\\\").replace("'", "\\'");
  }
}
