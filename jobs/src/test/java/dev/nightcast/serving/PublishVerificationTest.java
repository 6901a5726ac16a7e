package dev.nightcast.serving;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.serving.ServingFixtures.Snapshot;
import dev.nightcast.testing.TestPostgres;
import java.sql.Connection;
import java.time.LocalDate;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A prediction set that fails verification (a duplicate, null or over-long key, a probability that
 * is null, NaN or outside [0,1]) aborts its publish with a clear error: applications keep the version they had,
 * the failed version is logged and dropped, and the next good set publishes normally.
 */
@Tag("spark")
class PublishVerificationTest {
  private static final LocalDate GOOD = LocalDate.of(2001, 5, 1);
  private static final LocalDate BAD = LocalDate.of(2001, 5, 2);
  private static final LocalDate NEXT = LocalDate.of(2001, 5, 3);

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "duplicate key | entity key 'flight_id' is not unique and non-null",
        "null key      | entity key 'flight_id' is not unique and non-null",
        "NaN score     | a score is null, NaN or out of range",
        "score above 1 | a score is null, NaN or out of range",
        "null score    | a score is null, NaN or out of range",
        "5 MB key      | entity key 'flight_id' too long for the key index: 'F00000007KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK...' (5242889 bytes",
      })
  void aSetThatFailsVerificationLeavesServingUntouched(String defect, String reason) throws Exception {
    String schema = "verify_" + defect.replaceAll("[^a-z0-9]", "_").toLowerCase(java.util.Locale.ROOT);
    Publisher publisher = ServingFixtures.publisher(ServingFixtures.serving(schema, 3, 2));
    publisher.publish(ServingFixtures.predictions(2_000, GOOD, 1), GOOD, 1);
    Dataset<Row> bad = defects(defect).apply(ServingFixtures.predictions(2_000, BAD, 2));

    assertThatThrownBy(() -> publisher.publish(bad, BAD, 2))
        .isInstanceOfSatisfying(NightcastException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_DATA))
        .hasMessageContaining("Cannot publish predictions for " + BAD)
        .hasMessageContaining(reason)
        .hasMessageContaining("unchanged");

    try (Connection connection = TestPostgres.database().connect()) {
      assertThat(ServingFixtures.read(connection, schema)).isEqualTo(Snapshot.of(2_000, GOOD, 1));
      assertThat(ServingFixtures.status(connection, schema, 2)).isEqualTo("failed");
      assertThat(ServingFixtures.tableExists(connection, schema, 2)).isFalse();
      publisher.publish(ServingFixtures.predictions(2_100, NEXT, 3), NEXT, 3);
      assertThat(ServingFixtures.read(connection, schema)).isEqualTo(Snapshot.of(2_100, NEXT, 3));
    }
  }

  /** One defective row (the key F00000007's) in an otherwise valid set. */
  private static UnaryOperator<Dataset<Row>> defects(String defect) {
    var row = col(ServingFixtures.KEY).equalTo("F00000007");
    return switch (defect) {
      case "duplicate key" -> rows -> rows.unionByName(rows.where(row));
      case "null key" -> rows -> rows.withColumn(ServingFixtures.KEY, when(row, lit(null).cast("string")).otherwise(col(ServingFixtures.KEY)));
      case "NaN score" -> rows -> rows.withColumn("probability", when(row, lit(Double.NaN)).otherwise(col("probability")));
      case "null score" -> rows -> rows.withColumn("probability", when(row, lit(null).cast("double")).otherwise(col("probability")));
      case "5 MB key" -> rows -> rows.withColumn(ServingFixtures.KEY, when(row, concat(col(ServingFixtures.KEY), lit("K".repeat(5 << 20)))).otherwise(col(ServingFixtures.KEY)));
      case "score above 1" -> rows -> rows.withColumn("probability", when(row, lit(1.5)).otherwise(col("probability")));
      default -> throw new IllegalArgumentException(defect);
    };
  }
}
