package dev.nightcast.serving;

import dev.nightcast.NightcastException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One nightly run of a pipeline at a time: a Postgres session-level {@link AdvisoryLock} held on a
 * connection of its own for the whole run. The serving database is the one service every run of a
 * pipeline shares (also across hosts, where a file lock would not reach), and Postgres frees the
 * lock the moment the holder's connection drops, so a killed run never leaves a stale lock behind.
 */
public final class RunLock implements AutoCloseable {
  private final Connection connection;
  private final String name;

  private RunLock(Connection connection, String name) {
    this.connection = connection;
    this.name = name;
  }

  /**
   * Takes the lock {@code name} without waiting.
   *
   * @param refusal the message of the BUSY failure when another session holds it
   */
  private static RunLock acquire(ServingDatabase database, String name, String refusal) {
    try {
      Connection connection = database.connect();
      try {
        if (!AdvisoryLock.tryAcquire(connection, name)) {
          throw NightcastException.busy(refusal);
        }
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
      return new RunLock(connection, name);
    } catch (SQLException e) {
      throw NightcastException.internal("Cannot take the run lock '" + name + "' in the serving database: " + e.getMessage(), e);
    }
  }

  /**
   * Takes the run lock of {@code pipeline} on the warehouse namespace {@code namespace}: the one lock
   * nights, stages, backfills and maintenance of that pipeline share, so only one of them writes at a time.
   */
  public static RunLock ofPipeline(ServingDatabase database, String pipeline, String namespace, String refusal) {
    return acquire(database, "nightcast.run." + pipeline + "@" + namespace, refusal);
  }

  /** Closing the connection frees the lock even when the unlock statement cannot run. */
  @Override
  public void close() {
    try (connection) {
      AdvisoryLock.release(connection, name);
    } catch (SQLException e) {
      throw NightcastException.internal("Cannot release the run lock '" + name + "': " + e.getMessage(), e);
    }
  }
}
