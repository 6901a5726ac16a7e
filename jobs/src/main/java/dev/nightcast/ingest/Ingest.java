package dev.nightcast.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.config.ExpectationsConfig;
import dev.nightcast.config.SourceConfig;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.io.IOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Stages 1-2: copies one source's drop for night D into {@code raw_<source>} with provenance, after
 * validating it against the source's expectations: rows that break an error rule go to
 * {@code quarantine_<source>} with their reasons instead. The drop itself is never modified. The
 * schema is checked before any row is written.
 */
public final class Ingest {
  private Ingest() {}

  /** @param rows the rows that reached raw_<source> (rows_ok) */
  public record Result(String source, String dropPath, long rows, long rowsIn, long rowsQuarantined, long rowsWarned) {}

  private static final Set<String> TEXT_FORMATS = Set.of("csv", "json");

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
              + " (missing: " + missing + ", unexpected: " + extra.stream().map(Ingest::printable).toList() + hint(sourceName, missing, extra)
              + ", file: " + dropPath + ")."
              + " Fix the export, or update sources." + sourceName + ".schema in the pipeline definition if the change is intended");
    }
  }

  /** The likely cause of a column difference, for the message; empty when nothing stands out. Pure. */
  private static String hint(String sourceName, Set<String> missing, Set<String> extra) {
    if (extra.stream().anyMatch(name -> !printable(name).equals(name))) {
      return ", the header is not UTF-8 text: re-export it as UTF-8 or set sources." + sourceName + ".options.encoding";
    }
    if (extra.size() == 1 && missing.size() > 1 && extra.iterator().next().matches(".*[;\\t|].*")) {
      return ", a different delimiter? set sources." + sourceName + ".options.sep";
    }
    // Spark's CSV reader numbers repeated header names: origin, origin -> origin2, origin3
    if (extra.stream().map(name -> name.replaceAll("\\d+$", "")).distinct().count() < extra.size()) {
      return ", a column named twice in the header?";
    }
    return missing.size() == 1 && extra.size() == 1 ? ", renamed from " + missing.iterator().next() + "?" : "";
  }

  /** A column name as a message line can show it: control and replacement characters as '?'. Pure. */
  private static String printable(String name) {
    return name.replaceAll("[\\p{Cntrl}\uFFFD\uFEFF]", "?");
  }

  /**
   * For typed formats (Parquet, Delta) the drop's column types must be the declared ones (a
   * timestamp may arrive as nanoseconds, see {@link #nanos}); text formats are typed row by row
   * instead, so a bad value goes to quarantine. Pure.
   */
  public static void checkTypes(String sourceName, String format, LocalDate ds, String dropPath, StructType actual, Map<String, String> declared) {
    List<String> differences = new ArrayList<>();
    for (Map.Entry<String, String> column : declared.entrySet()) {
      String type = actual.apply(column.getKey()).dataType().simpleString();
      if (!type.equals(column.getValue()) && !nanos(format, column.getValue(), actual.apply(column.getKey()).dataType())) {
        differences.add(column.getKey() + ": declared " + column.getValue() + ", drop has " + type);
      }
    }
    if (!differences.isEmpty()) {
      throw NightcastException.badData(
          "Cannot ingest source '" + sourceName + "' for " + ds + ": the drop's column types differ from the declared schema"
              + " (" + String.join("; ", differences) + ", file: " + dropPath + ")."
              + " Fix the export, or update sources." + sourceName + ".schema in the pipeline definition if the change is intended");
    }
  }

  /**
   * Pure: each declared column as delivered and typed, the malformed-line text, the file, each
   * row's rank among rows of the same key (first by content), and the latest earlier ds holding the
   * key ({@code seenKeys}: typed key columns plus {@link Expectations#KEY_SEEN_ON}, or null).
   * Cost when a key is declared: one shuffle by key for the rank and one join with the seen keys.
   */
  static Dataset<Row> prepare(Dataset<Row> drop, SourceConfig source, Dataset<Row> seenKeys) {
    List<Column> columns = new ArrayList<>();
    for (Map.Entry<String, String> column : source.schema().entrySet()) {
      columns.add(col("`" + column.getKey() + "`"));
      columns.add(typed(source, drop.schema(), column.getKey()));
    }
    boolean corrupt = List.of(drop.columns()).contains(Expectations.CORRUPT);
    columns.add(corrupt ? col(Expectations.CORRUPT) : lit(null).cast("string").as(Expectations.CORRUPT));
    columns.add(col("_metadata.file_path").as(RawTable.SOURCE_FILE));
    Dataset<Row> prepared = drop.select(columns.toArray(Column[]::new));
    List<String> key = source.expectations().key();
    if (key.isEmpty()) {
      return prepared.withColumn(Expectations.KEY_RANK, lit(1)).withColumn(Expectations.KEY_SEEN_ON, lit(null).cast("date"));
    }
    Column[] typedKey = key.stream().map(c -> col(Expectations.typed(c))).toArray(Column[]::new);
    List<Column> content = new ArrayList<>();
    source.schema().keySet().forEach(c -> content.add(col("`" + c + "`").cast("string").asc_nulls_first()));
    content.add(col(Expectations.CORRUPT).asc_nulls_first());
    Column anyNull = java.util.Arrays.stream(typedKey).map(Column::isNull).reduce(Column::or).orElseThrow();
    prepared =
        prepared.withColumn(
            Expectations.KEY_RANK,
            when(anyNull, lit(1)).otherwise(row_number().over(Window.partitionBy(typedKey).orderBy(content.toArray(Column[]::new)))));
    if (seenKeys == null) {
      return prepared.withColumn(Expectations.KEY_SEEN_ON, lit(null).cast("date"));
    }
    return prepared.join(seenKeys, scala.jdk.javaapi.CollectionConverters.asScala(key.stream().map(Expectations::typed).toList()).toSeq(), "left");
  }

  /**
   * A drop column as its declared type, null where the value does not convert (text formats arrive
   * as strings); nanoseconds since the epoch floored to microseconds, Spark's precision.
   */
  private static Column typed(SourceConfig source, StructType delivered, String column) {
    String type = source.schema().get(column);
    String value = "`" + column + "`";
    String converted =
        nanos(source.format(), type, delivered.apply(column).dataType())
            ? "timestamp_micros((" + value + " - pmod(" + value + ", 1000)) div 1000)"
            : "try_cast(" + value + " as " + type + ")";
    return expr(converted).as(Expectations.typed(column));
  }

  /**
   * Whether a declared timestamp arrives as the nanoseconds since the epoch that pandas and pyarrow
   * write by default (Parquet INT64 TIMESTAMP(NANOS)): Spark reads them as longs (see {@link #read}).
   * An INT64 column without the annotation reads the same. Other formats keep their types.
   */
  private static boolean nanos(String format, String declared, DataType delivered) {
    return format.equals("parquet") && declared.equals("timestamp") && delivered.equals(DataTypes.LongType);
  }

  /**
   * The drop's keys that were already ingested in the {@code key_history_days} dates before D, with
   * the latest such date; null when there is nothing to check. Cost: one scan of the key columns of
   * those dates, semi-joined with the drop's keys before grouping, so only the (usually no) repeated
   * keys are aggregated; grouping every earlier key first shuffled ~key_history_days drops' worth of
   * rows a night to find the few that match. Collected (at most one row per key of the drop): a
   * cached plan that still read raw_<source> would be re-planned, with a file listing, when the
   * stage writes that table.
   */
  private static Dataset<Row> seenKeys(Warehouse warehouse, String sourceName, SourceConfig source, LocalDate ds, Dataset<Row> drop) {
    ExpectationsConfig expectations = source.expectations();
    if (expectations.key().isEmpty() || expectations.keyHistoryDays() == 0 || !warehouse.exists(Tables.raw(sourceName))) {
      return null;
    }
    List<String> typedKey = expectations.key().stream().map(Expectations::typed).toList();
    Column[] earlier = expectations.key().stream().map(c -> col("`" + c + "`").as(Expectations.typed(c))).toArray(Column[]::new);
    Column[] arriving = expectations.key().stream().map(c -> typed(source, drop.schema(), c)).toArray(Column[]::new);
    Dataset<Row> seen =
        warehouse
            .read(Tables.raw(sourceName))
            .where(col("ds").between(Date.valueOf(ds.minusDays(expectations.keyHistoryDays())), Date.valueOf(ds.minusDays(1))))
            .select(Stream.concat(Arrays.stream(earlier), Stream.of(col("ds"))).toArray(Column[]::new))
            .join(drop.select(arriving), scala.jdk.javaapi.CollectionConverters.asScala(typedKey).toSeq(), "left_semi")
            .groupBy(typedKey.stream().map(c -> col(c)).toArray(Column[]::new))
            .agg(max(col("ds")).as(Expectations.KEY_SEEN_ON));
    return warehouse.spark().createDataFrame(seen.collectAsList(), seen.schema());
  }

  /**
   * I/O shell of the ingest stage: checks that every source's drop for {@code ds} has arrived
   * (before the first one is written), reads the sources' earlier daily row counts (one query),
   * ingests each source (see {@link #ingest}), then records all sources' validation metrics and
   * profiles in data_quality in one commit, also when a source stops the run, so the metrics of a
   * rejected drop are there to inspect (a rejected drop is not profiled: raw_<source> kept what it
   * had, and so does its profile).
   */
  public static List<Result> run(
      Warehouse warehouse, String landing, Map<String, SourceConfig> sources, LocalDate ds, String runId, String ingestedAt) {
    sources.forEach((name, source) -> requireDrop(warehouse.spark(), name, ds, dropPath(landing, source, ds)));
    int historyDays = sources.values().stream().mapToInt(source -> source.expectations().historyDays()).max().orElse(1);
    Map<String, Map<LocalDate, Long>> rowCounts =
        Profile.history(warehouse, sources.keySet(), Expectations.ROWS_IN, ds.minusDays(historyDays), ds.minusDays(1));
    List<Result> results = new ArrayList<>();
    Map<String, List<DataQualityTable.Metric>> metrics = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, SourceConfig> source : sources.entrySet()) {
        results.add(
            ingest(warehouse, landing, source.getKey(), source.getValue(), ds, runId, ingestedAt, rowCounts.get(source.getKey()), metrics::put));
      }
    } finally {
      if (!metrics.isEmpty()) {
        Set<String> unprofiled = new LinkedHashSet<>(metrics.keySet());
        results.forEach(result -> unprofiled.remove(result.source()));
        DataQualityTable.write(warehouse, metrics, unprofiled, ds);
      }
    }
    return results;
  }

  /**
   * One source: reads the drop for {@code ds}, checks its schema (before anything is written),
   * evaluates every row rule in one select, checks the dataset rules, then replaces D in
   * quarantine_<source> (rows that break an error rule), hands the rule counts to {@code metrics},
   * stops the run when the quarantined share is above the source's maximum (raw_<source> keeps what
   * it had), else replaces D in raw_<source> (the other rows), checks rows_in = rows_ok +
   * rows_quarantined and hands the rule counts with the profile of the raw rows to {@code metrics}.
   * Cost: for CSV and JSON one small job reads the header or infers the schema; then one aggregation
   * over the drop (a shuffle by key for the uniqueness rules, a join with the earlier keys) for the
   * rule counts and the profile, whose input is cached and written twice, and one grouping of the raw
   * rows for the profile's top values; see {@code IngestValidationTest} for the measured number of
   * Spark jobs.
   */
  private static Result ingest(
      Warehouse warehouse, String landing, String sourceName, SourceConfig source, LocalDate ds, String runId, String ingestedAt,
      Map<LocalDate, Long> rowCounts, BiConsumer<String, List<DataQualityTable.Metric>> metrics) {
    SparkSession spark = warehouse.spark();
    String path = dropPath(landing, source, ds);
    Dataset<Row> drop = readable(sourceName, source, ds, path, () -> read(spark, source, path));
    List<String> columns = new ArrayList<>(Arrays.asList(drop.columns()));
    if (columns.equals(List.of(Expectations.CORRUPT))) {
      throw NightcastException.badData(
          "Cannot ingest source '" + sourceName + "' for " + ds + ": no line of the drop is a JSON object (file: " + path + ")."
              + " The format is JSON Lines, one object per line: fix the export and re-run this date");
    }
    columns.remove(Expectations.CORRUPT);
    if (columns.isEmpty()) {
      throw NightcastException.badData(
          "Cannot ingest source '" + sourceName + "' for " + ds + ": the drop is empty, without even a header line (file: " + path + ")."
              + " Check the upstream export and re-run this date once a complete drop has arrived");
    }
    checkColumns(sourceName, ds, path, columns, source.schema().keySet());
    boolean text = TEXT_FORMATS.contains(source.format());
    if (!text) {
      checkTypes(sourceName, source.format(), ds, path, drop.schema(), source.schema());
    }
    List<Expectations.Rule> rules = Expectations.rules(source, ds.plusDays(source.dayOffset()), text);
    Dataset<Row> validated =
        Expectations.evaluate(
                prepare(drop, source, readable(sourceName, source, ds, path, () -> seenKeys(warehouse, sourceName, source, ds, drop))), source, rules,
                RawTable.provenance(runId, ingestedAt, ds))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // one pass counts the rules and profiles the rows that reach raw_<source>
      List<Column> aggregates = new ArrayList<>(Expectations.aggregates(rules));
      aggregates.addAll(Profile.aggregates(source.schema(), not(Expectations.quarantined())));
      Row aggregated =
          readable(sourceName, source, ds, path, () -> validated.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).head());
      Expectations.State state = Expectations.state(aggregated, rules);
      checkRowCount(sourceName, source.expectations(), ds, path, state.rowsIn(), rowCounts);
      long quarantined = RawTable.replaceQuarantine(warehouse, sourceName, source, ds, validated.where(Expectations.quarantined()));
      List<DataQualityTable.Metric> validation = Expectations.metrics(state, rules, ds, sourceName);
      metrics.accept(sourceName, validation);
      double ratio = state.rowsIn() == 0 ? 0 : (double) quarantined / state.rowsIn();
      // a rejected drop leaves raw_<source> untouched: a partial day there would feed later nights'
      // history features and training windows
      if (quarantined == state.rowsQuarantined() && ratio > source.expectations().maxBadRowRatio()) {
        throw NightcastException.badData(
            String.format(Locale.ROOT,
                "Cannot ingest source '%s' for %s: %.2f%% of the drop's rows break error rules, above the allowed %.2f%%"
                    + " (%d of %d rows quarantined; top reasons: %s; file: %s). Inspect them with"
                    + " `nightcast sql \"select %s, _failures from %s where ds = date'%s'\"`, then fix the export and re-run this"
                    + " date, or raise sources.%s.expectations.max_bad_row_ratio if such rows are expected",
                sourceName, ds, 100 * ratio, 100 * source.expectations().maxBadRowRatio(), quarantined, state.rowsIn(),
                Expectations.topReasons(state, rules, 3), path, String.join(", ", source.schema().keySet()),
                Tables.quarantine(sourceName), ds, sourceName));
      }
      Dataset<Row> rows = validated.where(not(Expectations.quarantined()));
      List<Row> topValues = Profile.computeTopValues(rows, source);
      long ok = RawTable.replaceRaw(warehouse, sourceName, source, ds, rows);
      if (ok + quarantined != state.rowsIn() || quarantined != state.rowsQuarantined()) {
        throw NightcastException.internal(
            "Cannot ingest source '" + sourceName + "' for " + ds + ": rows_in " + state.rowsIn() + " != rows_ok " + ok
                + " + rows_quarantined " + quarantined + " (validation counted " + state.rowsQuarantined()
                + " to quarantine). Rows were lost or duplicated: report this bug; re-running the date replaces both tables", null);
      }
      List<DataQualityTable.Metric> quality = new ArrayList<>(validation);
      quality.addAll(Profile.metrics(aggregated, topValues, ds, sourceName, source.schema()));
      metrics.accept(sourceName, quality);
      return new Result(sourceName, path, ok, state.rowsIn(), quarantined, state.rowsWarned());
    } finally {
      validated.unpersist();
    }
  }

  /**
   * Dataset rules, checked before any row is written: at least {@code min_rows} rows, and within
   * the tolerance of the median of the daily counts of the {@code history_days} before D
   * ({@code rowCounts}: date -> rows_in) once enough of them exist. Pure.
   */
  private static void checkRowCount(
      String sourceName, ExpectationsConfig expectations, LocalDate ds, String path, long rowsIn, Map<LocalDate, Long> rowCounts) {
    if (rowsIn < expectations.minRows()) {
      throw NightcastException.badData(
          "Cannot ingest source '" + sourceName + "' for " + ds + ": the drop has " + rowsIn + " rows, fewer than the minimum "
              + expectations.minRows() + " (file: " + path + "). Check the upstream export (header only?) and re-run this date");
    }
    LocalDate from = ds.minusDays(expectations.historyDays());
    List<Long> history = rowCounts.entrySet().stream().filter(day -> !day.getKey().isBefore(from)).map(Map.Entry::getValue).toList();
    if (history.size() >= expectations.minHistoryDays()) {
      double median = Expectations.median(history);
      if (Math.abs(rowsIn - median) > expectations.rowCountTolerance() * median) {
        throw NightcastException.badData(
            String.format(Locale.ROOT,
                "Cannot ingest source '%s' for %s: the drop has %d rows, outside ±%.0f%% of the median %.0f of the %d earlier days"
                    + " (file: %s). Check the upstream export for a partial or doubled delivery and re-run this date, or raise"
                    + " sources.%s.expectations.row_count_tolerance if the volume really changed",
                sourceName, ds, rowsIn, 100 * expectations.rowCountTolerance(), median, history.size(), path, sourceName));
      }
    }
  }

  /** Runs work that reads the drop; a failure the drop causes (a truncated gzip, say) is bad data, not a bug. */
  private static <T> T readable(String sourceName, SourceConfig source, LocalDate ds, String path, Supplier<T> work) {
    try {
      return work.get();
    } catch (Exception e) {
      throw Ingest.<RuntimeException>rethrow(dropFailure(sourceName, source.format(), ds, path, e));
    }
  }

  /**
   * The failure of reading a drop as an operator can act on it: bad data when the drop is the cause
   * (an I/O error, or Spark's conditions for a file it cannot read), else the failure itself. Pure.
   */
  static Exception dropFailure(String sourceName, String format, LocalDate ds, String path, Exception failure) {
    if (ExitCode.knownCause(failure).isPresent()) {
      return ExitCode.knownCause(failure).get();
    }
    String cannot = "Cannot ingest source '" + sourceName + "' for " + ds + ": ";
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof IOException io) {
        return NightcastException.badData(
            cannot + "the drop is unreadable (" + firstLine(io.toString()) + ", file: " + path + ")."
                + " Is it truncated or corrupt? Have it delivered again and re-run this date");
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String condition = t instanceof SparkThrowable spark && spark.getCondition() != null ? spark.getCondition() : "";
      String what =
          switch (condition) {
            case "FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER" -> "the drop is not a Parquet file";
            case "PARQUET_TYPE_ILLEGAL" -> "a column has a Parquet type nightcast cannot read";
            case "COLUMN_ALREADY_EXISTS" -> "the drop names a column twice (names are compared ignoring case)";
            case "UNABLE_TO_INFER_SCHEMA" -> "the drop holds no file to read (an empty directory?)";
            case "DELTA_TABLE_NOT_FOUND", "DELTA_MISSING_DELTA_TABLE" -> "the drop is not a Delta table (no _delta_log)";
            default -> condition.startsWith("FAILED_READ_FILE") ? "the drop is unreadable" : null;
          };
      if (what != null) {
        return NightcastException.badData(
            cannot + what + " (" + firstLine(t.getMessage()) + " format: " + format + ", file: " + path + ")."
                + " Fix the export, have it delivered again and re-run this date");
      }
    }
    return failure;
  }

  private static String firstLine(String text) {
    return String.valueOf(text).lines().findFirst().orElse("").strip();
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> E rethrow(Exception e) throws E {
    throw (E) e;
  }

  /** Stops with BAD_DATA when the drop at {@code path} has not arrived. */
  public static void requireDrop(SparkSession spark, String sourceName, LocalDate ds, String path) {
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
      // text formats are read as strings and typed row by row, so a bad value is seen, not guessed;
      // the header gives the columns, then malformed lines land in _corrupt_record
      case "csv" -> {
        StructType header = spark.read().options(source.options()).option("header", "true").option("inferSchema", "false").csv(path).schema();
        StructType strings = new StructType();
        for (String column : header.fieldNames()) {
          strings = strings.add(column, DataTypes.StringType);
        }
        yield header.isEmpty()
            ? spark.emptyDataFrame()
            : reader.schema(strings.add(Expectations.CORRUPT, DataTypes.StringType)).option("header", "true")
                .option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", Expectations.CORRUPT).csv(path);
      }
      case "json" -> reader.option("primitivesAsString", "true").option("columnNameOfCorruptRecord", Expectations.CORRUPT).json(path);
      case "parquet" -> {
        // pandas' and pyarrow's default INT64 TIMESTAMP(NANOS) is otherwise unreadable (PARQUET_TYPE_ILLEGAL);
        // read as longs, typed row by row (see nanos). Only columns of that type read differently.
        spark.conf().set("spark.sql.legacy.parquet.nanosAsLong", "true");
        yield reader.parquet(path);
      }
      case "delta" -> reader.format("delta").load(path);
      default -> throw new IllegalStateException("unreachable: format validated by SourceConfig");
    };
  }
}
