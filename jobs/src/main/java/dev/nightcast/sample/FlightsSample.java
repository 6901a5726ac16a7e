package dev.nightcast.sample;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.timestamp_add;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * Derives the landing-zone sample from the BTS on-time records in vega-datasets
 * ({@code flights-3m.parquet}: date, delay, distance, origin, destination): per day a
 * {@code schedule} drop (CSV, no delay; known the night before) and an {@code actuals} drop
 * (Parquet, with the delay; arrives the night after).
 */
public final class FlightsSample {
  private FlightsSample() {}

  /**
   * Pure: adds {@code flight_id}, stable from content alone: departure minute, route, and the rank
   * among flights with the same minute and route (ordered by delay and distance).
   */
  public static Dataset<Row> withFlightIds(Dataset<Row> flights) {
    Dataset<Row> typed = flights.select(
        col("date").cast("timestamp").as("dep_time"), col("origin"), col("destination"),
        col("distance").cast("int").as("distance"), col("delay").cast("int").as("delay"));
    return typed
        .withColumn(
            "n",
            row_number().over(Window.partitionBy("dep_time", "origin", "destination").orderBy(col("delay"), col("distance"))))
        .withColumn(
            "flight_id",
            format_string("%s-%s-%s-%d", date_format(col("dep_time"), "yyyyMMdd-HHmm"), col("origin"), col("destination"), col("n")))
        .withColumn("flight_date", to_date(col("dep_time")))
        .select("flight_id", "dep_time", "origin", "destination", "distance", "delay", "flight_date");
  }

  /**
   * Pure: {@code copies} copies of every flight for measuring how cost grows with volume on the
   * same distribution. Copy 0 is the flight unchanged; copy K > 0 gets the key suffixed {@code -rK},
   * its departure moved by up to {@value #MAX_SHIFT_MINUTES} minutes within the same day and its
   * delay by up to {@value #MAX_DELAY_NUDGE} minutes, keeping route and distance. Both offsets come
   * from a hash of the flight id and K (no random state), so the same input gives the same copies.
   */
  public static Dataset<Row> replicate(Dataset<Row> flights, int copies) {
    if (copies == 1) {
      return flights;
    }
    Column copy = col("copy");
    Column shift = offset("minute", MAX_SHIFT_MINUTES);
    Column shifted = timestamp_add("MINUTE", shift, col("dep_time"));
    // a shift past midnight goes the other way instead: the copy stays on its flight's date
    Column sameDay = when(to_date(shifted).equalTo(col("flight_date")), shifted)
        .otherwise(timestamp_add("MINUTE", shift.multiply(-1), col("dep_time")));
    Column original = copy.equalTo(0);
    return flights
        .crossJoin(flights.sparkSession().range(copies).toDF("copy"))
        // one select with every column in place: the hashes read the original id
        .select(Arrays.stream(flights.columns()).map(c -> switch (c) {
          case "flight_id" -> when(original, col(c)).otherwise(concat(col(c), lit("-r"), copy.cast("string"))).as(c);
          case "dep_time" -> when(original, col(c)).otherwise(sameDay).as(c);
          case "delay" -> when(original, col(c)).otherwise(col(c).plus(offset("delay", MAX_DELAY_NUDGE))).as(c);
          default -> col(c);
        }).toArray(Column[]::new));
  }

  static final int MAX_SHIFT_MINUTES = 20;
  static final int MAX_DELAY_NUDGE = 3;

  /** An integer in [-max, max] from the flight id, the copy index and what it offsets. */
  private static Column offset(String what, int max) {
    return pmod(xxhash64(col("flight_id"), col("copy"), lit(what)), lit(2L * max + 1)).minus(max).cast("int");
  }

  /** Writes one schedule file and one actuals file per flight date in [from, to]. */
  public static long write(SparkSession spark, String source, Path out, LocalDate from, LocalDate to, int copies) {
    Dataset<Row> flights =
        replicate(withFlightIds(spark.read().parquet(source)), copies)
            .where(col("flight_date").between(java.sql.Date.valueOf(from), java.sql.Date.valueOf(to)))
            .repartition(col("flight_date"))
            .cache();
    Path staging = out.resolve("_staging");
    flights.drop("delay")
        .write().mode("overwrite").partitionBy("flight_date")
        .option("header", "true").option("compression", "gzip").option("timestampFormat", "yyyy-MM-dd HH:mm:ss")
        .csv(staging.resolve("schedule").toString());
    flights.write().mode("overwrite").partitionBy("flight_date").option("compression", "zstd").parquet(staging.resolve("actuals").toString());
    long rows = flights.count();
    flights.unpersist();
    move(staging.resolve("schedule"), out.resolve("schedule"), ".csv.gz");
    move(staging.resolve("actuals"), out.resolve("actuals"), ".parquet");
    deleteTree(staging);
    return rows;
  }

  /** flight_date=D/part-*.ext becomes D.ext: one file per drop, as a landing zone holds them. */
  private static void move(Path staged, Path target, String extension) {
    try (Stream<Path> dates = Files.list(staged)) {
      Files.createDirectories(target);
      for (Path dateDir : dates.filter(p -> p.getFileName().toString().startsWith("flight_date=")).toList()) {
        String date = dateDir.getFileName().toString().substring("flight_date=".length());
        List<Path> parts;
        try (Stream<Path> files = Files.list(dateDir)) {
          parts = files.filter(p -> p.getFileName().toString().startsWith("part-")).toList();
        }
        if (parts.size() != 1) {
          throw new IllegalStateException("expected one part file for " + date + ", found " + parts.size());
        }
        Files.move(parts.get(0), target.resolve(date + extension), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
