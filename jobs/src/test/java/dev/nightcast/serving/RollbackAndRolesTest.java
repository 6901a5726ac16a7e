package dev.nightcast.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.config.ServingConfig;
import dev.nightcast.serving.ServingFixtures.Snapshot;
import dev.nightcast.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Properties;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Rollback and the reader role, on a real Postgres. */
@Tag("spark")
class RollbackAndRolesTest {
  private static final LocalDate NIGHT_1 = LocalDate.of(2001, 4, 1);
  private static final LocalDate NIGHT_2 = LocalDate.of(2001, 4, 2);
  private static final LocalDate NIGHT_3 = LocalDate.of(2001, 4, 3);

  @Test
  void rollbackRestoresThePreviousSetAndIsLogged() throws Exception {
    ServingConfig serving = ServingFixtures.serving("rollback", 2, 2);
    Publisher publisher = ServingFixtures.publisher(serving);
    try (Connection connection = TestPostgres.database().connect()) {
      publisher.publish(ServingFixtures.predictions(1_000, NIGHT_1, 1), NIGHT_1, 1);
      String firstRows = rows(connection, "rollback");
      publisher.publish(ServingFixtures.predictions(1_200, NIGHT_2, 2), NIGHT_2, 2);
      assertThat(ServingFixtures.read(connection, "rollback")).isEqualTo(Snapshot.of(1_200, NIGHT_2, 2));

      Publisher.Rollback rollback = publisher.rollback();

      assertThat(rollback).isEqualTo(new Publisher.Rollback(2, 1, NIGHT_1));
      assertThat(ServingFixtures.read(connection, "rollback")).isEqualTo(Snapshot.of(1_000, NIGHT_1, 1));
      assertThat(rows(connection, "rollback")).isEqualTo(firstRows);
      assertThat(ServingFixtures.status(connection, "rollback", 2)).isEqualTo("rolled_back");
      assertThat(query(connection, "SELECT rolled_back_at IS NOT NULL FROM rollback.publish_log WHERE version = 2")).isEqualTo("t");

      // version 2 is never a rollback target again; nothing older than version 1 is kept
      assertThatThrownBy(publisher::rollback)
          .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_DATA))
          .hasMessageContaining("Cannot roll back rollback.flight_delay_predictions: no earlier published version is kept");
      assertThat(ServingFixtures.read(connection, "rollback")).isEqualTo(Snapshot.of(1_000, NIGHT_1, 1));

      // the next publish proceeds, drops the rolled-back version, and can itself be rolled back to version 1
      publisher.publish(ServingFixtures.predictions(1_300, NIGHT_3, 3), NIGHT_3, 3);
      assertThat(ServingFixtures.read(connection, "rollback")).isEqualTo(Snapshot.of(1_300, NIGHT_3, 3));
      assertThat(ServingFixtures.tableExists(connection, "rollback", 2)).isFalse();
      assertThat(ServingFixtures.status(connection, "rollback", 2)).isEqualTo("retired");
      assertThat(publisher.rollback()).isEqualTo(new Publisher.Rollback(3, 1, NIGHT_1));
      assertThat(rows(connection, "rollback")).isEqualTo(firstRows);
    }
  }

  @Test
  void theReaderRoleCanOnlySelectTheServingView() throws Exception {
    ServingConfig serving = ServingFixtures.serving("roles", 3, 2);
    Publisher publisher = ServingFixtures.publisher(serving);
    publisher.publish(ServingFixtures.predictions(500, NIGHT_1, 1), NIGHT_1, 1);
    try (Connection admin = TestPostgres.database().connect();
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE ROLE roles_app LOGIN PASSWORD 'app-secret' IN ROLE roles_reader");
      statement.execute("CREATE SCHEMA roles_other");
      statement.execute("CREATE TABLE roles_other.secrets AS SELECT 1 AS id");
      statement.execute("CREATE TABLE public.roles_secrets AS SELECT 1 AS id");
      assertThat(query(admin, "SELECT string_agg(rolname || ':' || rolcanlogin, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'roles\\_%er'"))
          .isEqualTo("roles_reader:false,roles_writer:false");
    }

    try (Connection app = connectAs("roles_app", "app-secret")) {
      assertThat(ServingFixtures.read(app, "roles")).isEqualTo(Snapshot.of(500, NIGHT_1, 1));
      ServingFixtures.assertDenied(app, "INSERT INTO roles.flight_delay_predictions (flight_id, probability) VALUES ('X', 0.5)");
      ServingFixtures.assertDenied(app, "UPDATE roles.flight_delay_predictions SET probability = 0");
      ServingFixtures.assertDenied(app, "DELETE FROM roles.flight_delay_predictions");
      ServingFixtures.assertDenied(app, "TRUNCATE roles.flight_delay_predictions_v000001");
      ServingFixtures.assertDenied(app, "DROP VIEW roles.flight_delay_predictions");
      ServingFixtures.assertDenied(app, "DROP TABLE roles.flight_delay_predictions_v000001");
      ServingFixtures.assertDenied(app, "CREATE TABLE roles.mine (id int)");
      ServingFixtures.assertDenied(app, "SELECT * FROM roles.flight_delay_predictions_v000001");
      ServingFixtures.assertDenied(app, "SELECT * FROM roles.publish_log");
      ServingFixtures.assertDenied(app, "SELECT * FROM roles.publish_parts");
      ServingFixtures.assertDenied(app, "SELECT * FROM roles_other.secrets");
      ServingFixtures.assertDenied(app, "SELECT * FROM public.roles_secrets");

      // a new version is readable at once, with no grant by hand
      publisher.publish(ServingFixtures.predictions(600, NIGHT_2, 2), NIGHT_2, 2);
      assertThat(ServingFixtures.read(app, "roles")).isEqualTo(Snapshot.of(600, NIGHT_2, 2));
      ServingFixtures.assertDenied(app, "SELECT * FROM roles.flight_delay_predictions_v000002");
    }
  }

  private static Connection connectAs(String user, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    return DriverManager.getConnection(TestPostgres.database().credentials().url(), properties);
  }

  /** Every row of the view in key order, as one digest: equal digests mean equal sets. */
  private static String rows(Connection connection, String schema) throws SQLException {
    return query(
        connection,
        "SELECT md5(string_agg(flight_id || '|' || ds || '|' || dep_time || '|' || probability || '|' || model_version, ',' ORDER BY flight_id))"
            + " FROM " + schema + ".flight_delay_predictions");
  }

  private static String query(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }
}
