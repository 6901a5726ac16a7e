package dev.nightcast.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.config.ServingConfig;
import dev.nightcast.serving.ServingFixtures.Snapshot;
import dev.nightcast.testing.ChildJvm;
import dev.nightcast.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** SIGKILL of a publishing process mid-load, on a real Postgres and a real child JVM. */
@Tag("e2e")
class PublishCrashTest {
  private static final LocalDate NIGHT_1 = LocalDate.of(2001, 5, 1);
  private static final LocalDate NIGHT_2 = LocalDate.of(2001, 5, 2);
  private static final LocalDate NIGHT_3 = LocalDate.of(2001, 5, 3);
  private static final String SCHEMA = "crash";

  @Test
  void killingThePublisherMidLoadLeavesServingAsItWasAndTheNextPublishCleansUp() throws Exception {
    ServingConfig serving = ServingFixtures.serving(SCHEMA, 3, 2);
    Publisher publisher = ServingFixtures.publisher(serving);
    publisher.publish(ServingFixtures.predictions(2_000, NIGHT_1, 1), NIGHT_1, 1);
    Snapshot served = Snapshot.of(2_000, NIGHT_1, 1);

    Path log = Files.createTempFile("publish-child", ".log");
    Process child = startChild(3_000_000, NIGHT_2, 2, log);
    try (Connection connection = TestPostgres.database().connect()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      // mid-load: the log says 'loading' and rows are streaming into version 2
      while (!("loading".equals(ServingFixtures.status(connection, SCHEMA, 2)) && copiedRows(connection) > 0)) {
        assertThat(child.isAlive()).as("the child publisher ended before it was seen loading; its log: %s", Files.readString(log)).isTrue();
        assertThat(System.nanoTime()).as("the child never started loading").isLessThan(deadline);
        Thread.sleep(20);
      }
      child.destroyForcibly(); // SIGKILL
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      awaitNoAdvisoryLocks(connection);

      assertThat(ServingFixtures.read(connection, SCHEMA)).isEqualTo(served);
      assertThat(ServingFixtures.status(connection, SCHEMA, 2)).isEqualTo("loading");

      Publisher.Result next = publisher.publish(ServingFixtures.predictions(2_500, NIGHT_3, 3), NIGHT_3, 3);

      assertThat(next.version()).isEqualTo(3);
      assertThat(ServingFixtures.read(connection, SCHEMA)).isEqualTo(Snapshot.of(2_500, NIGHT_3, 3));
      assertThat(ServingFixtures.status(connection, SCHEMA, 2)).isEqualTo("failed");
      assertThat(count(connection, "SELECT count(*) FROM crash.publish_log WHERE version = 2 AND message LIKE 'abandoned:%'")).isOne();
      assertThat(ServingFixtures.tableExists(connection, SCHEMA, 2)).isFalse();
      assertThat(count(connection, "SELECT count(*) FROM crash.publish_parts")).isZero();
      assertThat(ServingFixtures.tableExists(connection, SCHEMA, 1)).isTrue(); // still the rollback target
    } finally {
      child.destroyForcibly();
    }
  }

  /** The same JVM flags (module opens) and classpath as this test JVM, a smaller heap. */
  private static Process startChild(long rows, LocalDate ds, int modelVersion, Path log) throws Exception {
    List<String> command = ChildJvm.command("2g", PublishChild.class.getName());
    command.addAll(List.of(TestPostgres.database().credentials().url(), SCHEMA, Long.toString(rows), ds.toString(), Integer.toString(modelVersion)));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("CHILD_PG_USER", TestPostgres.database().credentials().user());
    builder.environment().put("CHILD_PG_PASSWORD", "unused-by-the-embedded-server");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return builder.start();
  }

  private static long copiedRows(Connection connection) throws SQLException {
    return count(connection, "SELECT coalesce(sum(tuples_processed), 0) FROM pg_stat_progress_copy WHERE relid = to_regclass('crash.flight_delay_predictions_v000002')");
  }

  /** Postgres ends the killed process's sessions (and frees its advisory lock) once it sees the sockets close. */
  private static void awaitNoAdvisoryLocks(Connection connection) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (count(connection, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") > 0) {
      assertThat(System.nanoTime()).as("the killed publisher's lock was never released").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static long count(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }
}
