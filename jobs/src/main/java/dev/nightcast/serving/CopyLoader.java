package dev.nightcast.serving;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Streams one Spark partition into a Postgres table with COPY (CSV), in one transaction that also
 * records the partition in {@code publish_parts}. A retried or speculative task that finds its
 * partition recorded loads nothing, so no row is ever loaded twice. Runs on executors.
 */
public final class CopyLoader {
  private static final int BUFFER_BYTES = 1 << 16;

  private CopyLoader() {}

  /** @param rows all values already rendered as text by Spark (null stays null) */
  public static long load(
      ServingDatabase.Credentials credentials, String schema, String table, int version, List<String> columns, int part,
      Iterator<Row> rows) throws SQLException, IOException {
    String qualified = Sql.quote(schema) + "." + Sql.quote(Sql.versionTable(table, version));
    try (Connection connection = credentials.connect()) {
      connection.setAutoCommit(false);
      if (loaded(connection, schema, table, version, part)) {
        return 0;
      }
      CopyIn copy =
          connection
              .unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn("COPY " + qualified + " (" + String.join(", ", columns.stream().map(Sql::quote).toList()) + ") FROM STDIN WITH (FORMAT csv)");
      long count = 0;
      try {
        byte[] buffer = new byte[BUFFER_BYTES];
        int used = 0;
        StringBuilder line = new StringBuilder(256);
        while (rows.hasNext()) {
          Row row = rows.next();
          line.setLength(0);
          appendCsv(line, row);
          byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
          if (used + bytes.length > buffer.length) {
            copy.writeToCopy(buffer, 0, used);
            used = 0;
          }
          if (bytes.length > buffer.length) {
            copy.writeToCopy(bytes, 0, bytes.length);
          } else {
            System.arraycopy(bytes, 0, buffer, used, bytes.length);
            used += bytes.length;
          }
          count++;
        }
        if (used > 0) {
          copy.writeToCopy(buffer, 0, used);
        }
        copy.endCopy();
      } catch (SQLException | RuntimeException e) {
        if (copy.isActive()) {
          copy.cancelCopy();
        }
        throw e;
      }
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO " + Sql.quote(schema) + ".publish_parts (serving_table, version, part, row_count) VALUES (?, ?, ?, ?)")) {
        insert.setString(1, table);
        insert.setInt(2, version);
        insert.setInt(3, part);
        insert.setLong(4, count);
        insert.executeUpdate();
      }
      connection.commit();
      return count;
    }
  }

  private static boolean loaded(Connection connection, String schema, String table, int version, int part) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT 1 FROM " + Sql.quote(schema) + ".publish_parts WHERE serving_table = ? AND version = ? AND part = ?")) {
      query.setString(1, table);
      query.setInt(2, version);
      query.setInt(3, part);
      try (ResultSet result = query.executeQuery()) {
        return result.next();
      }
    }
  }

  /** CSV per PostgreSQL's COPY: every value quoted (so "" is an empty string), null left empty. */
  static void appendCsv(StringBuilder line, Row row) {
    for (int i = 0; i < row.length(); i++) {
      if (i > 0) {
        line.append(',');
      }
      if (!row.isNullAt(i)) {
        String value = row.getString(i);
        line.append('"');
        for (int c = 0; c < value.length(); c++) {
          char ch = value.charAt(c);
          if (ch == '"') {
            line.append('"');
          }
          line.append(ch);
        }
        line.append('"');
      }
    }
    line.append('\n');
  }
}
