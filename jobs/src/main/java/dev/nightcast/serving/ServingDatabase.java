package dev.nightcast.serving;

import dev.nightcast.NightcastException;
import dev.nightcast.config.EnvConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.flywaydb.core.Flyway;

/**
 * The Postgres that applications read: either an embedded server (real PostgreSQL binaries, data
 * kept in a directory; the local demo and the tests) or any server reached by JDBC URL with
 * credentials from the environment.
 *
 * <p>An embedded server runs once per data directory and JVM: opening the same directory again
 * shares the running server (a second one could not lock the directory), and the last close stops it.
 */
public final class ServingDatabase implements AutoCloseable {
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(90);
  private static final Map<Path, SharedServer> RUNNING = new HashMap<>();

  private final SharedServer embedded;
  private final Credentials credentials;
  private boolean closed;

  /** A running embedded server and how many open ServingDatabase handles share it. */
  private static final class SharedServer {
    final Path dataDir;
    final EmbeddedPostgres server;
    int handles;

    SharedServer(Path dataDir, EmbeddedPostgres server) {
      this.dataDir = dataDir;
      this.server = server;
    }
  }

  /** How executors reach the database; the password never appears in toString(). */
  public record Credentials(String url, String user, String password) implements Serializable {
    public Connection connect() throws SQLException {
      Properties properties = new Properties();
      properties.setProperty("user", user);
      if (password != null) {
        properties.setProperty("password", password);
      }
      properties.setProperty("ApplicationName", "nightcast");
      return DriverManager.getConnection(url, properties);
    }

    @Override
    public String toString() {
      return "Credentials[url=" + url + ", user=" + user + ", password=***]";
    }
  }

  private ServingDatabase(SharedServer embedded, Credentials credentials) {
    this.embedded = embedded;
    this.credentials = credentials;
  }

  public static ServingDatabase open(EnvConfig.PostgresSettings settings, Map<String, String> environment) {
    if (settings.embedded() == null) {
      String user = environment.get(settings.userEnv());
      String password = environment.get(settings.passwordEnv());
      if (user == null || password == null) {
        throw NightcastException.badConfig(
            "Cannot connect to the serving database: environment variables " + settings.userEnv() + " and "
                + settings.passwordEnv() + " must hold its credentials (one or both are unset)");
      }
      return new ServingDatabase(null, new Credentials(settings.url(), user, password));
    }
    Path dataDir = Path.of(settings.embedded().dataDir()).toAbsolutePath().normalize();
    try {
      synchronized (RUNNING) {
        SharedServer running = RUNNING.get(dataDir);
        if (running == null) {
          Files.createDirectories(dataDir.getParent());
          EmbeddedPostgres postgres =
              EmbeddedPostgres.builder()
                  .setDataDirectory(dataDir)
                  .setCleanDataDirectory(false)
                  .setPort(settings.embedded().port())
                  // zonky's default of 10 s is too short on a busy 2-core machine (seen failing there)
                  .setPGStartupWait(STARTUP_WAIT)
                  .start();
          running = new SharedServer(dataDir, postgres);
          RUNNING.put(dataDir, running);
        }
        running.handles++;
        return new ServingDatabase(
            running, new Credentials("jdbc:postgresql://localhost:" + running.server.getPort() + "/postgres", "postgres", null));
      }
    } catch (IllegalStateException e) {
      // zonky holds a file lock on the data directory while its server runs: another nightcast process owns it
      if (String.valueOf(e.getMessage()).startsWith("could not lock")) {
        throw NightcastException.busy(
            "Cannot start the embedded PostgreSQL on " + dataDir + ": another nightcast process is using it (a run in progress,"
                + " or `nightcast db start`). Nothing was written; wait for it to finish, or use another NIGHTCAST_VAR_DIR");
      }
      throw embeddedFailure(dataDir, settings, e);
    } catch (IOException | RuntimeException e) {
      throw embeddedFailure(dataDir, settings, e);
    }
  }

  private static NightcastException embeddedFailure(Path dataDir, EnvConfig.PostgresSettings settings, Exception e) {
    return NightcastException.internal(
        "Cannot start the embedded PostgreSQL on " + dataDir + " (port " + settings.embedded().port() + "): " + e.getMessage()
            + " (waited up to " + STARTUP_WAIT.toSeconds() + " s). Is another nightcast process using it? Stop it, or use another"
            + " NIGHTCAST_VAR_DIR",
        e);
  }

  public Credentials credentials() {
    return credentials;
  }

  public Connection connect() throws SQLException {
    return credentials.connect();
  }

  /** Applies the migrations in sql/migrations (shipped in the jar) to the serving schema. */
  public void migrate(String servingSchema) {
    Flyway.configure(ServingDatabase.class.getClassLoader())
        .dataSource(credentials.url(), credentials.user(), credentials.password())
        .schemas(servingSchema)
        .placeholders(Map.of("serving_schema", servingSchema))
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  @Override
  public void close() {
    if (embedded == null) {
      return;
    }
    synchronized (RUNNING) {
      if (closed) {
        return;
      }
      closed = true;
      if (--embedded.handles > 0) {
        return;
      }
      RUNNING.remove(embedded.dataDir);
      try {
        embedded.server.close();
      } catch (IOException e) {
        throw new IllegalStateException("Cannot stop the embedded PostgreSQL: " + e.getMessage(), e);
      }
    }
  }
}
