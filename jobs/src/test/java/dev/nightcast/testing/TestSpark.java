package dev.nightcast.testing;

import dev.nightcast.config.EnvConfig;
import dev.nightcast.warehouse.Sessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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
                  "spark.ui.enabled", "false",
                  "spark.driver.host", "127.0.0.1",
                  "spark.driver.bindAddress", "127.0.0.1",
                  // the tests' trainings checkpoint as runs on a local warehouse do (there: under it)
                  "spark.checkpoint.dir", checkpoints()));
      session = Sessions.create(new EnvConfig("unused", "unused", settings, new EnvConfig.PostgresSettings(new EnvConfig.Embedded("unused", 0), null, null, null)), null, "nightcast-tests");
      SparkSession started = session;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> Sessions.stop(started)));
    }
    return session;
  }

  private static String checkpoints() {
    try {
      return Files.createTempDirectory("nightcast-test-checkpoints").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
