package dev.nightcast.stages;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import dev.nightcast.NightcastException;
import dev.nightcast.config.SourceConfig;
import dev.nightcast.spark.Tables;
import dev.nightcast.spark.Warehouse;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Stage 1: copies one source's drop for night D into {@code raw_<source>} with provenance. The drop
 * itself is never modified. The schema is checked before any row is written.
 */
public final class Ingest {
  private Ingest() {}

  public record Result(String source, String dropPath, long rows) {}

  /** Where the drop read on night {@code ds} lives: the landing root plus the source's dated path. */
  public static String dropPath(String landing, SourceConfig source, LocalDate ds) {
    return landing + "/" + source.path().replace("{date}", ds.plusDays(source.dayOffset()).toString());
  }

  /**
   * Checks the drop's columns against the declared schema and names every difference; runs before
   * anything is written. Pure: compares two column lists.
   */
  public static void checkColumns(String sourceName, LocalDate ds, String dropPath, List<String> actual, Set<String> expected) {
    Set<String> missing = new LinkedHashSet<>(expected);
    missing.removeAll(actual);
    Set<String> extra = new LinkedHashSet<>(actual);
    extra.removeAll(expected);
    if (!missing.isEmpty() || !extra.isEmpty()) {
      throw NightcastException.badData(
          "Cannot ingest source '" + sourceName + "' for " + ds + ": the drop's columns differ from the declared schema"
              + " (missing: " + missing + ", unexpected: " + extra + ", file: " + dropPath + ")."
              + " Fix the export, or update sources." + sourceName + ".schema in the pipeline definition if the change is intended");
    }
  }

  /**
   * Types the drop's columns as declared (text drops arrive as strings) and adds provenance. Pure
   * transform; values that do not parse become null here and are caught by the type check.
   */
  public static Dataset<Row> conform(Dataset<Row> drop, SourceConfig source, LocalDate ds, String runId, String ingestedAt) {
    List<Column> columns = new ArrayList<>();
    for (Map.Entry<String, String> column : source.schema().entrySet()) {
      columns.add(expr("try_cast(`" + column.getKey() + "` as " + column.getValue() + ")").as(column.getKey()));
    }
    columns.add(col("_metadata.file_path").as("_source_file"));
    columns.add(lit(runId).as("_run_id"));
    columns.add(expr("timestamp'" + ingestedAt + "'").as("_ingested_at"));
    columns.add(lit(java.sql.Date.valueOf(ds)).as("ds"));
    return drop.select(columns.toArray(Column[]::new));
  }

  /**
   * Counts values present in the drop that do not parse as their declared type. Cost: one scan of
   * the drop.
   */
  static Map<String, Long> unparseable(Dataset<Row> drop, SourceConfig source) {
    List<Column> counts = new ArrayList<>();
    for (Map.Entry<String, String> column : source.schema().entrySet()) {
      String name = "`" + column.getKey() + "`";
      counts.add(
          expr("count_if(" + name + " is not null and try_cast(" + name + " as " + column.getValue() + ") is null)")
              .as(column.getKey()));
    }
    Row row = drop.agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new)).head();
    Map<String, Long> bad = new java.util.LinkedHashMap<>();
    for (String column : source.schema().keySet()) {
      long n = row.getLong(row.fieldIndex(column));
      if (n > 0) {
        bad.put(column, n);
      }
    }
    return bad;
  }

  /** I/O shell: reads the drop for {@code ds}, checks it, and replaces that date in raw_<source>. */
  public static Result run(
      Warehouse warehouse, String landing, String sourceName, SourceConfig source, LocalDate ds, String runId, String ingestedAt) {
    SparkSession spark = warehouse.spark();
    String path = dropPath(landing, source, ds);
    requireDrop(spark, sourceName, ds, path);
    Dataset<Row> drop = read(spark, source, path);
    checkColumns(sourceName, ds, path, Arrays.asList(drop.columns()), source.schema().keySet());
    Map<String, Long> bad = unparseable(drop, source);
    if (!bad.isEmpty()) {
      throw NightcastException.badData(
          "Cannot ingest source '" + sourceName + "' for " + ds + ": values do not parse as their declared types"
              + " (column: rows " + bad + ", file: " + path + "). Fix the export and re-run this date");
    }
    Dataset<Row> conformed = conform(drop, source, ds, runId, ingestedAt);
    warehouse.replaceDate(Tables.raw(sourceName), ds, conformed);
    long rows = warehouse.readDate(Tables.raw(sourceName), ds).count();
    return new Result(sourceName, path, rows);
  }

  private static void requireDrop(SparkSession spark, String sourceName, LocalDate ds, String path) {
    try {
      Path dropPath = new Path(path);
      FileSystem fs = dropPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(dropPath)) {
        throw NightcastException.badData(
            "Cannot ingest source '" + sourceName + "' for " + ds + ": the drop is missing (" + path + ")."
                + " Check that the upstream export ran; re-run this date once the drop has arrived");
      }
    } catch (IOException e) {
      throw NightcastException.badData(
          "Cannot ingest source '" + sourceName + "' for " + ds + ": the landing zone is not readable (" + path + ": " + e.getMessage() + ")");
    }
  }

  private static Dataset<Row> read(SparkSession spark, SourceConfig source, String path) {
    DataFrameReader reader = spark.read().options(source.options());
    return switch (source.format()) {
      // text formats are read as strings and typed by conform(), so a bad value is seen, not guessed
      case "csv" -> reader.option("header", "true").option("inferSchema", "false").csv(path);
      case "json" -> reader.option("primitivesAsString", "true").json(path);
      case "parquet" -> reader.parquet(path);
      case "delta" -> reader.format("delta").load(path);
      default -> throw new IllegalStateException("unreachable: format validated by SourceConfig");
    };
  }
}
