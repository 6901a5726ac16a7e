package dev.nightcast.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.config.EnvConfig;
import dev.nightcast.config.ServingConfig;
import dev.nightcast.serving.ServingFixtures.Snapshot;
import dev.nightcast.testing.TestPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's login holds only its schema's writer role: that is enough to publish, and it
 * opens nothing else (other schemas, another pipeline's serving schema, the database itself). The
 * reader role's side is in {@link RollbackAndRolesTest}.
 */
@Tag("spark")
class LeastPrivilegeTest {
  private static final LocalDate NIGHT = LocalDate.of(2001, 8, 1);

  @Test
  void thePipelineRolePublishesItsOwnSchemaAndCannotReadOthers() throws Exception {
    ServingConfig own = ServingFixtures.serving("lp_own", 3, 2);
    ServingConfig other = ServingFixtures.serving("lp_other", 3, 2);
    // the DBA's part: migrations (they create roles), one login per pipeline holding its writer role
    ServingFixtures.publisher(own);
    ServingFixtures.publisher(other).publish(ServingFixtures.predictions(100, NIGHT, 1), NIGHT, 1);
    try (Connection admin = TestPostgres.database().connect();
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE ROLE lp_pipeline LOGIN IN ROLE lp_own_writer");
      statement.execute("CREATE SCHEMA lp_finance");
      statement.execute("CREATE TABLE lp_finance.salaries AS SELECT 1 AS id");
      statement.execute("CREATE TABLE public.lp_customers AS SELECT 1 AS id");
    }

    // the production way in: credentials from the environment
    EnvConfig.PostgresSettings settings =
        new EnvConfig.PostgresSettings(null, TestPostgres.database().credentials().url(), "PG_USER", "PG_PASSWORD");
    try (ServingDatabase asPipeline = ServingDatabase.open(settings, Map.of("PG_USER", "lp_pipeline", "PG_PASSWORD", "unused-by-trust"))) {
      new Publisher(asPipeline, own, ServingFixtures.KEY).publish(ServingFixtures.predictions(200, NIGHT, 2), NIGHT, 2);
      new Publisher(asPipeline, own, ServingFixtures.KEY).publish(ServingFixtures.predictions(300, NIGHT, 3), NIGHT, 3);
      try (Connection pipeline = asPipeline.connect()) {
        assertThat(ServingFixtures.read(pipeline, "lp_own")).isEqualTo(Snapshot.of(300, NIGHT, 3));
        ServingFixtures.assertDenied(pipeline, "SELECT * FROM lp_other.flight_delay_predictions");
        ServingFixtures.assertDenied(pipeline, "SELECT * FROM lp_other.flight_delay_predictions_v000001");
        ServingFixtures.assertDenied(pipeline, "SELECT * FROM lp_other.publish_log");
        ServingFixtures.assertDenied(pipeline, "DROP TABLE lp_other.flight_delay_predictions_v000001");
        ServingFixtures.assertDenied(pipeline, "CREATE TABLE lp_other.planted (id int)");
        ServingFixtures.assertDenied(pipeline, "SELECT * FROM lp_finance.salaries");
        ServingFixtures.assertDenied(pipeline, "SELECT * FROM public.lp_customers");
        ServingFixtures.assertDenied(pipeline, "CREATE SCHEMA lp_mine");
        ServingFixtures.assertDenied(pipeline, "CREATE ROLE lp_escalate SUPERUSER");
        ServingFixtures.assertDenied(pipeline, "GRANT lp_other_writer TO lp_pipeline");
      }
    }
  }
}
