package dev.nightcast.serving;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The one place that speaks PostgreSQL's session-level advisory locks, by name: the run lock
 * ({@link RunLock}) and the publisher's lock per serving table ({@link Publisher}) are both these.
 * A session lock belongs to the connection that took it, and Postgres frees it the moment that
 * connection drops, so a killed holder never leaves a stale lock behind. Cost: one round trip per call.
 */
final class AdvisoryLock {
  private AdvisoryLock() {}

  /** Takes the lock {@code name} for {@code connection}'s session without waiting; false when another session holds it. */
  static boolean tryAcquire(Connection connection, String name) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?)) AS acquired")) {
      statement.setString(1, name);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getBoolean("acquired");
      }
    }
  }

  /** Releases the lock {@code name} that {@code connection}'s session holds. */
  static void release(Connection connection, String name) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
      statement.setString(1, name);
      statement.execute();
    }
  }
}
