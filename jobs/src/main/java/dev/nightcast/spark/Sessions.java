package dev.nightcast.spark;

import dev.nightcast.config.EnvConfig;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Builds the one SparkSession a nightcast process uses, with Delta and UTC wired in. */
public final class Sessions {
  private Sessions() {}

  public static SparkSession create(EnvConfig env, String appName) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(appName)
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            // hour-of-day and date features must not depend on the machine's zone
            .config("spark.sql.session.timeZone", "UTC")
            // small nightly tables: Delta's default of 50 snapshot partitions is pure overhead
            .config("spark.databricks.delta.snapshotPartitions", "2")
            // a night plans ~600 distinct generated classes (Delta's log and stats queries included);
            // with Spark's default cache of 100 every backfill night compiled ~530 of them again (~5 s)
            .config("spark.sql.codegen.cache.maxEntries", "2000")
            .config("spark.ui.showConsoleProgress", "false");
    // spark-submit passes --master as a system property; the profile's master is for plain `java` runs
    if (System.getProperty("spark.master") == null && env.spark().master() != null) {
      builder.master(env.spark().master());
    }
    for (Map.Entry<String, String> setting : env.spark().conf().entrySet()) {
      builder.config(setting.getKey(), setting.getValue());
    }
    return builder.getOrCreate();
  }
}
