package dev.nightcast.sample;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
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
   * Pure: {@code copies} copies of every flight, the first unchanged and the others with the key
   * suffixed {@code -rK}, for measuring how cost grows with volume on the same distribution.
   */
  public static Dataset<Row> replicate(Dataset<Row> flights, int copies) {
    if (copies == 1) {
      return flights;
    }
    return flights
        .crossJoin(flights.sparkSession().range(copies).toDF("copy"))
        .withColumn("flight_id", when(col("copy").equalTo(0), col("flight_id"))
            .otherwise(concat(col("flight_id"), lit("-r"), col("copy").cast("string"))))
        .drop("copy");
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
