package dev.nightcast.testing;

import dev.nightcast.config.EnvConfig;
import dev.nightcast.spark.Sessions;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** One real local SparkSession per test JVM (local[2], UI off, few shuffle partitions). */
public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      EnvConfig.SparkSettings settings =
          new EnvConfig.SparkSettings(
              "local[2]",
              Map.of(
                  "spark.sql.shuffle.partitions", "4",
                  "spark.default.parallelism", "4",
                  "spark.ui.enabled", "false",
                  "spark.driver.host", "127.0.0.1",
                  "spark.driver.bindAddress", "127.0.0.1"));
      session = Sessions.create(new EnvConfig("unused", "unused", settings, new EnvConfig.PostgresSettings(new EnvConfig.Embedded("unused", 0), null, null, null)), "nightcast-tests");
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
    }
    return session;
  }
}
