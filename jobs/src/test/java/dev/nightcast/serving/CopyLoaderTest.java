package dev.nightcast.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.testing.TestPostgres;
import dev.nightcast.testing.TestSpark;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Binary COPY from Spark's internal rows: every supported type round-trips exactly; a retried part loads nothing. */
@Tag("spark")
class CopyLoaderTest {
  private static final String SCHEMA = "copy_types";
  private static final String TABLE = "typed";

  @Test
  void everyTypeRoundTripsThroughBinaryCopyAndARetriedPartLoadsNothing() throws Exception {
    TestPostgres.database().migrate(SCHEMA);
    Dataset<Row> typed =
        TestSpark.session()
            .sql(
                "SELECT * FROM VALUES"
                    + " (1, 9007199254740993L, CAST(1.5 AS FLOAT), 0.1D, true, 'plain', DATE'2001-01-31', TIMESTAMP'2001-01-31 23:59:59.123456'),"
                    + " (2, -1L, CAST(-3.25E-7 AS FLOAT), -1.0E300D, false, 'quote \" comma , newline \n tab \t back\\\\slash', DATE'1969-12-31', TIMESTAMP'1969-12-31 23:59:59.999999'),"
                    + " (3, 0L, CAST('NaN' AS FLOAT), CAST('Infinity' AS DOUBLE), true, 'ünïcødé ✈ 飛行機', DATE'2038-01-20', TIMESTAMP'2000-01-01 00:00:00'),"
                    + " (4, NULL, NULL, NULL, NULL, '', NULL, NULL),"
                    + " (5, 2147483647L, CAST(0 AS FLOAT), 4.9E-324D, false, repeat('long', 40000), DATE'1999-12-31', TIMESTAMP'1999-12-31 23:59:59.000001')"
                    + " AS t(id, big, f, d, b, s, dt, ts)")
            .coalesce(1);
    List<StructField> fields = Arrays.asList(typed.schema().fields());
    List<String> columns = fields.stream().map(StructField::name).toList();
    List<CopyLoader.ColumnType> types = fields.stream().map(field -> CopyLoader.ColumnType.of(field.dataType())).toList();
    String qualified = SCHEMA + "." + Sql.versionTable(TABLE, 1);
    try (Connection connection = TestPostgres.database().connect();
        Statement statement = connection.createStatement()) {
      List<String> ddl = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        ddl.add(columns.get(i) + " " + types.get(i).sql);
      }
      statement.execute("CREATE TABLE " + qualified + " (" + String.join(", ", ddl) + ")");

      ServingDatabase.Credentials credentials = TestPostgres.database().credentials();
      AtomicLong loaded = new AtomicLong();
      for (int attempt = 0; attempt < 2; attempt++) {
        typed.queryExecution().toRdd().toJavaRDD().foreachPartition(rows -> CopyLoader.load(credentials, SCHEMA, TABLE, 1, columns, types, 0, rows));
      }
      try (ResultSet parts = statement.executeQuery("SELECT row_count FROM copy_types.publish_parts WHERE version = 1")) {
        while (parts.next()) {
          loaded.addAndGet(parts.getLong(1));
        }
      }
      assertThat(loaded.get()).isEqualTo(5);

      List<Row> expected =
          typed.selectExpr("id", "big", "f", "d", "b", "s", "cast(dt AS string)", "date_format(ts, 'yyyy-MM-dd HH:mm:ss.SSSSSS')").orderBy("id").collectAsList();
      List<List<Object>> actual = new ArrayList<>();
      try (ResultSet result =
          statement.executeQuery(
              "SELECT id, big, f, d, b, s, dt::text, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US') FROM " + qualified + " ORDER BY id")) {
        while (result.next()) {
          actual.add(
              Arrays.asList(
                  result.getObject(1), result.getObject(2), result.getObject(3), result.getObject(4), result.getObject(5),
                  result.getString(6), result.getString(7), result.getString(8)));
        }
      }
      assertThat(actual).hasSize(5);
      for (int row = 0; row < 5; row++) {
        Row spark = expected.get(row);
        List<Object> postgres = actual.get(row);
        for (int i = 0; i < spark.length(); i++) {
          assertThat(postgres.get(i)).as("row %d column %s", row + 1, columns.get(i)).isEqualTo(spark.get(i));
        }
      }
    }
  }
}
