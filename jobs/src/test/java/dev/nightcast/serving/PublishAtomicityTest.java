package dev.nightcast.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.config.ServingConfig;
import dev.nightcast.serving.ServingFixtures.Snapshot;
import dev.nightcast.testing.TestPostgres;
import java.sql.Connection;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Readers and a second publisher against a publish in progress, on a real Postgres. */
@Tag("spark")
class PublishAtomicityTest {
  private static final LocalDate NIGHT_1 = LocalDate.of(2001, 3, 1);
  private static final LocalDate NIGHT_2 = LocalDate.of(2001, 3, 2);

  @Test
  void readersSeeExactlyOneFullVersionWhileAMillionRowsArePublished() throws Exception {
    ServingConfig serving = ServingFixtures.serving("atomic_readers", 3, 2);
    Publisher publisher = ServingFixtures.publisher(serving);
    Snapshot before = Snapshot.of(1_000_000, NIGHT_1, 1);
    Snapshot after = Snapshot.of(1_000_037, NIGHT_2, 2);
    publisher.publish(ServingFixtures.predictions(before.rows(), NIGHT_1, 1), NIGHT_1, 1);

    AtomicBoolean publishing = new AtomicBoolean(true);
    AtomicLong reads = new AtomicLong();
    Set<Snapshot> seen = ConcurrentHashMap.newKeySet();
    ExecutorService readers = Executors.newFixedThreadPool(3);
    List<Future<?>> loops = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      loops.add(readers.submit(() -> {
        try (Connection connection = TestPostgres.database().connect()) {
          // keep reading until the publish is over, then a few more reads of the new version
          int afterwards = 0;
          while (publishing.get() || afterwards++ < 3) {
            seen.add(ServingFixtures.read(connection, serving.schema()));
            reads.incrementAndGet();
          }
        }
        return null;
      }));
    }
    try {
      Publisher.Result result = publisher.publish(ServingFixtures.predictions(after.rows(), NIGHT_2, 2), NIGHT_2, 2);
      assertThat(result.rows()).isEqualTo(after.rows());
    } finally {
      publishing.set(false);
      readers.shutdown();
    }
    for (Future<?> loop : loops) {
      loop.get(60, TimeUnit.SECONDS); // rethrows any reader error
    }

    assertThat(reads.get()).isGreaterThan(10);
    // never empty, partial or mixed: every read was one version's full set, and both were seen
    assertThat(seen).containsExactlyInAnyOrder(before, after);
  }

  @Test
  void aSecondPublisherFailsAsBusyWhileTheFirstLoads() throws Exception {
    ServingConfig serving = ServingFixtures.serving("atomic_busy", 3, 2);
    Publisher first = ServingFixtures.publisher(serving);
    Publisher second = new Publisher(TestPostgres.database(), serving, ServingFixtures.KEY);
    ExecutorService background = Executors.newSingleThreadExecutor();
    try (Connection connection = TestPostgres.database().connect()) {
      Future<Publisher.Result> running =
          background.submit(() -> first.publish(ServingFixtures.predictions(300_000, NIGHT_1, 1), NIGHT_1, 1));
      while (!"loading".equals(ServingFixtures.status(connection, serving.schema(), 1))) {
        assertThat(running.isDone()).as("the first publish ended before it was seen loading").isFalse();
        Thread.sleep(10);
      }

      assertThatThrownBy(() -> second.publish(ServingFixtures.predictions(10, NIGHT_2, 2), NIGHT_2, 2))
          .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BUSY))
          .hasMessageContaining("Cannot publish to atomic_busy.flight_delay_predictions: another publisher holds its lock");

      assertThat(running.get(120, TimeUnit.SECONDS).version()).isEqualTo(1);
      assertThat(ServingFixtures.read(connection, serving.schema())).isEqualTo(Snapshot.of(300_000, NIGHT_1, 1));
      // the refused publisher left no trace: no version 2 in the log
      assertThat(ServingFixtures.status(connection, serving.schema(), 2)).isNull();
    } finally {
      background.shutdownNow();
    }
  }
}
