package dev.nightcast.warehouse;

import dev.nightcast.config.EnvConfig;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the one SparkSession a nightcast process uses, with Delta and UTC wired in. */
public final class Sessions {
  private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
  private static final String CHECKPOINT_DIR = "spark.checkpoint.dir";
  /** The warehouse's directory of Spark checkpoints (each application's in a subdirectory it removes). */
  public static final String CHECKPOINTS = "_checkpoints";

  private Sessions() {}

  /**
   * @param namespace the pipeline's namespace (its Spark checkpoints go there), or null for a
   *     session that writes no warehouse
   */
  public static SparkSession create(EnvConfig env, String namespace, String appName) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(appName)
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            // hour-of-day and date features must not depend on the machine's zone
            .config("spark.sql.session.timeZone", "UTC")
            // small nightly tables: Delta's default of 50 snapshot partitions is pure overhead
            .config("spark.databricks.delta.snapshotPartitions", "2")
            // a night plans several hundred distinct generated classes (Delta's log and stats queries
            // included): with Spark's default cache of 100, every backfill night compiled most of them again
            .config("spark.sql.codegen.cache.maxEntries", "2000")
            .config("spark.ui.showConsoleProgress", "false");
    // spark-submit passes --master as a system property; the profile's master is for plain `java` runs
    if (System.getProperty("spark.master") == null && env.spark().master() != null) {
      builder.master(env.spark().master());
    }
    // MLlib's GBT checkpoints its running predictions every 10 trees only when a checkpoint
    // directory is set; without one each task deserializes the lineage of every tree so far (their
    // category sets included), which made a third of a training's executor time. By default under
    // a local warehouse only: Spark checks the directory it creates with a status call, which an
    // s3a:// store may answer "not found" (S3WarehouseTest), failing the start. The profile or
    // spark-submit sets one anywhere else (HDFS, or a local path with a local master).
    if (System.getProperty(CHECKPOINT_DIR) == null && namespace != null && isLocal(namespace)) {
      builder.config(CHECKPOINT_DIR, namespace + "/" + CHECKPOINTS);
    }
    Catalog.configure(builder, env.catalog(), env.warehouse());
    for (Map.Entry<String, String> setting : env.spark().conf().entrySet()) {
      builder.config(setting.getKey(), setting.getValue());
    }
    return builder.getOrCreate();
  }

  private static boolean isLocal(String path) {
    String scheme = new Path(path).toUri().getScheme();
    return scheme == null || scheme.equals("file");
  }

  /**
   * Stops the session after removing this application's checkpoint subdirectory (Spark leaves it
   * behind, empty once MLlib has deleted its checkpoints). No later application reads it, so one left
   * by a killed run, or by a failed removal (a warning, not a failed night), can be deleted any time.
   */
  public static void stop(SparkSession spark) {
    try {
      scala.Option<String> dir = spark.sparkContext().getCheckpointDir();
      if (dir.isDefined()) {
        Path path = new Path(dir.get());
        path.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(path, true);
      }
    } catch (IOException e) {
      LOG.warn("Could not remove this run's Spark checkpoint directory: {}", e.toString());
    } finally {
      spark.stop();
    }
  }
}
