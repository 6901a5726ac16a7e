package dev.nightcast.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.ExitCode;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sweep of bad drops, one case per bad input, for every format nightcast reads: a good drop of
 * each format is ingested for one night first, then each case re-delivers that night's drop broken
 * and runs the real ingest again. Every case asserts the exit code, the one message line (source,
 * date, file, what to do) and that raw_<source> still holds exactly the good drop's rows. Row-level
 * cases of a format share one drop (the good rows plus one bad row per case, for speed): it stops
 * the night above the default 1% bad-row ratio, and each case finds its row in quarantine with the
 * rule it broke. One warehouse and one night for the whole class.
 */
@Tag("spark")
class BadDropsTest {
  private static final LocalDate NIGHT = LocalDate.parse("2001-05-01");
  private static final String HEADER = "flight_id,dep_time,origin,destination,distance";
  private static final int ROWS = 20;
  private static final String STARTED = "2001-01-01 00:00:00";

  @TempDir static Path root;
  private static Path landing;
  private static Warehouse warehouse;
  private static final Map<String, SourceConfig> SOURCES = new LinkedHashMap<>();
  /** raw_<source> rows of NIGHT after the good drop, as text, sorted. */
  private static final Map<String, List<String>> STORED = new LinkedHashMap<>();
  /** The outcome of each source's drop of all its row-level cases, run once. */
  private static final Map<String, Outcome> SHARED = new LinkedHashMap<>();

  /** Writes a drop at its path (the file or directory the source reads). */
  interface Drop {
    void write(Path file) throws Exception;
  }

  /**
   * One bad input. A drop case has a {@code drop}, and {@code says} is what its message line must
   * hold ({@code exit} OK: accepted). A row case has a {@code row} (a text line, or for Parquet and
   * Delta a one-row SQL select) whose key {@code id} must land in quarantine breaking rule {@code says}.
   */
  record Case(String name, String source, Drop drop, String row, String id, ExitCode exit, String says) {
    static Case drop(String source, String name, Drop drop, ExitCode exit, String says) {
      return new Case(name, source, drop, null, null, exit, says);
    }

    static Case row(String source, String name, String row, String id, String rule) {
      return new Case(name, source, null, row, id, ExitCode.BAD_DATA, rule);
    }

    @Override
    public String toString() {
      return source + ": " + name;
    }
  }

  /** What one ingest gave: its exit code and message, what raw_<source> then held, and the quarantined keys' rules. */
  record Outcome(ExitCode exit, String message, List<String> stored, Map<String, List<String>> quarantined) {}

  @BeforeAll
  static void goodNight() throws Exception {
    landing = Files.createDirectories(root.resolve("landing"));
    warehouse = new Warehouse(TestSpark.session(), root.resolve("warehouse").toString());
    PipelineConfig pipeline = TestPipelines.flightDelay(root, Map.of()).config();
    SourceConfig schedule = pipeline.source("schedule");
    SourceConfig actuals = pipeline.source("actuals");
    SOURCES.put("csv", like(schedule, "csv/{date}.csv", "csv"));
    SOURCES.put("csv_gz", schedule);
    SOURCES.put("json", like(schedule, "json/{date}.json", "json"));
    SOURCES.put("parquet", actuals);
    SOURCES.put("delta", like(actuals, "delta/{date}", "delta"));
    for (String source : SOURCES.keySet()) {
      good(source).write(drop(source));
      ingest(source);
      STORED.put(source, stored(source));
      assertThat(STORED.get(source)).hasSize(ROWS);
    }
  }

  private static SourceConfig like(SourceConfig source, String path, String format) {
    return new SourceConfig(path, format, source.dayOffset(), source.options(), source.schema(), source.expectations());
  }

  private static Path drop(String source) {
    return Path.of(Ingest.dropPath(landing.toString(), SOURCES.get(source), NIGHT));
  }

  private static LocalDate rowsDate(String source) {
    return NIGHT.plusDays(SOURCES.get(source).dayOffset());
  }

  private static void ingest(String source) {
    Ingest.run(warehouse, landing.toString(), Map.of(source, SOURCES.get(source)), NIGHT, "run-bad-drops", STARTED);
  }

  private static List<String> stored(String source) {
    // the file name of a Spark-written drop changes with every write
    return warehouse.readDate(Tables.raw(source), NIGHT).drop("_source_file").collectAsList().stream().map(Row::toString).sorted().toList();
  }

  /** Quarantined rows of NIGHT: the key's first 8 characters ("null" for none) -> the rules it broke. */
  private static Map<String, List<String>> quarantined(String source) {
    Map<String, List<String>> rules = new LinkedHashMap<>();
    for (Row row : warehouse.readDate(Tables.quarantine(source), NIGHT).selectExpr("coalesce(left(flight_id, 8), 'null') as id", "_failed_rules").collectAsList()) {
      // rows without a key share "null"
      rules.merge(row.getAs("id"), row.getList(row.fieldIndex("_failed_rules")),
          (a, b) -> Stream.concat(a.stream(), b.stream()).toList());
    }
    return rules;
  }

  /**
   * Delivers {@code drop} for NIGHT and ingests it; then, should raw_<source> have changed (a case
   * that failed), ingests the good drop again so the next case starts from it.
   */
  private static Outcome run(String source, Drop drop) throws Exception {
    Path file = drop(source);
    delete(file);
    drop.write(file);
    ExitCode exit = ExitCode.OK;
    String message = null;
    try {
      ingest(source);
    } catch (RuntimeException e) {
      exit = ExitCode.of(e);
      message = ExitCode.knownCause(e).map(Throwable::getMessage).orElse(String.valueOf(e));
    }
    Outcome outcome = new Outcome(exit, message, stored(source), quarantined(source));
    if (!outcome.stored().equals(STORED.get(source))) {
      delete(file);
      good(source).write(file);
      ingest(source);
    }
    return outcome;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badDrop(Case c) throws Exception {
    Outcome outcome = c.drop() != null ? run(c.source(), c.drop()) : shared(c.source());
    assertThat(outcome.exit()).as(outcome.message()).isEqualTo(c.exit());
    if (outcome.exit() != ExitCode.OK) {
      assertThat(outcome.message())
          .doesNotContain("\n")
          .startsWith("Cannot ingest source '" + c.source() + "' for " + NIGHT + ": ")
          .contains(drop(c.source()).toString())
          .containsAnyOf("re-run this date", "Fix the export");
    }
    if (c.drop() != null && c.says() != null) {
      assertThat(outcome.message()).contains(c.says());
    }
    if (c.row() != null) {
      assertThat(outcome.quarantined().get(c.id())).as("rules broken by " + c.id() + " in " + outcome.quarantined()).contains(c.says());
    }
    assertThat(outcome.stored()).as("raw_" + c.source() + " for " + NIGHT).isEqualTo(STORED.get(c.source()));
  }

  /** The one drop holding the good rows and every row case of {@code source}, ingested once. */
  private static synchronized Outcome shared(String source) throws Exception {
    if (!SHARED.containsKey(source)) {
      List<String> rows = cases().filter(c -> c.source().equals(source) && c.row() != null).map(Case::row).toList();
      Drop drop = switch (source) {
        case "csv", "csv_gz" -> bytes(source, latin1(joined(csvLines(rowsDate(source))) + joined(rows)));
        case "json" -> bytes(source, latin1(jsonLines(rowsDate(source), UnaryOperator.identity()) + joined(rows)));
        default -> spark(source, goodActualsSql(rowsDate(source)) + rows.stream().map(row -> " union all " + row).reduce("", String::concat));
      };
      SHARED.put(source, run(source, drop));
    }
    return SHARED.get(source);
  }

  /**
   * UTF-8 text, except the marked stretches: {@code «…»} is written in ISO-8859-1, as a Latin-1
   * export writes it. Every other character is written as UTF-8.
   */
  private static byte[] latin1(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String[] parts = text.split("[«»]", -1);
    for (int i = 0; i < parts.length; i++) {
      bytes.writeBytes(parts[i].getBytes(i % 2 == 1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  // ---- the cases ---------------------------------------------------------------------------------

  static Stream<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.addAll(csvCases());
    cases.addAll(gzipCases());
    cases.addAll(jsonCases());
    cases.addAll(parquetCases());
    cases.addAll(deltaCases());
    cases.addAll(fileCases());
    return cases.stream();
  }

  private static List<Case> csvCases() {
    String csv = "csv";
    LocalDate day = rowsDate(csv);
    List<String> good = csvLines(day);
    String bad = ",SFO,LAX,337";
    List<Case> cases = new ArrayList<>();
    cases.add(Case.drop(csv, "UTF-16 text", bytes(csv, joined(good).getBytes(StandardCharsets.UTF_16)), ExitCode.BAD_DATA, "the header is not UTF-8 text"));
    cases.add(Case.drop(csv, "a UTF-8 byte order mark", bytes(csv, ("\uFEFF" + joined(good)).getBytes(StandardCharsets.UTF_8)), ExitCode.OK, null));
    cases.add(Case.drop(csv, "CRLF line ends", text(csv, joined(good).replace("\n", "\r\n")), ExitCode.OK, null));
    cases.add(Case.drop(csv, "semicolons for commas", text(csv, joined(good).replace(",", ";")), ExitCode.BAD_DATA, "a different delimiter?"));
    cases.add(Case.drop(csv, "an extra column", text(csv, joined(good.stream().map(l -> l + (l.equals(HEADER) ? ",gate" : ",B1")).toList())),
        ExitCode.BAD_DATA, "unexpected: [gate]"));
    cases.add(Case.drop(csv, "a missing column", text(csv, joined(good.stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList())),
        ExitCode.BAD_DATA, "missing: [distance]"));
    cases.add(Case.drop(csv, "a column named twice", text(csv, joined(good).replaceFirst("destination", "origin")), ExitCode.BAD_DATA, "a column named twice"));
    cases.add(Case.drop(csv, "timestamps with a zone (the same instants)", text(csv, joined(good.stream().map(BadDropsTest::inZone).toList())), ExitCode.OK, null));
    cases.add(Case.drop(csv, "an HTML error page", text(csv, "<html><body><h1>502 Bad Gateway</h1></body></html>\n"), ExitCode.BAD_DATA, "unexpected: [<html>"));
    cases.add(Case.drop(csv, "an empty file", text(csv, ""), ExitCode.BAD_DATA, "the drop is empty"));
    cases.add(Case.drop(csv, "a header alone", text(csv, HEADER + "\n"), ExitCode.BAD_DATA, "fewer than the minimum"));
    cases.add(Case.drop(csv, "the flights of another day", text(csv, joined(csvLines(day.minusDays(1)))), ExitCode.BAD_DATA, "dep_time_date: 20"));
    cases.add(Case.row(csv, "Latin-1 text", "B01," + depTime(day, 1) + ",«ZÜR»,LAX,337", "B01", "origin_encoding"));
    cases.add(Case.row(csv, "a quoted newline", "B02," + depTime(day, 1) + ",\"S\nFO\",LAX,337", "B02", "malformed_line"));
    cases.add(Case.row(csv, "a word for a number", "B03," + depTime(day, 1) + ",SFO,LAX,far", "B03", "distance_type"));
    cases.add(Case.row(csv, "a decimal for an int", "B04," + depTime(day, 1) + ",SFO,LAX,337.5", "B04", "distance_type"));
    cases.add(Case.row(csv, "NaN for a number", "B05," + depTime(day, 1) + ",SFO,LAX,NaN", "B05", "distance_type"));
    cases.add(Case.row(csv, "Infinity for a number", "B06," + depTime(day, 1) + ",SFO,LAX,Infinity", "B06", "distance_type"));
    cases.add(Case.row(csv, "-Infinity for a number", "B07," + depTime(day, 1) + ",SFO,LAX,-Infinity", "B07", "distance_type"));
    cases.add(Case.row(csv, "an empty key", "," + depTime(day, 1) + bad, "null", "key_null"));
    cases.add(Case.row(csv, "a 5 MB key", "K".repeat(5 << 20) + "," + depTime(day, 1) + bad, "KKKKKKKK", "flight_id_too_long"));
    cases.add(Case.row(csv, "a date before 1900", "B10,1899-12-31 08:00:00" + bad, "B10", "dep_time_date"));
    cases.add(Case.row(csv, "a date after 9999", "B11,+10000-01-01 08:00:00" + bad, "B11", "dep_time_date"));
    cases.add(Case.row(csv, "a short line", "B12," + depTime(day, 1) + ",SFO", "B12", "malformed_line"));
    cases.add(Case.row(csv, "a key twice", flightId(5) + "," + depTime(day, 5) + ",SFO,LAX,338", flightId(5), "key_duplicate"));
    cases.add(Case.row(csv, "a lower-case airport", "B14," + depTime(day, 1) + ",sfo,LAX,337", "B14", "origin_pattern"));
    cases.add(Case.row(csv, "an impossible distance", "B15," + depTime(day, 1) + ",SFO,LAX,99999", "B15", "distance_range"));
    cases.add(Case.row(csv, "an unparseable timestamp", "B16,2001-13-45 25:00:00" + bad, "B16", "dep_time_type"));
    return cases;
  }

  /** What a gzip adds: broken compression. The text itself reads as in {@link #csvCases}. */
  private static List<Case> gzipCases() {
    String gz = "csv_gz";
    byte[] good = joined(csvLines(rowsDate(gz))).getBytes(StandardCharsets.UTF_8);
    List<Case> cases = new ArrayList<>();
    cases.add(Case.drop(gz, "plain text in a .gz file", file -> Files.write(file, good), ExitCode.BAD_DATA, "the drop is unreadable"));
    cases.add(Case.drop(gz, "a truncated gzip", file -> Files.write(file, java.util.Arrays.copyOf(gzip(good), gzip(good).length / 2)),
        ExitCode.BAD_DATA, "the drop is unreadable"));
    cases.add(Case.drop(gz, "a gzipped HTML error page", text(gz, "<html><body><h1>502 Bad Gateway</h1></body></html>\n"), ExitCode.BAD_DATA, "unexpected: [<html>"));
    cases.add(Case.drop(gz, "an empty gzip", text(gz, ""), ExitCode.BAD_DATA, "the drop is empty"));
    cases.add(Case.row(gz, "a 5 MB key", "K".repeat(5 << 20) + "," + depTime(rowsDate(gz), 1) + ",SFO,LAX,337", "KKKKKKKK", "flight_id_too_long"));
    return cases;
  }

  private static List<Case> jsonCases() {
    String json = "json";
    LocalDate day = rowsDate(json);
    String row = "{\"flight_id\":\"B00\",\"dep_time\":\"" + depTime(day, 1) + "\",\"origin\":\"SFO\",\"destination\":\"LAX\",\"distance\":337}";
    String good = jsonLines(day, UnaryOperator.identity());
    List<Case> cases = new ArrayList<>();
    cases.add(Case.drop(json, "a UTF-8 byte order mark", text(json, "\uFEFF" + good), ExitCode.OK, null));
    cases.add(Case.drop(json, "CRLF line ends", text(json, good.replace("\n", "\r\n")), ExitCode.OK, null));
    cases.add(Case.drop(json, "an extra field", text(json, jsonLines(day, l -> l.replace("}", ",\"gate\":\"B1\"}"))), ExitCode.BAD_DATA, "unexpected: [gate]"));
    cases.add(Case.drop(json, "an extra field in one row", text(json, good + row.replace("}", ",\"gate\":\"B1\"}") + "\n"), ExitCode.BAD_DATA, "unexpected: [gate]"));
    cases.add(Case.drop(json, "a missing field", text(json, jsonLines(day, l -> l.replace(",\"distance\":337", ""))), ExitCode.BAD_DATA, "missing: [distance]"));
    cases.add(Case.drop(json, "a field named twice", text(json, good + row.replace("\"origin\":\"SFO\"", "\"origin\":\"SFO\",\"origin\":\"OAK\"") + "\n"),
        ExitCode.BAD_DATA, "names a column twice"));
    cases.add(Case.drop(json, "timestamps with a zone (the same instants)", text(json, jsonLines(day, BadDropsTest::inZone)), ExitCode.OK, null));
    cases.add(Case.drop(json, "CSV in a .json file", text(json, joined(csvLines(day))), ExitCode.BAD_DATA, "no line of the drop is a JSON object"));
    cases.add(Case.drop(json, "an empty file", text(json, ""), ExitCode.BAD_DATA, "the drop is empty"));
    // a line that does not parse keeps no field, its key neither
    cases.add(Case.row(json, "Latin-1 text", row.replace("B00", "B01").replace("SFO", "«ZÜR»"), "null", "malformed_line"));
    cases.add(Case.row(json, "a word for a number", row.replace("B00", "B02").replace("337", "\"far\""), "B02", "distance_type"));
    cases.add(Case.row(json, "an object for a number", row.replace("B00", "B03").replace("337", "{\"miles\":337}"), "B03", "distance_type"));
    cases.add(Case.row(json, "NaN for a number", row.replace("B00", "B04").replace("337", "NaN"), "B04", "distance_type"));
    cases.add(Case.row(json, "Infinity for a number", row.replace("B00", "B05").replace("337", "Infinity"), "B05", "distance_type"));
    cases.add(Case.row(json, "-Infinity for a number", row.replace("B00", "B06").replace("337", "-Infinity"), "B06", "distance_type"));
    cases.add(Case.row(json, "true for a number", row.replace("B00", "B07").replace("337", "true"), "B07", "distance_type"));
    cases.add(Case.row(json, "a null key", row.replace("\"B00\"", "null"), "null", "key_null"));
    cases.add(Case.row(json, "a 5 MB key", row.replace("B00", "K".repeat(5 << 20)), "KKKKKKKK", "flight_id_too_long"));
    cases.add(Case.row(json, "a date before 1900", row.replace("B00", "B10").replace(depTime(day, 1), "1899-12-31 08:00:00"), "B10", "dep_time_date"));
    cases.add(Case.row(json, "a truncated line", row.replace("B00", "B11").substring(0, 40), "null", "malformed_line"));
    return cases;
  }

  private static List<Case> parquetCases() {
    String parquet = "parquet";
    LocalDate day = rowsDate(parquet);
    String good = goodActualsSql(day);
    List<Case> cases = new ArrayList<>();
    cases.add(Case.drop(parquet, "pandas' nanosecond timestamps (zoned)", nanos(day, true, false), ExitCode.OK, null));
    cases.add(Case.drop(parquet, "pandas' nanosecond timestamps (naive)", nanos(day, false, false), ExitCode.OK, null));
    cases.add(Case.drop(parquet, "a column twice, in another case", nanos(day, true, true), ExitCode.BAD_DATA, "names a column twice"));
    cases.addAll(typedCases(parquet, good));
    cases.add(Case.drop(parquet, "text in a .parquet file", text(parquet, joined(csvLines(day))), ExitCode.BAD_DATA, "the drop is not a Parquet file"));
    cases.add(Case.drop(parquet, "an empty .parquet file", text(parquet, ""), ExitCode.BAD_DATA, "the drop is not a Parquet file"));
    cases.add(Case.drop(parquet, "a truncated Parquet file", truncatedParquet(good), ExitCode.BAD_DATA, "the drop is not a Parquet file"));
    return cases;
  }

  private static List<Case> deltaCases() {
    String delta = "delta";
    LocalDate day = rowsDate(delta);
    List<Case> cases = new ArrayList<>(typedCases(delta, goodActualsSql(day)));
    cases.add(Case.drop(delta, "Parquet files without a Delta log", file -> spark("parquet", goodActualsSql(day)).write(file),
        ExitCode.BAD_DATA, "the drop is not a Delta table"));
    cases.add(Case.drop(delta, "an empty directory", Files::createDirectories, ExitCode.BAD_DATA, "the drop is not a Delta table"));
    return cases;
  }

  /** Bad drops of a typed format (Parquet, Delta), edited from the good drop's query {@code good}. */
  private static List<Case> typedCases(String source, String good) {
    String day = rowsDate(source).toString();
    List<Case> cases = new ArrayList<>();
    cases.add(Case.drop(source, "text for a number", spark(source, good.replace("cast(id as int) as delay", "cast(id as string) as delay")),
        ExitCode.BAD_DATA, "delay: declared int, drop has string"));
    cases.add(Case.drop(source, "a bigint for an int", spark(source, good.replace("337 as distance", "337L as distance")),
        ExitCode.BAD_DATA, "distance: declared int, drop has bigint"));
    cases.add(Case.drop(source, "doubles with NaN and ±Infinity", spark(source, good.replace("cast(id as int) as delay",
            "case id when 0 then double('NaN') when 1 then double('Infinity') else double('-Infinity') end as delay")),
        ExitCode.BAD_DATA, "delay: declared int, drop has double"));
    cases.add(Case.drop(source, "an extra column", spark(source, good.replace(" from ", ", 'B1' as gate from ")), ExitCode.BAD_DATA, "unexpected: [gate]"));
    cases.add(Case.drop(source, "a missing column", spark(source, good.replace(", cast(id as int) as delay", "")), ExitCode.BAD_DATA, "missing: [delay]"));
    cases.add(Case.drop(source, "no rows", spark(source, good + " where id < 0"), ExitCode.BAD_DATA, "fewer than the minimum"));
    String row = "select '%s' as flight_id, timestamp'" + day + " 09:00:00' as dep_time, 'SFO' as origin, 'LAX' as destination, 337 as distance, 5 as delay";
    cases.add(Case.row(source, "a 5 MB key", row.replace("'%s'", "repeat('K', 5242880)"), "KKKKKKKK", "flight_id_too_long"));
    cases.add(Case.row(source, "a date before 1900", String.format(row, "B02").replace(day + " 09:00:00", "1899-12-31 09:00:00"), "B02", "dep_time_date"));
    cases.add(Case.row(source, "a date after 9999", String.format(row, "B03").replace("timestamp'" + day + " 09:00:00'", "timestamp_micros(253402300800000000)"),
        "B03", "dep_time_date"));
    cases.add(Case.row(source, "a null key", row.replace("'%s'", "cast(null as string)"), "null", "key_null"));
    cases.add(Case.row(source, "a delay of -1116 minutes", String.format(row, "B05").replace("5 as delay", "-1116 as delay"), "B05", "delay_range"));
    return cases;
  }

  /** Drop paths that are not what they should be. */
  private static List<Case> fileCases() {
    List<Case> cases = new ArrayList<>();
    cases.add(Case.drop("csv", "an empty directory for a file", Files::createDirectories, ExitCode.BAD_DATA, "the drop holds no file to read"));
    cases.add(Case.drop("csv", "a dangling symbolic link", file -> Files.createSymbolicLink(file, file.resolveSibling("gone.csv")), ExitCode.BAD_DATA,
        "the drop is missing"));
    cases.add(Case.drop("csv", "a symbolic link to the good drop", file -> {
      Path target = root.resolve("elsewhere.csv");
      good("csv").write(target);
      Files.createSymbolicLink(file, target);
    }, ExitCode.OK, null));
    cases.add(Case.drop("csv", "an unreadable file", file -> {
      Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root reads any file");
      good("csv").write(file);
      Files.setPosixFilePermissions(file, java.util.Set.of());
    }, ExitCode.BAD_DATA, "the drop is unreadable"));
    return cases;
  }

  /** A text line with its timestamps written with a +02:00 offset: the same instants as in UTC. */
  private static String inZone(String line) {
    java.util.regex.Matcher stamp = java.util.regex.Pattern.compile("(\\d{4}-\\d{2}-\\d{2}) (\\d{2}):(\\d{2}):00").matcher(line);
    if (!stamp.find()) {
      return line;
    }
    java.time.LocalDateTime utc = java.time.LocalDateTime.parse(stamp.group(1) + "T" + stamp.group(2) + ":" + stamp.group(3));
    return line.substring(0, stamp.start()) + utc.plusHours(2) + ":00+02:00" + line.substring(stamp.end());
  }

  // ---- drops -------------------------------------------------------------------------------------

  private static String flightId(int n) {
    return String.format("F%02d", n);
  }

  private static String depTime(LocalDate day, int n) {
    return String.format("%s %02d:%02d:00", day, 6 + n / 2, n % 2 * 30);
  }

  private static List<String> csvLines(LocalDate day) {
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    for (int n = 0; n < ROWS; n++) {
      lines.add(flightId(n) + "," + depTime(day, n) + ",SFO,LAX,337");
    }
    return lines;
  }

  /** The good drop of the source's format. */
  private static Drop good(String source) {
    LocalDate day = rowsDate(source);
    return switch (source) {
      case "csv", "csv_gz" -> text(source, joined(csvLines(day)));
      case "json" -> text(source, jsonLines(day, UnaryOperator.identity()));
      default -> spark(source, goodActualsSql(day));
    };
  }

  private static String jsonLines(LocalDate day, UnaryOperator<String> edit) {
    StringBuilder json = new StringBuilder();
    for (int n = 0; n < ROWS; n++) {
      json.append(edit.apply(String.format(
          "{\"flight_id\":\"%s\",\"dep_time\":\"%s\",\"origin\":\"SFO\",\"destination\":\"LAX\",\"distance\":337}", flightId(n), depTime(day, n))))
          .append('\n');
    }
    return json.toString();
  }

  private static String goodActualsSql(LocalDate day) {
    return "select format_string('F%02d', id) as flight_id, timestamp'" + day + " 06:00:00' + make_interval(0, 0, 0, 0, 0, cast(id * 30 as int)) as dep_time,"
        + " 'SFO' as origin, 'LAX' as destination, 337 as distance, cast(id as int) as delay from range(" + ROWS + ")";
  }

  private static String joined(List<String> lines) {
    return String.join("\n", lines) + "\n";
  }

  /**
   * The good actuals as pandas and pyarrow write them by default: dep_time an INT64
   * TIMESTAMP(NANOS) (UTC-adjusted for a zoned pandas column, local for a naive one), 999 ns past
   * each good microsecond, written with parquet-hadoop's own writer; {@code twice} adds a column
   * DELAY beside delay, which Parquet allows and Spark, comparing names ignoring case, does not.
   */
  private static Drop nanos(LocalDate day, boolean utc, boolean twice) {
    MessageType schema = MessageTypeParser.parseMessageType(
        "message schema { optional binary flight_id (STRING); optional int64 dep_time (TIMESTAMP(NANOS," + utc + "));"
            + " optional binary origin (STRING); optional binary destination (STRING); optional int32 distance; optional int32 delay;"
            + (twice ? " optional int32 DELAY;" : "") + " }");
    return file -> {
      Files.createDirectories(file.getParent());
      SimpleGroupFactory groups = new SimpleGroupFactory(schema);
      try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
          .withType(schema).withConf(new Configuration()).build()) {
        for (int n = 0; n < ROWS; n++) {
          long seconds = java.time.LocalDateTime.parse(depTime(day, n).replace(' ', 'T')).toEpochSecond(java.time.ZoneOffset.UTC);
          Group row = groups.newGroup().append("flight_id", flightId(n)).append("dep_time", seconds * 1_000_000_000L + 999)
              .append("origin", "SFO").append("destination", "LAX").append("distance", 337).append("delay", n);
          writer.write(twice ? row.append("DELAY", n) : row);
        }
      }
    };
  }

  /** The first half of the good drop's one Parquet file, alone at the drop's path. */
  private static Drop truncatedParquet(String good) {
    return file -> {
      Path whole = root.resolve("whole.parquet");
      delete(whole);
      spark("parquet", good).write(whole);
      try (Stream<Path> files = Files.list(whole)) {
        byte[] content = Files.readAllBytes(files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow());
        Files.write(file, java.util.Arrays.copyOf(content, content.length / 2));
      }
    };
  }

  /** {@code content} as UTF-8 at the drop's path (gzipped for a .gz path). */
  private static Drop text(String source, String content) {
    return bytes(source, content.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code content} at the drop's path, gzipped for a .gz path. */
  private static Drop bytes(String source, byte[] content) {
    return file -> {
      Files.createDirectories(file.getParent());
      Files.write(file, file.toString().endsWith(".gz") ? gzip(content) : content);
    };
  }

  /** The rows of a Spark SQL query, written in the source's format (one file for Parquet). */
  private static Drop spark(String source, String sql) {
    return file -> {
      var rows = TestSpark.session().sql(sql).coalesce(1).write().mode(SaveMode.Overwrite);
      if (source.equals("delta")) {
        rows.format("delta").save(file.toString());
      } else {
        rows.parquet(file.toString());
      }
    };
  }

  static byte[] gzip(byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content);
    }
    return bytes.toByteArray();
  }

  /** Deletes the drop at {@code path} with the checksum Hadoop's local file system writes beside it. */
  private static void delete(Path path) throws IOException {
    Files.deleteIfExists(path.resolveSibling("." + path.getFileName() + ".crc"));
    if (Files.isSymbolicLink(path) || Files.isRegularFile(path)) {
      Files.delete(path);
    } else if (Files.isDirectory(path)) {
      try (Stream<Path> all = Files.walk(path)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
