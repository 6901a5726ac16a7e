package dev.nightcast.serving;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.config.ServingConfig;
import dev.nightcast.testing.TestPostgres;
import dev.nightcast.testing.TestSpark;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Deterministic prediction sets of any size, shaped like the score stage's output, and their serving setup. */
final class ServingFixtures {
  static final String TABLE = "flight_delay_predictions";
  static final String KEY = "flight_id";

  private ServingFixtures() {}

  /**
   * {@code rows} predictions for {@code ds} by {@code modelVersion}: keys F00000000, F00000001, ...;
   * the probability depends on key and model version, so two versions differ in every row.
   */
  static Dataset<Row> predictions(SparkSession spark, long rows, LocalDate ds, int modelVersion) {
    return spark
        .range(rows)
        .select(
            lit(ds).as("ds"),
            concat(lit("F"), lpad(col("id").cast("string"), 8, "0")).as(KEY),
            timestamp_seconds(lit(ds.toEpochDay() * 86_400L).plus(col("id").mod(86_400))).as("dep_time"),
            col("id").multiply(7919).plus(modelVersion * 104_729L).mod(10_007).divide(10_007.0).as("probability"),
            lit(modelVersion).as("model_version"));
  }

  static Dataset<Row> predictions(long rows, LocalDate ds, int modelVersion) {
    return predictions(TestSpark.session(), rows, ds, modelVersion);
  }

  /** A migrated serving schema of its own for one test class (the Postgres server is shared). */
  static Publisher publisher(ServingConfig serving) {
    TestPostgres.database().migrate(serving.schema());
    return new Publisher(TestPostgres.database(), serving, KEY);
  }

  static ServingConfig serving(String schema, int keepVersions, int copyStreams) {
    return new ServingConfig(schema, TABLE, keepVersions, copyStreams);
  }

  /** What a reader of the view sees, summarised: row count, ds range, model version range. */
  record Snapshot(long rows, LocalDate minDs, LocalDate maxDs, int minModel, int maxModel) {
    static Snapshot of(long rows, LocalDate ds, int modelVersion) {
      return new Snapshot(rows, ds, ds, modelVersion, modelVersion);
    }
  }

  static Snapshot read(Connection connection, String schema) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT count(*), min(ds), max(ds), min(model_version), max(model_version) FROM " + schema + "." + TABLE)) {
      result.next();
      return new Snapshot(
          result.getLong(1), result.getObject(2, LocalDate.class), result.getObject(3, LocalDate.class), result.getInt(4), result.getInt(5));
    }
  }

  static String status(Connection connection, String schema, int version) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT status FROM " + schema + ".publish_log WHERE serving_table = '" + TABLE + "' AND version = " + version)) {
      return result.next() ? result.getString(1) : null;
    }
  }

  /** Runs {@code sql} and expects Postgres to refuse it for want of privilege (42501). */
  static void assertDenied(Connection connection, String sql) {
    assertThatThrownBy(() -> {
          try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
          }
        })
        .as(sql)
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).as(sql + ": " + e.getMessage()).isEqualTo("42501"));
  }

  static boolean tableExists(Connection connection, String schema, int version) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT to_regclass('" + schema + "." + Sql.versionTable(TABLE, version) + "') IS NOT NULL")) {
      result.next();
      return result.getBoolean(1);
    }
  }
}
