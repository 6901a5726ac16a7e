package dev.nightcast.ingest;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightcast.ExitCode;
import dev.nightcast.NightcastException;
import dev.nightcast.config.PipelineConfig;
import dev.nightcast.config.SourceConfig;
import dev.nightcast.testing.TestPipelines;
import dev.nightcast.testing.TestSpark;
import dev.nightcast.warehouse.Tables;
import dev.nightcast.warehouse.Warehouse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input, one case per test, through the real ingest on a real local Spark and Delta: each ends
 * in a clear error naming source, date and what to do, or in quarantine with the broken rule and
 * the offending value; rows_in = rows_ok + rows_quarantined wherever rows were written.
 */
@Tag("spark")
class IngestValidationTest {
  private static final String HEADER = "flight_id,dep_time,origin,destination,distance";
  /** Each test has its own night, 40 days from any other: one shared warehouse, no shared history. */
  private static final AtomicInteger NIGHTS = new AtomicInteger();

  // one warehouse and landing zone for the class: creating Delta tables per test would dominate its time
  @TempDir static Path shared;
  @TempDir Path dir;
  private static Path landing;
  private static Warehouse warehouse;
  private LocalDate night;
  private LocalDate flights;

  @BeforeAll
  static void warehouse() throws IOException {
    landing = Files.createDirectories(shared.resolve("landing"));
    warehouse = new Warehouse(TestSpark.session(), shared.resolve("warehouse").toString());
  }

  @BeforeEach
  void night() {
    night = LocalDate.parse("2001-03-01").plusDays(40L * NIGHTS.incrementAndGet());
    flights = night.plusDays(1);
  }

  /** Rows of a table for a night; 0 when the table does not exist yet. */
  private static long rowsOn(String table, LocalDate night) {
    return warehouse.exists(table) ? warehouse.readDate(table, night).count() : 0;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static PipelineConfig pipeline(Path dir, Map<String, Object> overrides) {
    return TestPipelines.flightDelay(dir, overrides).config();
  }

  /** A tolerant pipeline: quarantine tests look at the rows, not at the gate. */
  private PipelineConfig tolerant() {
    return pipeline(dir, Map.of("sources.schedule.expectations.max_bad_row_ratio", 0.5, "sources.actuals.expectations.max_bad_row_ratio", 0.5));
  }

  private static String flight(LocalDate date, int n) {
    return String.format("%s-%04d-SFO-LAX-1,%s %02d:%02d:00,SFO,LAX,337", date.toString().replace("-", ""), n, date, n / 60 % 24, n % 60);
  }

  private static List<String> goodLines(LocalDate date, int count) {
    List<String> lines = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      lines.add(flight(date, n));
    }
    return lines;
  }

  private void schedule(LocalDate night, byte[] content) throws IOException {
    Path file = landing.resolve("schedule/" + night.plusDays(1) + ".csv.gz");
    Files.createDirectories(file.getParent());
    Files.write(file, gzip(content));
  }

  private void schedule(LocalDate night, List<String> lines) throws IOException {
    schedule(night, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] gzip(byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content);
    }
    return bytes.toByteArray();
  }

  private static List<String> with(List<String> first, String... more) {
    List<String> lines = new ArrayList<>(first);
    lines.addAll(List.of(more));
    return lines;
  }

  private Ingest.Result ingest(PipelineConfig pipeline, String source, LocalDate night) {
    return Ingest.run(warehouse, landing.toString(), Map.of(source, pipeline.source(source)), night, "run-test", "2001-01-01 00:00:00").get(0);
  }

  private NightcastException rejected(PipelineConfig pipeline, String source, LocalDate night) {
    try {
      ingest(pipeline, source, night);
    } catch (NightcastException e) {
      assertThat(e.exitCode()).isEqualTo(ExitCode.BAD_DATA);
      assertThat(e.getMessage()).startsWith("Cannot ingest source '" + source + "' for " + night + ": ");
      return e;
    }
    throw new AssertionError("ingest of " + source + " for " + night + " should have been rejected");
  }

  /** Quarantined rows of the night: flight_id -> the broken rule codes and offending values. */
  private Map<String, List<String>> quarantine(String source, LocalDate night) {
    Map<String, List<String>> out = new HashMap<>();
    for (Row row : warehouse.readDate(Tables.quarantine(source), night).selectExpr("flight_id", "transform(_failures, f -> concat(f.rule, '=', coalesce(f.value, 'null')))").collectAsList()) {
      out.put(String.valueOf(row.get(0)), row.getList(1));
    }
    return out;
  }

  private void assertBalanced(String source, LocalDate night, Ingest.Result result) {
    long ok = warehouse.readDate(Tables.raw(source), night).count();
    long quarantined = warehouse.readDate(Tables.quarantine(source), night).count();
    assertThat(ok + quarantined).as("rows_in = rows_ok + rows_quarantined").isEqualTo(result.rowsIn());
    assertThat(ok).isEqualTo(result.rows());
    assertThat(quarantined).isEqualTo(result.rowsQuarantined());
    assertThat(dropCounts(source, night)).containsEntry("rows_in", (double) result.rowsIn()).containsEntry("rows_ok", (double) ok)
        .containsEntry("rows_quarantined", (double) quarantined);
  }

  /** The whole-drop metrics (rows_in, rows_ok, rows_quarantined, ...) data_quality holds for a source and night. */
  private Map<String, Double> dropCounts(String source, LocalDate night) {
    Map<String, Double> counts = new HashMap<>();
    warehouse.readDate(Tables.DATA_QUALITY, night).where(col("source").equalTo(source).and(col("column_name").equalTo("*")))
        .collectAsList().forEach(r -> counts.put(r.getString(r.fieldIndex("metric")), r.getDouble(r.fieldIndex("value"))));
    return counts;
  }

  // ---- dataset-level failures: a clear error, nothing written ------------------------------------

  @Test
  void missingDropStopsWithWhatToDo() {
    NightcastException e = rejected(tolerant(), "schedule", night);
    assertThat(e.getMessage()).contains("the drop is missing", "schedule/" + flights + ".csv.gz", "re-run this date");
    assertThat(rowsOn(Tables.raw("schedule"), night)).isZero();
  }

  @Test
  void emptyFileStops() throws IOException {
    schedule(night, new byte[0]);
    assertThat(rejected(tolerant(), "schedule", night).getMessage()).contains("the drop is empty");
    assertThat(rowsOn(Tables.raw("schedule"), night)).isZero();
  }

  @Test
  void headerOnlyStops() throws IOException {
    schedule(night, List.of(HEADER));
    assertThat(rejected(tolerant(), "schedule", night).getMessage()).contains("the drop has 0 rows, fewer than the minimum 1");
    assertThat(rowsOn(Tables.raw("schedule"), night)).isZero();
  }

  @Test
  void extraMissingAndRenamedColumnsStopBeforeAnyWrite() throws IOException {
    schedule(night, with(List.of(HEADER + ",gate"), flight(flights, 1) + ",B12"));
    assertThat(rejected(tolerant(), "schedule", night).getMessage()).contains("missing: [], unexpected: [gate]");
    schedule(night, with(List.of("flight_id,dep_time,origin,destination"), "F1," + flights + " 08:00:00,SFO,LAX"));
    assertThat(rejected(tolerant(), "schedule", night).getMessage()).contains("missing: [distance], unexpected: []");
    schedule(night, with(List.of("flight_id,dep_time,origin,dest,distance"), flight(flights, 1)));
    assertThat(rejected(tolerant(), "schedule", night).getMessage())
        .contains("missing: [destination], unexpected: [dest], renamed from destination?", "update sources.schedule.schema");
    assertThat(rowsOn(Tables.raw("schedule"), night)).isZero();
    assertThat(rowsOn(Tables.quarantine("schedule"), night)).isZero();
  }

  @Test
  void truncatedGzipIsUnreadableData() throws IOException {
    List<String> lines = with(List.of(HEADER), goodLines(flights, 1440).toArray(String[]::new));
    byte[] whole = gzip((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    Path file = landing.resolve("schedule/" + flights + ".csv.gz");
    Files.createDirectories(file.getParent());
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
    assertThat(rejected(tolerant(), "schedule", night).getMessage()).contains("the drop is unreadable", "truncated or corrupt");
    assertThat(rowsOn(Tables.raw("schedule"), night)).isZero();
  }

  /** The stage writes every source's counts in one commit: also when a later source stops the night. */
  @Test
  void aLaterSourcesRejectionStillRecordsTheEarlierSourcesCounts() throws IOException {
    schedule(night, with(List.of(HEADER), goodLines(flights, 20).toArray(String[]::new)));
    TestSpark.session()
        .sql("select 'F1' as flight_id, timestamp'" + night + " 08:00:00' as dep_time, 'SFO' as origin, 'LAX' as destination,"
            + " 337 as distance, '12' as delay")
        .coalesce(1).write().mode(SaveMode.Overwrite).parquet(landing.resolve("actuals/" + night + ".parquet").toString());
    PipelineConfig pipeline = tolerant();
    Map<String, SourceConfig> sources = new java.util.LinkedHashMap<>();
    sources.put("schedule", pipeline.source("schedule"));
    sources.put("actuals", pipeline.source("actuals"));
    NightcastException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            NightcastException.class, () -> Ingest.run(warehouse, landing.toString(), sources, night, "run-test", "2001-01-01 00:00:00"));
    assertThat(e.getMessage()).startsWith("Cannot ingest source 'actuals' for " + night + ": ").contains("column types differ");
    assertThat(dropCounts("schedule", night)).containsEntry("rows_in", 20.0).containsEntry("rows_ok", 20.0);
    assertThat(rowsOn(Tables.raw("actuals"), night)).isZero();
  }

  @Test
  void parquetDropWithAChangedSchemaStops() {
    Path file = landing.resolve("actuals/" + night + ".parquet");
    TestSpark.session()
        .sql("select 'F1' as flight_id, timestamp'" + night + " 08:00:00' as dep_time, 'SFO' as origin, 'LAX' as destination,"
            + " 337 as distance, '12' as delay")
        .coalesce(1).write().mode(SaveMode.Overwrite).parquet(file.toString());
    assertThat(rejected(tolerant(), "actuals", night).getMessage()).contains("column types differ", "delay: declared int, drop has string");
    assertThat(rowsOn(Tables.raw("actuals"), night)).isZero();
  }

  @Test
  void rowCountFarFromTheTrailingMedianStops() throws IOException {
    PipelineConfig pipeline = pipeline(dir, Map.of("sources.schedule.expectations.min_history_days", 1));
    for (LocalDate earlier : List.of(night.minusDays(1))) {
      schedule(earlier, with(List.of(HEADER), goodLines(earlier.plusDays(1), 20).toArray(String[]::new)));
      ingest(pipeline, "schedule", earlier);
    }
    schedule(night, with(List.of(HEADER), goodLines(flights, 5).toArray(String[]::new)));
    assertThat(rejected(pipeline, "schedule", night).getMessage()).contains("the drop has 5 rows, outside ±50% of the median 20 of the 1 earlier days");
    assertThat(rowsOn(Tables.raw("schedule"), night)).isZero();
  }

  // ---- row-level failures: quarantine with the reason -------------------------------------------

  /**
   * The row-level cases share one drop (and one ingest, for speed): 20 good flights of D+1 plus one
   * line per case below; the night before holds 20 flights, one of whose keys comes back.
   */
  private static final LocalDate MIXED_NIGHT = LocalDate.parse("2001-02-10");
  private static final LocalDate MIXED_FLIGHTS = MIXED_NIGHT.plusDays(1);
  private static final String TOO_FEW = "TOOFEW," + MIXED_FLIGHTS + " 09:01:00,SFO";
  private static final String TOO_MANY = "TOOMANY," + MIXED_FLIGHTS + " 09:02:00,SFO,LAX,337,extra";
  private static final String DUPLICATE = flight(MIXED_FLIGHTS, 3);
  private static final String REUSED = flight(MIXED_NIGHT, 7).split(",")[0];
  private static Ingest.Result mixed;

  private synchronized Ingest.Result mixed() throws IOException {
    if (mixed == null) {
      PipelineConfig pipeline = tolerant();
      schedule(MIXED_NIGHT.minusDays(1), with(List.of(HEADER), goodLines(MIXED_NIGHT, 20).toArray(String[]::new)));
      ingest(pipeline, "schedule", MIXED_NIGHT.minusDays(1));
      ByteArrayOutputStream content = new ByteArrayOutputStream();
      List<String> lines =
          with(with(List.of(HEADER), goodLines(MIXED_FLIGHTS, 20).toArray(String[]::new)),
              TOO_FEW, TOO_MANY,
              "BADTYPE," + MIXED_FLIGHTS + " 08:00:00,SFO,LAX,far",
              "BADDATE,2001-13-45 25:00:00,SFO,LAX,337",
              DUPLICATE, DUPLICATE.replace(",337", ",338"),
              "," + MIXED_FLIGHTS + " 08:00:00,SFO,LAX,337",
              REUSED + "," + MIXED_FLIGHTS + " 23:00:00,SFO,LAX,337");
      content.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
      content.write(("BADUTF8," + MIXED_FLIGHTS + " 08:00:00,S").getBytes(StandardCharsets.UTF_8));
      content.write(new byte[] {(byte) 0xC3, (byte) 0x28});
      content.write(",LAX,337\n".getBytes(StandardCharsets.UTF_8));
      schedule(MIXED_NIGHT, content.toByteArray());
      mixed = ingest(pipeline, "schedule", MIXED_NIGHT);
    }
    return mixed;
  }

  @Test
  void everyBadRowIsAccountedFor() throws IOException {
    Ingest.Result result = mixed();
    assertBalanced("schedule", MIXED_NIGHT, result);
    assertThat(result.rowsIn()).isEqualTo(29);
    assertThat(quarantine("schedule", MIXED_NIGHT))
        .containsOnlyKeys("TOOFEW", "TOOMANY", "BADTYPE", "BADDATE", DUPLICATE.split(",")[0], "null", REUSED, "BADUTF8");
    // the profile describes the rows that reached raw_schedule, not the quarantined ones
    assertThat(result.rows()).isLessThan(result.rowsIn());
    assertThat(dropCounts("schedule", MIXED_NIGHT)).containsEntry("rows", (double) result.rows());
    assertThat(profile("schedule", MIXED_NIGHT, "flight_id", "count")).isEqualTo((double) result.rows());
  }

  /** A rejected re-delivery replaces the validation counts but keeps the profile of what raw still holds. */
  @Test
  void aRejectedDropKeepsTheProfileOfTheRowsRawKept() throws IOException {
    schedule(night, with(List.of(HEADER), goodLines(flights, 20).toArray(String[]::new)));
    assertThat(ingest(pipeline(dir, Map.of()), "schedule", night).rows()).isEqualTo(20);
    assertThat(profile("schedule", night, "distance", "max")).isEqualTo(337.0);
    // re-delivered with the flights of the wrong day: every row quarantined, the night stops
    schedule(night, with(List.of(HEADER), goodLines(night, 30).toArray(String[]::new)));
    rejected(pipeline(dir, Map.of()), "schedule", night);
    assertThat(rowsOn(Tables.raw("schedule"), night)).isEqualTo(20);
    assertThat(dropCounts("schedule", night)).containsEntry("rows_in", 30.0).containsEntry("rows_quarantined", 30.0).containsEntry("rows", 20.0);
    assertThat(profile("schedule", night, "distance", "max")).isEqualTo(337.0);
    assertThat(warehouse.readDate(Tables.DATA_QUALITY, night).where("metric = 'rows_in'").count()).isEqualTo(1);
  }

  /** One profile metric of a column: data_quality's value for (source, night, column, metric). */
  private static double profile(String source, LocalDate night, String column, String metric) {
    Row row = warehouse.readDate(Tables.DATA_QUALITY, night)
        .where(col("source").equalTo(source).and(col("column_name").equalTo(column)).and(col("metric").equalTo(metric))).head();
    return row.getDouble(row.fieldIndex("value"));
  }

  @Test
  void malformedLinesAreQuarantinedWithTheLine() throws IOException {
    mixed();
    assertThat(quarantine("schedule", MIXED_NIGHT).get("TOOFEW")).contains("malformed_line=" + TOO_FEW);
    assertThat(quarantine("schedule", MIXED_NIGHT).get("TOOMANY")).contains("malformed_line=" + TOO_MANY);
  }

  @Test
  void wrongTypesAndUnparseableDatesAreQuarantinedWithTheValue() throws IOException {
    mixed();
    assertThat(quarantine("schedule", MIXED_NIGHT).get("BADTYPE")).containsExactly("distance_type=far");
    assertThat(quarantine("schedule", MIXED_NIGHT).get("BADDATE")).contains("dep_time_type=2001-13-45 25:00:00");
  }

  @Test
  void nullAndDuplicateKeysAreQuarantinedAndTheFirstCopyKept() throws IOException {
    mixed();
    assertThat(quarantine("schedule", MIXED_NIGHT).get("null")).containsExactly("key_null=");
    Dataset<Row> kept = warehouse.readDate(Tables.raw("schedule"), MIXED_NIGHT).where(col("flight_id").equalTo(DUPLICATE.split(",")[0]));
    assertThat(kept.count()).isEqualTo(1);
    assertThat(kept.head().getInt(kept.head().fieldIndex("distance"))).isEqualTo(337);
    assertThat(quarantine("schedule", MIXED_NIGHT).get(DUPLICATE.split(",")[0])).containsExactly("key_duplicate=" + DUPLICATE.split(",")[0]);
  }

  @Test
  void keysAlreadyIngestedForAnEarlierDateAreQuarantined() throws IOException {
    mixed();
    assertThat(quarantine("schedule", MIXED_NIGHT).get(REUSED))
        .containsExactly("key_seen_before=" + REUSED + " (ingested for ds " + MIXED_NIGHT.minusDays(1) + ")");
  }

  @Test
  void invalidUtf8IsQuarantined() throws IOException {
    mixed();
    assertThat(quarantine("schedule", MIXED_NIGHT).get("BADUTF8")).anyMatch(f -> f.startsWith("origin_encoding=S\uFFFD"));
  }

  @Test
  void outOfRangeDelayIsQuarantinedAndMissingDistanceOnlyWarned() {
    Path file = landing.resolve("actuals/" + night + ".parquet");
    TestSpark.session()
        .sql("select concat('F', id) as flight_id, timestamp'" + night + " 08:00:00' + make_interval(0, 0, 0, 0, 0, cast(id as int)) as dep_time,"
            + " 'SFO' as origin, 'LAX' as destination,"
            + " case when id = 1 then cast(null as int) else 337 end as distance,"
            + " case when id = 0 then -1116 else cast(id as int) end as delay from range(20)")
        .coalesce(1).write().mode(SaveMode.Overwrite).parquet(file.toString());
    Ingest.Result result = ingest(tolerant(), "actuals", night);
    assertBalanced("actuals", night, result);
    assertThat(quarantine("actuals", night)).containsOnlyKeys("F0");
    assertThat(quarantine("actuals", night).get("F0")).containsExactly("delay_range=-1116");
    assertThat(result.rowsWarned()).isEqualTo(1);
    assertThat(warehouse.readDate(Tables.raw("actuals"), night).where("flight_id = 'F1' and distance is null").count()).isEqualTo(1);
    Row warned = warehouse.readDate(Tables.DATA_QUALITY, night)
        .where("source = 'actuals' and metric = 'rule_failed' and value_str = 'distance_not_null'").head();
    assertThat(warned.getDouble(warned.fieldIndex("value"))).isEqualTo(1.0);
  }

  @Test
  void aDropForTheWrongDateIsQuarantinedAndStopsTheRunAboveTheRatio() throws IOException {
    // the schedule read on night D must hold the flights of D+1; this one holds those of D
    schedule(night, with(List.of(HEADER), goodLines(night, 20).toArray(String[]::new)));
    NightcastException e = rejected(pipeline(dir, Map.of()), "schedule", night);
    assertThat(e.getMessage())
        .contains("100.00% of the drop's rows break error rules, above the allowed 1.00%", "top reasons: dep_time_date: 20",
            "nightcast sql \"select flight_id, dep_time, origin, destination, distance, _failures from quarantine_schedule where ds = date'" + night + "'\"");
    assertThat(warehouse.readDate(Tables.quarantine("schedule"), night).count()).isEqualTo(20);
    assertThat(warehouse.readDate(Tables.raw("schedule"), night).count()).isZero();
    // the rejected drop's counts are recorded, for the report and the on-call engineer
    assertThat(dropCounts("schedule", night)).containsEntry("rows_in", 20.0).containsEntry("rows_quarantined", 20.0);
  }

  // ---- a real sample drop: the cost of validation and the profile -------------------------------

  @Test
  void validatingARealDropTakesAFixedNumberOfSparkJobsAndProfilesIt() throws Exception {
    String real = TestPipelines.sampleLanding().resolve("schedule/2001-01-02.csv.gz").toString();
    Files.createDirectories(landing.resolve("schedule"));
    Files.copy(Path.of(real), landing.resolve("schedule/2001-01-02.csv.gz"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    PipelineConfig pipeline = pipeline(dir, Map.of());
    AtomicInteger jobs = new AtomicInteger();
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart jobStart) {
        jobs.incrementAndGet();
      }
    };
    TestSpark.session().sparkContext().addSparkListener(listener);
    Ingest.Result result;
    try {
      result = ingest(pipeline, "schedule", LocalDate.parse("2001-01-01"));
      TestSpark.session().sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      TestSpark.session().sparkContext().removeSparkListener(listener);
    }
    System.out.println("Spark jobs to ingest, validate and profile one drop (" + result.rowsIn() + " rows): " + jobs.get());
    assertThat(jobs.get()).isLessThanOrEqualTo(40);
    assertThat(result.rowsQuarantined()).isZero();
    assertBalanced("schedule", LocalDate.parse("2001-01-01"), result);

    Dataset<Row> quality = warehouse.readDate(Tables.DATA_QUALITY, LocalDate.parse("2001-01-01")).where("source = 'schedule'").cache();
    Row median = quality.where("column_name = 'distance' and metric = 'p50'").head();
    assertThat(median.getDouble(median.fieldIndex("value"))).isBetween(21.0, 4962.0);
    List<Row> top = quality.where("column_name = 'origin' and metric = 'top_value'").orderBy(col("value").desc()).collectAsList();
    assertThat(top).hasSize(Profile.TOP_VALUES);
    long ordOrAtl = TestSpark.session().read().option("header", "true").csv(real).where("origin = '" + top.get(0).getString(top.get(0).fieldIndex("value_str")) + "'").count();
    assertThat(top.get(0).getDouble(top.get(0).fieldIndex("value"))).isEqualTo((double) ordOrAtl);
    assertThat(quality.where("column_name = 'flight_id' and metric = 'top_value'").count()).as("no top values for the key").isZero();
    Row passed = quality.where("metric = 'rule_passed' and value_str = 'origin_pattern'").head();
    assertThat(passed.getDouble(passed.fieldIndex("value"))).isEqualTo((double) result.rowsIn());
    assertThat(quality.where("metric = 'rows_in'").count()).isEqualTo(1);
    quality.unpersist();
  }
}
