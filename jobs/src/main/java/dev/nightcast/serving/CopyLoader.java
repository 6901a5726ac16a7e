package dev.nightcast.serving;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;

/**
 * Streams one Spark partition into a Postgres table with binary COPY, in one transaction that also
 * records the partition in {@code publish_parts}. A retried or speculative task that finds its
 * partition recorded loads nothing, so no row is ever loaded twice. Runs on executors.
 *
 * <p>Values go from Spark's internal row format (dates as days, timestamps as UTC microseconds,
 * strings as UTF-8) straight into PostgreSQL's binary representation: nothing is rendered as text
 * here and nothing is parsed by the server, which is what makes the load cheaper than CSV COPY.
 */
public final class CopyLoader {
  private static final int BUFFER_BYTES = 1 << 16;
  private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
  /** PostgreSQL's epoch is 2000-01-01: days and microseconds from 1970-01-01 shift by this much. */
  private static final int POSTGRES_EPOCH_DAYS = 10_957;
  private static final long POSTGRES_EPOCH_MICROS = POSTGRES_EPOCH_DAYS * 86_400L * 1_000_000L;

  /** The Spark types a serving table may hold, with their PostgreSQL column type. */
  public enum ColumnType {
    INT4("integer"), INT8("bigint"), FLOAT4("real"), FLOAT8("double precision"), BOOL("boolean"), TEXT("text"),
    DATE("date"), TIMESTAMP("timestamp");

    public final String sql;

    ColumnType(String sql) {
      this.sql = sql;
    }

    /** Timestamps (UTC instants or NTZ) become timestamp without time zone: the UTC wall-clock time. */
    public static ColumnType of(DataType type) {
      if (type.equals(DataTypes.IntegerType)) return INT4;
      if (type.equals(DataTypes.LongType)) return INT8;
      if (type.equals(DataTypes.FloatType)) return FLOAT4;
      if (type.equals(DataTypes.DoubleType)) return FLOAT8;
      if (type.equals(DataTypes.BooleanType)) return BOOL;
      if (type.equals(DataTypes.StringType)) return TEXT;
      if (type.equals(DataTypes.DateType)) return DATE;
      if (type.equals(DataTypes.TimestampType) || type.equals(DataTypes.TimestampNTZType)) return TIMESTAMP;
      throw new IllegalArgumentException("Cannot map Spark type " + type + " to a PostgreSQL column type");
    }
  }

  private CopyLoader() {}

  /**
   * What one partition's load did: {@code rows} loaded, or the reason Postgres rejected a row (a
   * null key or score, a score out of range) and the column a NOT NULL rejection names (null for a
   * CHECK), which must reach the driver as data: a failed task's exception arrives there only as text.
   */
  public record Part(long rows, String rejection, String rejectedColumn) implements Serializable {}

  /** not_null_violation and check_violation: the version table's checks on served rows. */
  private static final Set<String> REJECTED = Set.of("23502", "23514");

  /** @param rows Spark's internal rows, with {@code types} in column order */
  public static Part load(
      ServingDatabase.Credentials credentials, String schema, String table, int version, List<String> columns,
      List<ColumnType> types, int part, Iterator<InternalRow> rows) throws SQLException {
    String qualified = Sql.quote(schema) + "." + Sql.quote(Sql.versionTable(table, version));
    try (Connection connection = credentials.connect()) {
      connection.setAutoCommit(false);
      if (loaded(connection, schema, table, version, part)) {
        return new Part(0, null, null);
      }
      CopyIn copy =
          connection
              .unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn("COPY " + qualified + " (" + String.join(", ", columns.stream().map(Sql::quote).toList()) + ") FROM STDIN WITH (FORMAT binary)");
      long count = 0;
      try {
        ColumnType[] typed = types.toArray(ColumnType[]::new);
        Buffer out = new Buffer(copy);
        out.bytes(HEADER, 0, HEADER.length);
        while (rows.hasNext()) {
          writeRow(out, rows.next(), typed);
          count++;
        }
        out.ensure(2);
        out.int16(-1);
        out.flush();
        copy.endCopy();
      } catch (SQLException | RuntimeException e) {
        if (copy.isActive()) {
          copy.cancelCopy();
        }
        if (e instanceof SQLException rejected && REJECTED.contains(rejected.getSQLState())) {
          connection.rollback();
          // the server's own error field, not its (possibly localised) message text
          String column = rejected instanceof PSQLException server && server.getServerErrorMessage() != null
              ? server.getServerErrorMessage().getColumn() : null;
          return new Part(0, rejected.getMessage(), column);
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
      return new Part(count, null, null);
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

  /** One tuple of PostgreSQL's binary COPY format: field count, then (length, bytes) per field, -1 for null. */
  static void writeRow(Buffer out, InternalRow row, ColumnType[] types) throws SQLException {
    out.ensure(2);
    out.int16(types.length);
    for (int i = 0; i < types.length; i++) {
      if (row.isNullAt(i)) {
        out.ensure(4);
        out.int32(-1);
        continue;
      }
      switch (types[i]) {
        case INT4 -> out.field(4).int32(row.getInt(i));
        case INT8 -> out.field(8).int64(row.getLong(i));
        case FLOAT4 -> out.field(4).int32(Float.floatToRawIntBits(row.getFloat(i)));
        case FLOAT8 -> out.field(8).int64(Double.doubleToRawLongBits(row.getDouble(i)));
        case BOOL -> out.field(1).int8(row.getBoolean(i) ? 1 : 0);
        case DATE -> out.field(4).int32(row.getInt(i) - POSTGRES_EPOCH_DAYS);
        case TIMESTAMP -> out.field(8).int64(row.getLong(i) - POSTGRES_EPOCH_MICROS);
        case TEXT -> out.text(row.getUTF8String(i));
      }
    }
  }

  /** A 64 KiB staging buffer in front of the COPY stream, big-endian as the format demands. */
  static final class Buffer {
    private final CopyIn copy;
    private final byte[] bytes = new byte[BUFFER_BYTES];
    private int used;

    Buffer(CopyIn copy) {
      this.copy = copy;
    }

    void ensure(int length) throws SQLException {
      if (used + length > bytes.length) {
        flush();
      }
    }

    void flush() throws SQLException {
      if (used > 0) {
        copy.writeToCopy(bytes, 0, used);
        used = 0;
      }
    }

    /** The length word of a fixed-size field, with room for its value. */
    Buffer field(int length) throws SQLException {
      ensure(4 + length);
      int32(length);
      return this;
    }

    void int8(int value) {
      bytes[used++] = (byte) value;
    }

    void int16(int value) {
      bytes[used++] = (byte) (value >>> 8);
      bytes[used++] = (byte) value;
    }

    void int32(int value) {
      for (int shift = 24; shift >= 0; shift -= 8) {
        bytes[used++] = (byte) (value >>> shift);
      }
    }

    void int64(long value) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes[used++] = (byte) (value >>> shift);
      }
    }

    void bytes(byte[] source, int offset, int length) throws SQLException {
      ensure(length);
      System.arraycopy(source, offset, bytes, used, length);
      used += length;
    }

    void text(UTF8String value) throws SQLException {
      int length = value.numBytes();
      ensure(4);
      int32(length);
      if (length > bytes.length) {
        flush();
        byte[] large = value.getBytes();
        copy.writeToCopy(large, 0, large.length);
        return;
      }
      ensure(length);
      value.writeToMemory(bytes, Platform.BYTE_ARRAY_OFFSET + used);
      used += length;
    }
  }
}
