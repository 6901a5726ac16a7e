package dev.nightcast.sample;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The scale-up of the sample on two real days of drops: the same input gives the same copies, copy 0
 * is the flight itself, and the other copies keep the route, the date and (nearly) the delay rate.
 */
@Tag("spark")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlightsSampleTest {
  private static final int COPIES = 4;
  private Dataset<Row> flights;
  private Dataset<Row> copies;

  @BeforeAll
  void read() {
    String actuals = TestPipelines.sampleLanding().resolve("actuals").toString();
    flights = TestSpark.session().read().parquet(actuals + "/2001-01-02.parquet", actuals + "/2001-01-03.parquet")
        .withColumn("flight_date", to_date(col("dep_time")))
        .cache();
    copies = FlightsSample.replicate(flights, COPIES).cache();
  }

  @Test
  void sameInputSameCopies() {
    Dataset<Row> again = FlightsSample.replicate(flights, COPIES);
    assertThat(copies.count()).isEqualTo(COPIES * flights.count());
    assertThat(copies.exceptAll(again).count()).isZero();
    assertThat(again.exceptAll(copies).count()).isZero();
    assertThat(copies.select("flight_id").distinct().count()).isEqualTo(copies.count());
  }

  @Test
  void copyZeroIsTheOriginal() {
    Dataset<Row> zero = copies.where(col("flight_id").rlike("-r[0-9]+$").unary_$bang());
    assertThat(zero.exceptAll(flights).count()).isZero();
    assertThat(flights.exceptAll(zero).count()).isZero();
  }

  @Test
  void otherCopiesKeepRouteDateAndRateButMoveMinutesAndDelays() {
    Dataset<Row> pairs = copies.where(col("flight_id").rlike("-r[0-9]+$"))
        .withColumn("original_id", regexp_replace(col("flight_id"), "-r[0-9]+$", ""))
        .alias("c")
        .join(flights.alias("o"), col("c.original_id").equalTo(col("o.flight_id")));
    assertThat(pairs.count()).isEqualTo((COPIES - 1) * flights.count());
    assertThat(pairs.where(col("c.origin").notEqual(col("o.origin"))
        .or(col("c.destination").notEqual(col("o.destination")))
        .or(col("c.distance").notEqual(col("o.distance")))
        .or(to_date(col("c.dep_time")).notEqual(col("o.flight_date")))).count()).isZero();
    long minutesMoved = pairs.where(col("c.dep_time").notEqual(col("o.dep_time"))).count();
    long delaysMoved = pairs.where(col("c.delay").notEqual(col("o.delay"))).count();
    assertThat(minutesMoved).isGreaterThan(pairs.count() / 2);
    assertThat(delaysMoved).isGreaterThan(pairs.count() / 2);
    assertThat(pairs.where(
        col("c.dep_time").cast("long").minus(col("o.dep_time").cast("long")).between(-20 * 60, 20 * 60).unary_$bang()
            .or(col("c.delay").minus(col("o.delay")).between(-3, 3).unary_$bang())).count()).isZero();

    List<Row> rates = copies.groupBy(col("flight_id").rlike("-r[0-9]+$").as("copy"))
        .agg(avg(when(col("delay").gt(15), 1.0).otherwise(0.0)).as("delayed")).collectAsList();
    double original = rates.stream().filter(r -> !r.<Boolean>getAs("copy")).findFirst().orElseThrow().<Double>getAs("delayed");
    double copied = rates.stream().filter(r -> r.<Boolean>getAs("copy")).findFirst().orElseThrow().<Double>getAs("delayed");
    assertThat(copied).isCloseTo(original, org.assertj.core.data.Offset.offset(0.01));
  }
}
