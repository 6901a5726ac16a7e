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
import java.util.Map;
import java.util.Properties;
import org.flywaydb.core.Flyway;

/**
 * The Postgres that applications read: either an embedded server (real PostgreSQL binaries, data
 * kept in a directory; the local demo and the tests) or any server reached by JDBC URL with
 * credentials from the environment.
 */
public final class ServingDatabase implements AutoCloseable {
  private final EmbeddedPostgres embedded;
  private final Credentials credentials;

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

  private ServingDatabase(EmbeddedPostgres embedded, Credentials credentials) {
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
    Path dataDir = Path.of(settings.embedded().dataDir());
    try {
      Files.createDirectories(dataDir.getParent());
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setPort(settings.embedded().port())
              .start();
      return new ServingDatabase(
          postgres, new Credentials("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", "postgres", null));
    } catch (IOException | RuntimeException e) {
      throw NightcastException.internal(
          "Cannot start the embedded PostgreSQL on " + dataDir + " (port " + settings.embedded().port() + "): " + e.getMessage()
              + ". Is another nightcast process using it? Stop it, or use another NIGHTCAST_VAR_DIR",
          e);
    }
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
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        throw new IllegalStateException("Cannot stop the embedded PostgreSQL: " + e.getMessage(), e);
      }
    }
  }
}
