package dev.nightcast.testing;

import dev.nightcast.config.EnvConfig;
import dev.nightcast.serving.ServingDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** One real embedded PostgreSQL server per test JVM, on a free port, in a temp directory. */
public final class TestPostgres {
  private static ServingDatabase database;
  private static EnvConfig.PostgresSettings settings;

  private TestPostgres() {}

  public static synchronized EnvConfig.PostgresSettings settings() {
    if (settings == null) {
      try {
        Path dir = Files.createTempDirectory("nightcast-pg");
        settings = new EnvConfig.PostgresSettings(new EnvConfig.Embedded(dir.resolve("data").toString(), 0), null, null, null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return settings;
  }

  /** The shared server; tests must not close it. */
  public static synchronized ServingDatabase database() {
    if (database == null) {
      database = ServingDatabase.open(settings(), Map.of());
      Runtime.getRuntime().addShutdownHook(new Thread(database::close));
    }
    return database;
  }
}
